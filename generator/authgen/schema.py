"""The JSON Schema (draft 2020-12) of an answers file, derived from copier.yml and the advisor.

Pure. Every question that is asked becomes a property with its type, allowed values, default
and description; `decide` carries the "help me decide" facts instead of auth_strategy. The
rules of copier.yml's validators become schema keywords, so that a schema check accepts what
`authgen new` accepts and nothing else: a whole number's range (`minimum`, `maximum`, found by
asking the validator itself) and the project name's `pattern` (copier.yml's `name_pattern`,
minus every name whose package is one of its `reserved_names`).
"""

from __future__ import annotations

import re

from . import advisor, answers
from .questions import Question, Template

DIALECT = "https://json-schema.org/draft/2020-12/schema"
JSON_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
# The question whose validator checks copier.yml's name_pattern and reserved_names.
NAME_QUESTION = "project_name"
# Whole numbers from here are asked of a validator to find its range.
PROBE = range(-1000, 1001)
# What separates words of a project name; a run of them becomes one "_" in the package name.
SEPARATORS = "[ _-]"


def answers_schema(template: Template) -> dict[str, object]:
    """The schema of the mapping `authgen new --answers-file` reads (YAML or JSON)."""
    defaults = answers.defaults_of(template)
    asked = [question for question in template.questions if not question.computed]
    properties: dict[str, object] = {
        question.key: {
            **_property(question, defaults[question.key]),
            **_rule_keywords(template, question),
        }
        for question in asked
    }
    properties[answers.DECIDE] = _decide()
    rules: list[object] = [
        {
            "description": f"{answers.DECIDE} stands in for {advisor.STRATEGY}: give one or the "
            "other",
            "not": {"required": [advisor.STRATEGY, answers.DECIDE]},
        }
    ]
    for question in asked:
        condition = answers.condition(template, question.key)
        if condition:
            rules += _only_when(question.key, *condition, default=defaults[condition[0]])
    return {
        "$schema": DIALECT,
        "title": "authgen answers",
        "description": "The answers of `authgen new DEST --answers-file FILE` (YAML or JSON). "
        "Any answer not given takes its default. Keys starting with _ are ignored (Copier's "
        "bookkeeping), so a project's .copier-answers.yml is an answers file too.",
        "type": "object",
        "properties": properties,
        "patternProperties": {"^_": {}},
        "additionalProperties": False,
        "allOf": rules,
    }


def _property(question: Question, default: object) -> dict[str, object]:
    described = question.help
    if question.options:
        choices = "; ".join(f"{choice.value}: {choice.description}" for choice in question.options)
        described += f" Choices: {choices}"
    schema: dict[str, object] = {"type": JSON_TYPES[question.type]}
    if question.choices:
        schema["enum"] = [choice.value for choice in question.choices]
    return {**schema, "default": default, "description": described}


def _rule_keywords(template: Template, question: Question) -> dict[str, object]:
    """What the question's validator enforces, as schema keywords."""
    if not question.validator:
        return {}
    if question.type == "int":
        found = answers.accepted_range(template, question.key, PROBE)
        return {"minimum": found[0], "maximum": found[1]} if found else {}
    if question.key == NAME_QUESTION:
        return {"pattern": name_pattern(template)}
    return {}


def name_pattern(template: Template) -> str:
    """copier.yml's name_pattern, refusing every name whose package is a reserved name.

    The package is the name in lower case with each run of separators made one "_" and the
    trailing ones dropped, so "Class", "class_" and "CLASS -" all give the package "class".
    """
    computed = {question.key: question.default for question in template.questions}
    base = str(computed["name_pattern"])
    listed = computed["reserved_names"]
    reserved = [str(name) for name in listed] if isinstance(listed, list) else []
    spelled = "|".join(_any_case(name) for name in sorted(reserved, key=lambda n: (-len(n), n)))
    return f"^(?!(?:{spelled}){SEPARATORS}*$){base}"


def _any_case(name: str) -> str:
    parts = []
    for character in name:
        if character == "_":
            parts.append(f"{SEPARATORS}+")
        elif character.isalpha():
            parts.append(f"[{character.lower()}{character.upper()}]")
        else:
            parts.append(re.escape(character))
    return "".join(parts)


def _decide() -> dict[str, object]:
    properties: dict[str, object] = {}
    for fact in advisor.FACTS:
        described = f"{fact.question} {fact.help}"
        if fact.values == (True, False):
            properties[fact.key] = {"type": "boolean", "description": described}
            continue
        choices = "; ".join(f"{option.value}: {option.description}" for option in fact.options)
        properties[fact.key] = {
            "type": "string",
            "enum": list(fact.values),
            "description": f"{described} Choices: {choices}",
        }
    return {
        "type": "object",
        "description": "Help me decide: facts about the project instead of an auth_strategy. "
        "authgen recommends sessions or jwt from them (and for jwt a jwt_algorithm and a "
        "jwt_revocation, unless given), applies it, and records the reasons in the project's "
        "docs/decisions/0001-auth-strategy.md; with --json the output's `decision` reports it.",
        "properties": properties,
        "required": [fact.key for fact in advisor.FACTS],
        "additionalProperties": False,
    }


def _only_when(
    key: str, other: str, values: tuple[object, ...], *, default: object
) -> list[object]:
    """`key` is refused unless `other` is one of `values` (given, or by default)."""
    shown = " or ".join(str(value) for value in values)
    rules: list[object] = [
        {
            "description": f"{key} applies only when {other} is {shown}",
            "if": {"required": [other], "properties": {other: {"not": {"enum": list(values)}}}},
            "then": {"properties": {key: False}},
        }
    ]
    if default not in values:
        # Not given: the default applies, unless `decide` chooses the strategy.
        given = [{"required": [other]}]
        if other == advisor.STRATEGY:
            given.append({"required": [answers.DECIDE]})
        rules.append(
            {
                "description": f"{key} applies only when {other} is {shown}, and {other} "
                f"defaults to {default}",
                "if": {"not": {"anyOf": given}},
                "then": {"properties": {key: False}},
            }
        )
    return rules
