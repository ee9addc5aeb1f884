"""Check a mapping of answers against the questions: clean answers, or every problem at once.

Pure: no files, no terminal. The rules (ranges, "not available yet") are copier.yml's own
validators, rendered here the way Copier renders them, so each rule is written once. A team's
defaults take the place of copier.yml's defaults; the interview walks the same questions with
`pending` and `read_one`.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import jinja2
import yaml
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from .errors import AnswersError, LockedError, Problem, TemplateError, shown
from .questions import Question, Template

TRUE_WORDS = frozenset({"true", "yes", "y", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "n", "off", "0"})
TYPE_NAMES = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "yaml": "YAML",
}
# The answers file's alternative to auth_strategy: the "help me decide" facts (see advisor.py).
DECIDE = "decide"


@dataclass(frozen=True)
class Answers:
    """`values`: what the project records (every question that applies), in question order.
    `derived`: what Copier computes from them and never records (e.g. package_name).
    `notes`: what authgen passes to computed questions itself (decision_reasons); Copier renders
    with it and records none of it."""

    values: dict[str, object]
    derived: dict[str, object]
    notes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Ask:
    """The next question of the interview: its default given the answers so far, and for each
    option its rule refuses now (e.g. "not available yet"), the rule's words."""

    question: Question
    default: object
    refused: dict[object, str]


