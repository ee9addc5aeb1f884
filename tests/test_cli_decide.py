"""Agents: an answers file may carry the "help me decide" facts (`decide`) instead of an
auth_strategy; the recommendation is applied without a terminal and reported with --json."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import RENDERABLE, Result, recorded_answers, run_authgen

FACTS = {
    "cut_off_at_once": True,
    "verify_elsewhere": True,
    "many_servers_no_shared_store": False,
    "clients": "both",
}


def answers_file(tmp_path: Path, values: dict[str, object], name: str = "answers.yml") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(values) if name.endswith(".json") else yaml.safe_dump(values))
    return path


@pytest.mark.parametrize("name", ["answers.yml", "answers.json"])
def test_decide_renders_the_recommendation(
    cli: Callable[..., Result], tmp_path: Path, name: str
) -> None:
    given = answers_file(tmp_path, {**RENDERABLE, "decide": FACTS}, name)
    result = cli("new", tmp_path / "app", "--answers-file", given, "--json")
    assert result.code == 0, result.err
    payload = result.json()
    assert sorted(payload) == ["answers", "decision", "destination", "next_steps"]
    recommended = {
        "auth_strategy": "jwt",
        "jwt_algorithm": "EdDSA",
        "jwt_revocation": "every_request",
    }
    assert payload["decision"]["facts"] == FACTS
    assert payload["decision"]["recommended"] == recommended
    reasons = payload["decision"]["reasons"]
    assert any("pull against each other" in reason for reason in reasons)
    recorded = recorded_answers(tmp_path / "app")
    assert {key: recorded[key] for key in recommended} == recommended
    assert "decide" not in recorded
    assert "decision_reasons" not in recorded
    record = (tmp_path / "app" / "docs" / "decisions" / "0001-auth-strategy.md").read_text()
    flat = " ".join(record.split())
    for reason in reasons:
        assert reason in flat
    assert "help-me-decide reasons are in docs/decisions" in result.err  # human text: stderr


def test_without_decide_there_is_no_decision(cli: Callable[..., Result], tmp_path: Path) -> None:
    given = answers_file(tmp_path, {**RENDERABLE, "auth_strategy": "jwt"})
    result = cli("new", tmp_path / "app", "--answers-file", given, "--json")
    assert result.code == 0, result.err
    assert "decision" not in result.json()
    record = (tmp_path / "app" / "docs" / "decisions" / "0001-auth-strategy.md").read_text()
    assert "JWT" in record


def test_a_given_follow_up_wins_over_the_recommendation(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    values = {**RENDERABLE, "decide": FACTS, "jwt_revocation": "on_refresh"}
    result = cli(
        "new", tmp_path / "app", "--answers-file", answers_file(tmp_path, values), "--json"
    )
    assert result.code == 0, result.err
    payload = result.json()
    assert payload["answers"]["jwt_revocation"] == "on_refresh"
    assert payload["decision"]["recommended"]["jwt_revocation"] == "every_request"
    assert payload["decision"]["reasons"][-1] == (
        "jwt_revocation on_refresh was chosen instead of the recommended every_request."
    )


@pytest.mark.parametrize(
    ("values", "sets"),
    [
        pytest.param({"decide": FACTS, "auth_strategy": "jwt"}, [], id="both-in-the-file"),
        pytest.param({"decide": FACTS}, ["--set", "auth_strategy=sessions"], id="set-over-file"),
    ],
)
def test_decide_and_auth_strategy_together_are_refused(
    cli: Callable[..., Result], tmp_path: Path, values: dict[str, object], sets: list[str]
) -> None:
    given = answers_file(tmp_path, {**RENDERABLE, **values})
    result = cli("new", tmp_path / "app", "--answers-file", given, *sets, "--json")
    assert result.code == 2
    [problem] = result.json()["problems"]
    assert problem["key"] == "decide"
    assert problem["allowed"] == "decide or auth_strategy, not both"
    assert problem["given"] == FACTS
    assert not (tmp_path / "app").exists()


def test_bad_facts_are_each_a_json_problem(cli: Callable[..., Result], tmp_path: Path) -> None:
    facts = {"cut_off_at_once": "sometimes", "clients": "robots", "budget": 10}
    given = answers_file(tmp_path, {**RENDERABLE, "decide": facts})
    result = cli("new", tmp_path / "app", "--answers-file", given, "--json")
    assert result.code == 2
    payload = result.json()
    assert payload["error"] == "answers refused (5 problems); nothing was written"
    assert [(p["key"], p["given"], p["allowed"]) for p in payload["problems"]] == [
        (
            "decide.budget",
            10,
            "cut_off_at_once, verify_elsewhere, many_servers_no_shared_store, clients",
        ),
        ("decide.cut_off_at_once", "sometimes", "true, false"),
        ("decide.verify_elsewhere", None, "true, false"),
        ("decide.many_servers_no_shared_store", None, "true, false"),
        ("decide.clients", "robots", "pages, api, both"),
    ]
    assert len(result.err_lines) == 5
    assert not (tmp_path / "app").exists()


def test_a_follow_up_with_a_sessions_recommendation_is_refused(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    facts = {**FACTS, "verify_elsewhere": False, "clients": "pages"}
    values = {**RENDERABLE, "decide": facts, "jwt_algorithm": "HS256"}
    result = cli("new", tmp_path / "app", "--answers-file", answers_file(tmp_path, values))
    assert result.code == 2
    assert result.err_lines == [
        "authgen: jwt_algorithm: given \"HS256\", but it applies only when auth_strategy == 'jwt' "
        '(here auth_strategy is "sessions"); leave it out'
    ]


def test_decide_from_the_command_line(tmp_path: Path) -> None:
    """End to end, as an agent runs it: no terminal, a JSON answers file, --json."""
    facts = {**FACTS, "cut_off_at_once": False, "verify_elsewhere": False, "clients": "pages"}
    answers_file(tmp_path, {**RENDERABLE, "decide": facts}, "answers.json")
    result = run_authgen("new", "app", "--answers-file", "answers.json", "--json", cwd=tmp_path)
    assert result.code == 0, result.err
    payload = result.json()
    assert payload["answers"]["auth_strategy"] == "sessions"
    assert payload["decision"]["recommended"] == {"auth_strategy": "sessions"}
