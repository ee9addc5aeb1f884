"""copier.yml keeps the public contract's answers; the answers rules behave as documented."""

from __future__ import annotations

import pytest

from authgen import answers, questions
from authgen.errors import AnswersError
from conftest import RENDERABLE, REPO

# Sections 2 and 5 of the contract: key -> (type, allowed values or None, default, only for jwt).
CONTRACT = {
    "project_name": ("str", None, "My App", False),
    "auth_strategy": ("str", ["sessions", "jwt"], "sessions", False),
    "database": ("str", ["sqlite", "postgresql"], "sqlite", False),
    "google_oauth": ("bool", None, True, False),
    # Section 5: a second factor.
    "totp": ("bool", None, True, False),
    "passkeys": ("bool", None, True, False),
    "password_min_length": ("int", None, 15, False),
    "jwt_algorithm": ("str", ["EdDSA", "HS256"], "EdDSA", True),
    "jwt_revocation": ("str", ["on_refresh", "every_request"], "on_refresh", True),
}

TEMPLATE = questions.load(REPO)


def test_copier_yml_declares_the_contracts_answers() -> None:
    asked = {question.key: question for question in TEMPLATE.questions if not question.computed}
    assert list(asked) == list(CONTRACT)
    for key, (kind, values, default, only_jwt) in CONTRACT.items():
        question = asked[key]
        assert question.type == kind, key
        assert question.default == default, key
        assert question.help, f"{key} has no help text"
        if values is not None:
            assert [choice.value for choice in question.choices] == values, key
        assert (question.when is not True) == only_jwt, key


@pytest.mark.parametrize(
    ("project_name", "package"),
    [("My App", "my_app"), ("Acme Portal", "acme_portal"), ("ACME--Portal 2", "acme_portal_2")],
)
def test_package_name_is_the_snake_cased_project_name(project_name: str, package: str) -> None:
    clean = answers.validate(TEMPLATE, {**RENDERABLE, "project_name": project_name})
    assert clean.derived["package_name"] == package
    assert "package_name" not in clean.values


def test_jwt_answers_are_not_recorded_for_sessions() -> None:
    clean = answers.validate(TEMPLATE, RENDERABLE)
    assert "jwt_algorithm" not in clean.values
    assert "jwt_revocation" not in clean.values


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"password_min_length": "8"}, 8),
        ({"password_min_length": 64}, 64),
        ({"google_oauth": "off"}, False),
        ({"google_oauth": "N"}, False),
    ],
)
def test_strings_are_read_by_type(given: dict[str, object], expected: object) -> None:
    clean = answers.validate(TEMPLATE, {**RENDERABLE, **given})
    [key] = given
    assert clean.values[key] == expected


@pytest.mark.parametrize(
    "given",
    [
        {"password_min_length": True},  # a bool is not a number here
        {"password_min_length": 12.0},
        {"google_oauth": 2},
        {"database": None},
    ],
)
def test_values_of_the_wrong_type_are_refused(given: dict[str, object]) -> None:
    with pytest.raises(AnswersError) as refused:
        answers.validate(TEMPLATE, {**RENDERABLE, **given})
    assert [problem.key for problem in refused.value.problems] == list(given)


def test_decision_reasons_are_never_an_answer() -> None:
    """authgen passes them to the template itself; copier.yml computes nothing from them."""
    [question] = [q for q in TEMPLATE.questions if q.key == questions.DECISION_REASONS]
    assert question.computed
    assert question.type == "yaml"
    assert question.default == []
    clean = answers.validate(TEMPLATE, RENDERABLE, notes={"decision_reasons": ["because"]})
    assert clean.notes == {"decision_reasons": ["because"]}
    assert clean.derived["decision_reasons"] == ["because"]
    assert "decision_reasons" not in clean.values