class _Refused(Exception):
    def __init__(self, reason: str, allowed: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.allowed = allowed


def validate(
    template: Template,
    given: Mapping[str, object],
    *,
    defaults: Mapping[str, object] | None = None,
    notes: Mapping[str, object] | None = None,
) -> Answers:
    """Return the clean answers for `given`, or raise AnswersError naming every problem.

    Keys starting with "_" are Copier's bookkeeping (`_src_path`, `_commit`) and are ignored,
    so a project's .copier-answers.yml can be reused as an answers file. Strings are read by
    the question's type ("15" is a number, "no" is false), as `--set` gives only strings.
    `defaults` (from `team_defaults`) replace copier.yml's defaults; `notes` are the values of
    computed questions that authgen supplies (decision_reasons).
    """
    env = template.jinja_env()
    team = defaults or {}
    notes = dict(notes or {})
    _check_notes(template, notes)
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
        value = _value(env, question, context, parsed, team)
        context[key] = value
        if question.computed:
            derived[key] = notes.get(key, value)
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
            elif key in team:
                message = f"{key}: not given, so it takes the team default {shown(value)}; {rule}"
            else:
                message = f"{key}: not given, so it takes its default {shown(value)}; {rule}"
            problems.append(Problem(key, given.get(key, value), allowed, message))
    if problems:
        raise AnswersError.refusing(problems)
    return Answers(values=values, derived=derived, notes=notes)


def team_defaults(
    template: Template, given: Mapping[str, object], source: str
) -> dict[str, object]:
    """A team's defaults, read by each question's type: they replace copier.yml's defaults.

    Unknown keys and values of the wrong type or not among the choices are refused, each
    message naming `source` (the file). The rules of copier.yml are checked later, on the
    answers they end up in; a default for a question that does not apply (jwt_algorithm in a
    sessions project) is simply not used. `decide` describes one project, so it is refused.
    """
    questions = {question.key: question for question in template.questions}
    parsed: dict[str, object] = {}
    problems = []
    for key, value in given.items():
        key = str(key)
        if key.startswith("_"):
            continue
        question = questions.get(key)
        if key == DECIDE:
            reason = "describes one project, so it belongs in its answers file; leave it out here"
            problem = Problem(key, value, "leave it out", f"{key}: {reason}")
        elif question is None or question.computed:
            problem = _unknown(key, value, template)
        else:
            try:
                parsed[key] = _parse(question, value)
                continue
            except _Refused as refusal:
                problem = _problem(key, value, refusal)
        problems.append(replace(problem, message=f"{source}: {problem.message}"))
    problems += [
        replace(problem, message=f"{source}: {problem.message}")
        for problem in _team_rules(template, parsed)
    ]
    if problems:
        raise AnswersError.refusing(problems)
    return parsed


def _team_rules(template: Template, team: Mapping[str, object]) -> list[Problem]:
    """The rules of copier.yml that the team's own values break, each value checked with the
    other team defaults (and copier.yml's) around it, so a file with several problems gets all
    of them named at once."""
    env = template.jinja_env()
    context: dict[str, object] = {}
    for question in template.questions:
        context[question.key] = _value(env, question, context, {}, team)
    problems = []
    for question in template.questions:
        key = question.key
        if key not in team or not _applies(env, question, context):
            continue
        rule = _broken_rule(env, question, context)
        if rule:
            message = f"{key}: given {shown(team[key])}; {rule}"
            problems.append(Problem(key, team[key], rule, message))
    return problems


def accepted_range(template: Template, key: str, probe: range) -> tuple[int, int] | None:
    """For a whole-number question: the one contiguous run of `probe` its rule accepts (given
    the defaults of the other answers), when the rule accepts exactly such a run inside it."""
    [question] = [question for question in template.questions if question.key == key]
    rule = template.jinja_env().from_string(question.validator)
    context = defaults_of(template)
    accepted = [number for number in probe if not rule.render(**{**context, key: number}).strip()]
    if not accepted or accepted[-1] - accepted[0] + 1 != len(accepted):
        return None
    if accepted[0] == probe[0] or accepted[-1] == probe[-1]:
        return None  # open at one end: not a range this probe can name
    return accepted[0], accepted[-1]


LOCKED = "_locked"


def locked_keys(template: Template, given: Mapping[str, object], source: str) -> tuple[str, ...]:
    """The keys a team's defaults file locks (`_locked: [database, ...]`), each one a question
    that is asked; anything else is refused naming `source`."""
    listed = given.get(LOCKED)
    if listed is None:
        return ()
    keys = [question.key for question in template.questions if not question.computed]
    allowed = f"a list of keys among {', '.join(keys)}"
    if not isinstance(listed, list):
        message = f"{source}: {LOCKED}: given {shown(listed)}; allowed: {allowed}"
        raise AnswersError.refusing([Problem(LOCKED, listed, allowed, message)])
    problems = [
        Problem(
            LOCKED,
            key,
            allowed,
            f"{source}: {LOCKED}: {shown(key)} is not a question; allowed: {', '.join(keys)}",
        )
        for key in listed
        if key not in keys
    ]
    if problems:
        raise AnswersError.refusing(problems)
    return tuple(str(key) for key in listed)


def check_locks(
    template: Template,
    chosen: Answers,
    team: Mapping[str, object],
    locked: tuple[str, ...],
    source: str,
) -> None:
    """Refuse answers that differ from what the team locks: the team's default for the key, or
    copier.yml's when the team gives none. A locked key that does not apply is not checked."""
    defaults = defaults_of(template)
    problems = []
    for key in locked:
        if key not in chosen.values:
            continue
        value = team.get(key, defaults[key])
        if chosen.values[key] != value:
            message = (
                f"{key}: given {shown(chosen.values[key])}, but {source} locks it to "
                f"{shown(value)}; allowed: {shown(value)}"
            )
            problems.append(Problem(key, chosen.values[key], shown(value).strip('"'), message))
    if problems:
        count = f"{len(problems)} locked answer{'s' if len(problems) > 1 else ''}"
        raise LockedError(f"answers refused ({count} differ); nothing was written", problems)


def pending(
    template: Template,
    so_far: Mapping[str, object],
    *,
    defaults: Mapping[str, object] | None = None,
) -> tuple[dict[str, object], Ask | None]:
    """Walk the questions in order with the answers so far (already read by `read_one`).

    Returns those answers that still apply (switching back to sessions drops jwt_algorithm),
    and the first question that applies and has no answer yet, or None when all are answered.
    """
    env = template.jinja_env()
    team = defaults or {}
    context: dict[str, object] = {}
    kept: dict[str, object] = {}
    ask = None
    for question in template.questions:
        key = question.key
        context[key] = _value(env, question, context, so_far, team)
        if question.computed or not _applies(env, question, context):
            continue
        if key in so_far:
            kept[key] = so_far[key]
        elif ask is None:
            ask = _ask(env, question, context)
    return kept, ask


def read_one(
    template: Template,
    key: str,
    value: object,
    so_far: Mapping[str, object],
    *,
    defaults: Mapping[str, object] | None = None,
) -> object:
    """One answer given at the interview, read by its question's type and checked against its
    rule with the answers so far: the clean value, or AnswersError with its one problem."""
    [question] = [question for question in template.questions if question.key == key]
    try:
        parsed = _parse(question, value)
    except _Refused as refusal:
        raise AnswersError.refusing([_problem(key, value, refusal)]) from None
    env = template.jinja_env()
    team = defaults or {}
    context: dict[str, object] = {}
    answered = {**so_far, key: parsed}
    for each in template.questions:
        context[each.key] = _value(env, each, context, answered, team)
    rule = _broken_rule(env, question, context)
    if rule:
        message = f"{key}: given {shown(value)}; {rule}"
        raise AnswersError.refusing([Problem(key, value, rule, message)])
    return parsed


def defaults_of(template: Template) -> dict[str, object]:
    """copier.yml's default of every question that is asked, each given the defaults before it."""
    env = template.jinja_env()
    context: dict[str, object] = {}
    for question in template.questions:
        context[question.key] = _default(env, question, context)
    return {
        question.key: context[question.key]
        for question in template.questions
        if not question.computed
    }


def condition(template: Template, key: str) -> tuple[str, tuple[object, ...]] | None:
    """For a question asked only when another question has certain values (jwt_algorithm: when
    auth_strategy is jwt): that other question's key and those values. None when the question
    is always asked, or when its `when` involves more than one question with options."""
    env = template.jinja_env()
    questions = {question.key: question for question in template.questions}
    question = questions[key]
    if question.when is True:
        return None
    names = meta.find_undeclared_variables(env.parse(str(question.when)))
    other = questions.get(next(iter(names))) if len(names) == 1 else None
    if other is None or not other.options:
        return None
    context = defaults_of(template)
    values = tuple(
        option.value
        for option in other.options
        if _applies(env, question, {**context, other.key: option.value})
    )
    return other.key, values


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
        if not isinstance(value, str):
            # A typed value (YAML's 1, JSON's 0) is not a word: only true and false are booleans.
            raise _Refused("which is not true or false", "true or false")
        word = value.strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise _Refused("which is not true or false", "true or false (or yes/no, on/off, 1/0)")
    if kind == "int" and not isinstance(value, bool | float):
        try:
            return int(str(value).strip())
        except ValueError:
            pass
    if kind == "yaml":
        return yaml.safe_load(value) if isinstance(value, str) else value
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


def _value(
    env: SandboxedEnvironment,
    question: Question,
    context: Mapping[str, object],
    given: Mapping[str, object],
    team: Mapping[str, object],
) -> object:
    """The answer given, else the team's default, else copier.yml's default."""
    if question.key in given:
        return given[question.key]
    if question.key in team:
        return team[question.key]
    return _default(env, question, context)


def _ask(env: SandboxedEnvironment, question: Question, context: Mapping[str, object]) -> Ask:
    refused = {}
    for option in question.options:
        rule = _broken_rule(env, question, {**context, question.key: option.value})
        if rule:
            refused[option.value] = rule
    default = context[question.key]
    allowed = [option.value for option in question.options if option.value not in refused]
    if default in refused and allowed:
        default = allowed[0]
    return Ask(question, default, refused)


def _check_notes(template: Template, notes: Mapping[str, object]) -> None:
    computed = {question.key for question in template.questions if question.computed}
    for key in notes:
        if key not in computed:
            raise TemplateError(
                "authgen passes data to a question copier.yml does not compute",
                [
                    Problem(
                        key,
                        notes[key],
                        ", ".join(sorted(computed)),
                        f"copier.yml: {key} is not a computed question (when: false)",
                    )
                ],
            )


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
