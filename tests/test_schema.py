"""`authgen schema`: the JSON Schema of the answers file, derived from copier.yml and the advisor.

The schema, the answers' validation and copier.yml must not drift apart: the same keys, types,
choices and defaults, and answer sets accepted or refused alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from itertools import product
from pathlib import Path

import pytest

from authgen import advisor, answers, questions, schema
from authgen.errors import AnswersError
from conftest import RENDERABLE, REPO, Result, run_authgen

jsonschema = pytest.importorskip("jsonschema")

TEMPLATE = questions.load(REPO)
SCHEMA = schema.answers_schema(TEMPLATE)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
ASKED = [question for question in TEMPLATE.questions if not question.computed]

FACTS = [
    dict(zip([fact.key for fact in advisor.FACTS], row, strict=True))
    for row in product([True, False], [True, False], [True, False], ["pages", "api", "both"])
]


def accepted_by_authgen(given: Mapping[str, object]) -> bool:
    try:
        answers.validate(TEMPLATE, advisor.apply(given)[0])
    except AnswersError:
        return False
    return True


def test_schema_command_prints_the_schema(cli: Callable[..., Result]) -> None:
    result = cli("schema")
    assert result.code == 0, result.err
    assert json.loads(result.out) == SCHEMA


def test_schema_from_the_command_line(tmp_path: Path) -> None:
    result = run_authgen("schema", cwd=tmp_path)
    assert result.code == 0, result.err
    assert json.loads(result.out)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_it_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["additionalProperties"] is False
    assert SCHEMA["patternProperties"] == {"^_": {}}


def test_its_keys_are_copier_ymls_questions_and_decide() -> None:
    assert list(SCHEMA["properties"]) == [question.key for question in ASKED] + ["decide"]


@pytest.mark.parametrize("question", ASKED, ids=lambda question: question.key)
def test_each_property_mirrors_its_question(question: questions.Question) -> None:
    prop = SCHEMA["properties"][question.key]
    assert prop["type"] == schema.JSON_TYPES[question.type]
    assert prop["default"] == answers.defaults_of(TEMPLATE)[question.key]
    assert prop["default"] == question.default  # no Jinja in today's defaults
    assert prop["description"].startswith(question.help)
    if question.choices:
        assert prop["enum"] == [choice.value for choice in question.choices]
    for option in question.options:
        assert f"{option.value}: {option.description}" in prop["description"]


def test_decide_carries_the_advisors_facts() -> None:
    decide = SCHEMA["properties"]["decide"]
    assert decide["required"] == [fact.key for fact in advisor.FACTS]
    assert decide["additionalProperties"] is False
    for fact in advisor.FACTS:
        assert decide["properties"][fact.key]["description"].startswith(fact.question)
    assert decide["properties"]["clients"]["enum"] == ["pages", "api", "both"]


@pytest.mark.parametrize("question", ASKED, ids=lambda question: question.key)
def test_every_question_and_choice_is_explained(question: questions.Question) -> None:
    """copier.yml's help for each question; CHOICE_HELP for each of its choices (yes and no of
    a yes/no question), and nothing in CHOICE_HELP that copier.yml does not offer."""
    assert question.help
    offered = [option.value for option in question.options]
    assert all(option.description for option in question.options), question.key
    assert sorted(map(str, questions.CHOICE_HELP.get(question.key, {}))) == sorted(
        map(str, offered)
    )


def test_choice_help_names_only_questions_with_options() -> None:
    assert set(questions.CHOICE_HELP) == {question.key for question in ASKED if question.options}


def answer_sets() -> list[object]:
    """Every answer set the tests render or validate, and every one the interview can give."""
    sets: list[dict[str, object]] = [{}, dict(RENDERABLE)]
    for strategy, database, google in product(
        ["sessions", "jwt"], ["sqlite", "postgresql"], [True, False]
    ):
        values = {"project_name": "Acme Portal", "auth_strategy": strategy, "database": database}
        values["google_oauth"] = google
        if strategy == "jwt":
            sets += [
                {**values, "jwt_algorithm": algorithm, "jwt_revocation": revocation}
                for algorithm, revocation in product(
                    ["EdDSA", "HS256"], ["on_refresh", "every_request"]
                )
            ]
        sets.append(values)
    sets.append({**RENDERABLE, "database": "postgresql", "password_min_length": 12})
    sets.append({"_src_path": "/somewhere", "_commit": "abc123", "project_name": "Kept"})
    sets += [{"project_name": "Decided", "decide": facts} for facts in FACTS]
    return [pytest.param(values, id=json.dumps(values, sort_keys=True)[:80]) for values in sets]


@pytest.mark.parametrize("given", answer_sets())
def test_answer_sets_authgen_accepts_are_valid(given: dict[str, object]) -> None:
    assert accepted_by_authgen(given)
    assert list(VALIDATOR.iter_errors(given)) == []


@pytest.mark.parametrize(
    "given",
    [
        pytest.param({"colour": "red"}, id="unknown-key"),
        pytest.param({"database": "mysql"}, id="not-a-choice"),
        pytest.param({"google_oauth": "maybe"}, id="not-a-bool"),
        pytest.param({"password_min_length": "twelve"}, id="not-a-number"),
        pytest.param({"jwt_algorithm": "HS256"}, id="jwt-key-with-the-default-strategy"),
        pytest.param(
            {"auth_strategy": "sessions", "jwt_revocation": "every_request"},
            id="jwt-key-with-sessions",
        ),
        pytest.param({"auth_strategy": "jwt", "decide": FACTS[0]}, id="decide-and-strategy"),
        pytest.param({"decide": {"clients": "api"}}, id="decide-missing-facts"),
        pytest.param({"decide": {**FACTS[0], "budget": 1}}, id="decide-unknown-fact"),
        pytest.param({"decide": {**FACTS[0], "clients": "robots"}}, id="decide-not-a-choice"),
        pytest.param({"package_name": "acme"}, id="computed-key"),
        pytest.param({"decision_reasons": ["because"]}, id="never-an-answer"),
    ],
)
def test_answer_sets_authgen_refuses_are_invalid(given: dict[str, object]) -> None:
    assert not accepted_by_authgen(given)
    assert list(VALIDATOR.iter_errors(given)) != []
