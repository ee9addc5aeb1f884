"""The generated project's docs: docs/auth.md, the decision record and AGENTS.md, for each
strategy. Every path they name exists, every setting they name is one the app reads, and the
decision record carries the help-me-decide reasons when there are some."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from authgen import advisor, answers, questions, render
from conftest import RENDERABLE, REPO, Rendered

DOCS = ("docs/auth.md", "docs/decisions/0001-auth-strategy.md", "AGENTS.md")
PACKAGE = "acme_portal"
TEMPLATE = questions.load(REPO)

CASES = [
    pytest.param({"auth_strategy": "sessions", "google_oauth": False}, id="sessions"),
    pytest.param({"auth_strategy": "sessions", "google_oauth": True}, id="sessions-google"),
    pytest.param(
        {"auth_strategy": "jwt", "jwt_algorithm": "EdDSA", "jwt_revocation": "on_refresh"},
        id="jwt-eddsa-on-refresh",
    ),
    pytest.param(
        {
            "auth_strategy": "jwt",
            "jwt_algorithm": "HS256",
            "jwt_revocation": "every_request",
            "google_oauth": False,
        },
        id="jwt-hs256-every-request",
    ),
]


@pytest.fixture(params=CASES)
def project(
    request: pytest.FixtureRequest,
    rendered: Callable[[str, Mapping[str, object]], Rendered],
) -> tuple[Path, Mapping[str, object]]:
    values = {**RENDERABLE, "project_name": "Acme Portal", **request.param}
    name = "docs-" + "-".join(str(value) for value in request.param.values())
    return rendered(name, values).path, values


def test_the_docs_are_there_with_no_template_tags(
    project: tuple[Path, Mapping[str, object]],
) -> None:
    path, _ = project
    for doc in DOCS:
        text = (path / doc).read_text(encoding="utf-8")
        assert not re.search(r"\{\{|\{%|\{#|%\}|\}\}", text), doc
        assert text.endswith("\n"), doc
        assert not text.endswith("\n\n"), doc
        assert "\n\n\n" not in text, doc


def test_every_path_named_exists(project: tuple[Path, Mapping[str, object]]) -> None:
    path, _ = project
    source = path / "src" / PACKAGE
    for doc in DOCS:
        text = (path / doc).read_text(encoding="utf-8")
        named = set(re.findall(r"`([\w./-]+\.(?:py|md|html)|[\w-]+/(?:[\w-]+/)*)`", text))
        assert named, doc
        missing = [
            name
            for name in sorted(named)
            if not any((root / name).exists() for root in (path, source, path / "docs"))
            and "<" not in name
        ]
        assert missing == [], doc


def test_every_setting_named_is_read_by_the_app(
    project: tuple[Path, Mapping[str, object]],
) -> None:
    path, _ = project
    source = path / "src" / PACKAGE
    settings_text = "".join(
        file.read_text(encoding="utf-8") for file in sorted(source.rglob("*settings.py"))
    )
    for doc in ("docs/auth.md", "AGENTS.md"):
        text = (path / doc).read_text(encoding="utf-8")
        for variable in set(re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`", text)):
            assert f"{variable.lower()}:" in settings_text, f"{doc}: {variable}"


def test_auth_md_covers_each_flow(project: tuple[Path, Mapping[str, object]]) -> None:
    path, values = project
    text = (path / "docs" / "auth.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    expected = [
        "Register",
        "Sign in",
        "Each request",
        "Sign out",
        "Sign out everywhere, devices, password changes",
        "Protecting a new route",
        "Changing lifetimes and limits",
        "Before production",
    ]
    if values["auth_strategy"] == "jwt":
        expected += ["Refresh", "The signing keys"]
    if values["google_oauth"]:
        expected.append("Sign in with Google")
    assert set(expected) <= set(headings)
    assert ("Sign in with Google" in headings) == bool(values["google_oauth"])
    assert ("GOOGLE_CLIENT_ID" in text) == bool(values["google_oauth"])
    strategy_words = {"sessions": "coat-check ticket", "jwt": "signed badge"}
    assert strategy_words[str(values["auth_strategy"])] in text


def test_agents_md_states_the_rules(project: tuple[Path, Mapping[str, object]]) -> None:
    path, _ = project
    text = (path / "AGENTS.md").read_text(encoding="utf-8")
    for rule in (
        "Never store a raw token",
        "Never put a token in a URL or in localStorage",
        "Never weaken the cookie flags or the CSRF check",
        "Add a migration; never edit a shipped one",
    ):
        assert rule in text
    assert "uv run pytest" in text
    assert "SignedInUser" in text


def test_the_decision_record_names_the_choice_and_its_cost(
    project: tuple[Path, Mapping[str, object]],
) -> None:
    path, values = project
    text = (path / "docs" / "decisions" / "0001-auth-strategy.md").read_text(encoding="utf-8")
    title = text.splitlines()[0]
    assert ("sessions" in title) == (values["auth_strategy"] == "sessions")
    assert "## What this project gives up" in text
    assert "## Switching later" in text
    other = "jwt" if values["auth_strategy"] == "sessions" else "sessions"
    assert f"authgen update --set auth_strategy={other}" in text
    assert "chosen directly" in text  # no help-me-decide reasons were given
    if values["auth_strategy"] == "jwt":
        assert f"jwt_algorithm: {values['jwt_algorithm']}" in text
        assert f"jwt_revocation: {values['jwt_revocation']}" in text


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(advisor.Facts(True, False, False, "pages"), id="sessions"),
        pytest.param(advisor.Facts(True, True, True, "both"), id="jwt"),
    ],
)
def test_the_decision_record_quotes_the_reasons(tmp_path: Path, facts: advisor.Facts) -> None:
    recommendation = advisor.recommend(facts)
    reasons = list(recommendation.reasons)
    values = {**RENDERABLE, **recommendation.answers()}
    clean = answers.validate(TEMPLATE, values, notes={"decision_reasons": reasons})
    render.render(tmp_path / "app", clean, TEMPLATE)
    text = (tmp_path / "app" / "docs" / "decisions" / "0001-auth-strategy.md").read_text()
    flat = " ".join(text.split())
    assert 'authgen\'s "help me decide" questions' in flat
    for reason in reasons:
        assert f"- {reason}" in flat
    assert "chosen directly" not in flat
