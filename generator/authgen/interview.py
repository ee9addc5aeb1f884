"""The interview at a terminal: the one module that talks to a person (with questionary).

It walks copier.yml's questions (`answers.pending`), explains each one, and for the strategy
offers "help me decide" (the advisor's facts, then its recommendation with reasons, to accept
or not) and the full comparison. A summary comes before anything is written, with a chance to
change any answer. Ctrl-C raises KeyboardInterrupt from wherever it is pressed; nothing has
been written at that point.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import questionary

from . import advisor, answers, explain
from .errors import AnswersError, shown
from .questions import Template

HELP_ME_DECIDE = "help me decide"
COMPARE = "read the comparison"
RENDER = "render"
CHANGE = "change"
ACCEPT = "accept"
OTHER = "other"
BACK = "back"
DESCRIPTION_INDENT = " " * len("  Description: ")  # how questionary introduces a description


@dataclass(frozen=True)
class Interviewed:
    """What the person chose: the answers, and the "help me decide" decision if they used it."""

    given: dict[str, object]
    decision: advisor.Decision | None


def run(
    template: Template,
    destination: Path,
    *,
    defaults: Mapping[str, object] | None = None,
    out: TextIO | None = None,
    locked: Mapping[str, object] | None = None,
) -> Interviewed:
    """Ask every question that applies, then confirm a summary; `defaults` are a team's, and
    `locked` the answers its file locks, which are not asked."""
    interview = _Interview(template, destination, defaults or {}, out or sys.stdout)
    interview.so_far.update(locked or {})
    return interview.run()


class _Interview:
    def __init__(
        self, template: Template, destination: Path, defaults: Mapping[str, object], out: TextIO
    ) -> None:
        self.template = template
        self.destination = destination
        self.defaults = defaults
        self.out = out
        self.width = explain.terminal_width()
        self.so_far: dict[str, object] = {}
        self.decision: advisor.Decision | None = None

    def run(self) -> Interviewed:
        self.say(
            f"authgen will ask a few questions about the project for {self.destination}, then "
            "show a summary before it writes anything. Press Ctrl-C at any time to stop; "
            "nothing is written until you confirm."
        )
        while True:
            self.so_far, ask = answers.pending(self.template, self.so_far, defaults=self.defaults)
            if ask is not None:
                self.answer(ask)
            elif self.confirmed():
                return Interviewed(dict(self.so_far), self.decision)

    def answer(self, ask: answers.Ask) -> None:
        """Ask one question and keep its answer (for the strategy, maybe several)."""
        question = ask.question
        self.say("")
        if question.key == advisor.STRATEGY:
            self.strategy(ask)
        elif question.options:
            self.say(question.help)
            self.so_far[question.key] = self.select(question.key, self.options(ask), ask.default)
        else:
            self.say(question.help)
            self.so_far[question.key] = self.typed(ask)

    def typed(self, ask: answers.Ask) -> object:
        key = ask.question.key

        def verdict(text: str) -> bool | str:
            try:
                answers.read_one(self.template, key, text, self.so_far, defaults=self.defaults)
            except AnswersError as refusal:
                return refusal.problems[0].message
            return True

        text = self.prompt(
            questionary.text(
                key, default=str(ask.default), validate=verdict, validate_while_typing=False
            )
        )
        return answers.read_one(self.template, key, text, self.so_far, defaults=self.defaults)

    def strategy(self, ask: answers.Ask) -> None:
        """Sessions, JWTs, help me decide, or the full comparison first."""
        self.say(explain.pictures(self.width), wrap=False)
        self.say("")
        self.say(ask.question.help)
        options = [
            *self.options(ask),
            self.choice(
                "Help me decide",
                HELP_ME_DECIDE,
                "Four questions about your project, then a recommendation with the reasons that "
                "came from your answers.",
            ),
            self.choice(
                "Read the full comparison first",
                COMPARE,
                "What each one is, where the state lives, what you gain and give up, and what "
                "fits pages, single-page apps, mobile apps and several backends.",
            ),
        ]
        while True:
            picked = self.select(advisor.STRATEGY, options, ask.default)
            if picked == COMPARE:
                self.say("")
                self.say(explain.comparison(self.width), wrap=False)
            elif picked == HELP_ME_DECIDE:
                if self.help_me_decide(ask):
                    return
            else:
                self.decision = None
                self.so_far[advisor.STRATEGY] = picked
                return

    def help_me_decide(self, ask: answers.Ask) -> bool:
        """The advisor's questions, its recommendation, and the person's pick; False to go back."""
        self.say("")
        self.say("Four questions about your project. There are no wrong answers.")
        given = {}
        for fact in advisor.FACTS:
            self.say("")
            self.say(fact.help)
            given[fact.key] = self.select(
                fact.question,
                [
                    self.choice(option.label, option.value, option.description)
                    for option in fact.options
                ],
                None,
            )
        facts = advisor.read_facts(given)
        recommendation = advisor.recommend(facts)
        recommended = recommendation.auth_strategy
        other = next(option.value for option in ask.question.options if option.value != recommended)
        self.say("")
        self.say(f"Recommended: {recommendation.summary()}, because:")
        for reason in recommendation.reasons:
            self.say(f"- {reason}", hang="  ")
        picked = self.select(
            "Your choice",
            [
                questionary.Choice(
                    f"Use {recommended}, as recommended",
                    ACCEPT,
                    disabled=ask.refused.get(recommended),
                ),
                questionary.Choice(f"Use {other} instead", OTHER, disabled=ask.refused.get(other)),
                questionary.Choice("Back to the strategy question", BACK),
            ],
            BACK if recommended in ask.refused else ACCEPT,
        )
        if picked == BACK:
            return False
        self.decision = advisor.Decision(facts, recommendation)
        for key in (advisor.ALGORITHM, advisor.REVOCATION):
            self.so_far.pop(key, None)  # the recommendation's, or asked again for the other
        if picked == ACCEPT:
            self.so_far.update(recommendation.answers())
        else:
            self.so_far[advisor.STRATEGY] = other
        return True

    def confirmed(self) -> bool:
        """Show the summary; True to render, else one answer is changed (and False)."""
        self.say("")
        self.say(f"Summary: the project authgen will write into {self.destination}")
        column = max(len(key) for key in self.so_far) + 2
        for key, value in self.so_far.items():
            self.say(f"  {key.ljust(column)}{shown(value)}", wrap=False)
        if self.decision:
            self.say("")
            self.say("Why this strategy (it goes into docs/decisions/0001-auth-strategy.md):")
            for reason in self.decision.record(self.so_far):
                self.say(f"- {reason}", hang="  ")
        self.say("")
        self.say("Nothing has been written yet.")
        picked = self.select(
            "Render it?",
            [
                questionary.Choice("Yes, render the project", RENDER),
                questionary.Choice("Change an answer", CHANGE),
            ],
            RENDER,
        )
        if picked == RENDER:
            return True
        chosen = self.select(
            "Which answer?",
            [
                questionary.Choice(f"{key}: {shown(value)}", key)
                for key, value in self.so_far.items()
            ],
            None,
        )
        self.change(str(chosen))
        return False

    def change(self, key: str) -> None:
        """Ask one answered question again, its current answer as the default."""
        current = self.so_far[key]
        without = {name: value for name, value in self.so_far.items() if name != key}
        _, ask = answers.pending(self.template, without, defaults=self.defaults)
        if ask is None or ask.question.key != key:
            return
        if current not in ask.refused:
            ask = replace(ask, default=current)
        self.answer(ask)

    def options(self, ask: answers.Ask) -> list[questionary.Choice]:
        """The question's options; those its rule refuses now are shown, with the reason."""
        return [
            self.choice(
                option.label, option.value, option.description, ask.refused.get(option.value)
            )
            for option in ask.question.options
        ]

    def choice(
        self, label: str, value: object, description: str, disabled: str | None = None
    ) -> questionary.Choice:
        """A choice whose description is wrapped to the terminal (questionary would cut it)."""
        lines = textwrap.wrap(description, self.width - len(DESCRIPTION_INDENT))
        wrapped = ("\n" + DESCRIPTION_INDENT).join(lines)
        return questionary.Choice(label, value, disabled=disabled, description=wrapped)

    def select(
        self, message: str, choices: Sequence[questionary.Choice], default: object
    ) -> object:
        pointed = next((choice for choice in choices if choice.value == default), None)
        return self.prompt(
            questionary.select(
                message, choices=list(choices), default=pointed, instruction="(arrows, Enter)"
            )
        )

    def prompt(self, question: questionary.Question) -> object:
        """Ask; Ctrl-C (or Ctrl-D) anywhere raises KeyboardInterrupt."""
        try:
            return question.unsafe_ask()
        except EOFError:
            raise KeyboardInterrupt from None

    def say(self, text: str, *, wrap: bool = True, hang: str = "") -> None:
        if wrap and text:
            text = textwrap.fill(text, self.width, subsequent_indent=hang, break_on_hyphens=False)
        print(text, file=self.out, flush=True)
