"""Check a mapping of answers against the questions: clean answers, or every problem at once.

Pure: no files, no terminal. The rules (ranges, "not available yet") are copier.yml's own
validators, rendered here the way Copier renders them, so each rule is written once.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from .errors import AnswersError, Problem, TemplateError, shown
from .questions import Question, Template

TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "off", "0"})
TYPE_NAMES = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
}


@dataclass(frozen=True)
class Answers:
    """`values`: what the project records (every question that applies), in question order.
    `derived`: what Copier computes from them and never records (e.g. package_name)."""

    values: dict[str, object]
    derived: dict[str, object]


class _Refused(Exception):
    def __init__(self, reason: str, allowed: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.allowed = allowed


def validate(template: Template, given: Mapping[str, object]) -> Answers:
    """Return the clean answers for `given`, or raise AnswersError naming every problem.

    Keys starting with "_" are Copier's bookkeeping (`_src_path`, `_commit`) and are ignored,
    so a project's .copier-answers.yml can be reused as an answers file. Strings are read by
    the question's type ("15" is a number, "no" is false), as `--set` gives only strings.
    """
    env = template.jinja_env()
    questions = {question.key: question for question in template.questions}
    given = {key: value for key, value in given.items() if not str(key).startswith("_")}
    problems = [
        _unknown(str(key), value, template)
        for key, value in given.items()
        if key not in questions or questions[key].computed
    ]
    parsed: dict[str, object] = {}
    refused: dict[str, Problem] = {}
    for key, value in given.items():
        question = questions.get(key)
        if question is None or question.computed:
            continue
        try:
            parsed[key] = _parse(question, value)
        except _Refused as refusal:
            refused[key] = _problem(key, value, refusal)

    context: dict[str, object] = {}
    values: dict[str, object] = {}
    derived: dict[str, object] = {}
    for question in template.questions:
        key = question.key
        value = parsed[key] if key in parsed else _default(env, question, context)
        context[key] = value
        if question.computed:
            derived[key] = value
            continue
        if not _applies(env, question, context):
            if key in given:
                problems.append(_inapplicable(env, question, given[key], context))
            continue
        values[key] = value
        if key in refused:
            problems.append(refused[key])
            continue
        rule = _broken_rule(env, question, context)
        if rule:
            passing = _allowed_by_rule(env, question, context)
            allowed = ", ".join(shown(choice).strip('"') for choice in passing) or rule
            if key in given:
                message = f"{key}: given {shown(given[key])}; {rule}"
            else:
                message = f"{key}: not given, so it takes its default {shown(value)}; {rule}"
            problems.append(Problem(key, given.get(key, value), allowed, message))
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise AnswersError(f"answers refused ({count}); nothing was written", problems)
    return Answers(values=values, derived=derived)


def prompt_defaults(template: Template) -> dict[str, object]:
    """Defaults for Copier's own prompts, where a default breaks its question's rule.

    Copier refuses to ask a question whose default its validator rejects (google_oauth while
    Google sign-in is not available), so such a question gets the first value its rule allows.
    """
    env = template.jinja_env()
    context: dict[str, object] = {}
    replaced: dict[str, object] = {}
    for question in template.questions:
        context[question.key] = _default(env, question, context)
        if question.computed or not _applies(env, question, context):
            continue
        if _broken_rule(env, question, context):
            passing = _allowed_by_rule(env, question, context)
            if passing:
                replaced[question.key] = context[question.key] = passing[0]
    return replaced


def allowed_text(question: Question) -> str:
    """What the question accepts, in plain words, before any rule of copier.yml."""
    if question.choices:
        return ", ".join(str(choice.value) for choice in question.choices)
    return TYPE_NAMES[question.type]


def _parse(question: Question, value: object) -> object:
    parsed = _cast(question, value)
    if question.choices and parsed not in [choice.value for choice in question.choices]:
        raise _Refused("which is not one of the choices", allowed_text(question))
    return parsed


def _cast(question: Question, value: object) -> object:
    kind = question.type
    if kind == "str" and isinstance(value, str):
        return value
    if kind == "bool":
        if isinstance(value, bool):
            return value
        word = value.strip().lower() if isinstance(value, str) else None
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise _Refused("which is not true or false", "true or false (or yes/no, on/off, 1/0)")
    if kind == "int" and not isinstance(value, bool | float):
        try:
            return int(str(value).strip())
        except ValueError:
            pass
    if kind == "float" and not isinstance(value, bool):
        try:
            return float(str(value).strip())
        except ValueError:
            pass
    hint = " (put it in quotes in a YAML file)" if kind == "str" else ""
    raise _Refused(f"which is not {TYPE_NAMES[kind]}{hint}", allowed_text(question))


def _render(env: SandboxedEnvironment, source: str, context: Mapping[str, object]) -> str:
    try:
        return env.from_string(source).render(**context).strip()
    except jinja2.TemplateError as error:
        raise TemplateError(
            "copier.yml has a Jinja expression that does not render",
            [Problem("copier.yml", source, "valid Jinja", f"copier.yml: {source!r}: {error}")],
        ) from error


def _default(
    env: SandboxedEnvironment, question: Question, context: Mapping[str, object]
) -> object:
    if isinstance(question.default, str):
        rendered = _render(env, question.default, context)
        return _cast(question, rendered) if question.type != "str" else rendered
    return question.default


def _applies(env: SandboxedEnvironment, question: Question, context: Mapping[str, object]) -> bool:
    if isinstance(question.when, bool):
        return question.when
    word = _render(env, str(question.when), context).lower()
    return word not in FALSE_WORDS | {"", "none", "null", "~"}


def _broken_rule(
    env: SandboxedEnvironment, question: Question, context: Mapping[str, object]
) -> str:
    if not question.validator:
        return ""
    return " ".join(_render(env, question.validator, context).split())


def _allowed_by_rule(
    env: SandboxedEnvironment, question: Question, context: Mapping[str, object]
) -> list[object]:
    """For a question with a fixed set of values: those its rule accepts, given the others."""
    candidates: list[object] = [choice.value for choice in question.choices]
    if question.type == "bool":
        candidates = [True, False]
    return [
        candidate
        for candidate in candidates
        if not _broken_rule(env, question, {**context, question.key: candidate})
    ]


def _unknown(key: str, value: object, template: Template) -> Problem:
    keys = [question.key for question in template.questions if not question.computed]
    allowed = ", ".join(keys)
    if any(question.key == key for question in template.questions):
        reason = f"given {shown(value)}, but it is computed from the other answers; leave it out"
    else:
        near = difflib.get_close_matches(key, keys, n=1)
        hint = f"did you mean {near[0]}? " if near else ""
        reason = f"unknown key (given {shown(value)}); {hint}allowed keys: {allowed}"
    return Problem(key, value, allowed, f"{key}: {reason}")


def _inapplicable(
    env: SandboxedEnvironment, question: Question, value: object, context: Mapping[str, object]
) -> Problem:
    condition = str(question.when).strip().removeprefix("{{").removesuffix("}}").strip()
    names = sorted(meta.find_undeclared_variables(env.parse(str(question.when))))
    now = ", ".join(f"{name} is {shown(context.get(name))}" for name in names)
    return Problem(
        question.key,
        value,
        "leave it out",
        f"{question.key}: given {shown(value)}, but it applies only when {condition} "
        f"(here {now}); leave it out",
    )


def _problem(key: str, value: object, refused: _Refused) -> Problem:
    return Problem(
        key,
        value,
        refused.allowed,
        f"{key}: given {shown(value)}, {refused.reason}; allowed: {refused.allowed}",
    )
