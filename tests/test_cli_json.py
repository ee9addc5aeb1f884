"""--json: exactly one JSON object on stdout, for success and for every kind of error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import RENDERABLE, Result, as_sets, recorded_answers


def test_success_object(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    values = {**RENDERABLE, "project_name": "Acme Portal", "database": "postgresql"}
    result = cli("new", "acme", *as_sets(values), "--json")
    assert result.code == 0, result.err
    payload = result.json()
    assert sorted(payload) == ["answers", "destination", "next_steps"]
    assert payload["destination"] == str(tmp_path / "acme")
    recorded = recorded_answers(tmp_path / "acme")
    assert payload["answers"] == {k: v for k, v in recorded.items() if not k.startswith("_")}
    assert payload["answers"] == {
        "project_name": "Acme Portal",
        "auth_strategy": "sessions",
        "database": "postgresql",
        "google_oauth": False,
        "totp": False,
        "passkeys": False,
        "password_min_length": 15,
    }
    assert payload["next_steps"] == [
        "cd acme",
        "uv run alembic upgrade head",
        "uv run uvicorn acme_portal.main:app",
    ]
    assert "Rendered Acme Portal" in result.err  # human text goes to stderr


def test_destination_with_spaces_is_quoted_in_next_steps(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("new", "my app", *as_sets(RENDERABLE), "--json")
    assert result.code == 0, result.err
    assert result.json()["next_steps"][0] == "cd 'my app'"


def test_answers_error_object(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli(
        "new", tmp_path / "app", "--json", *as_sets(RENDERABLE),
        "--set", "database=mysql", "--set", "colour=red",
    )  # fmt: skip
    assert result.code == 2
    payload = result.json()
    assert payload["error"] == "answers refused (2 problems); nothing was written"
    assert payload["problems"] == [
        {
            "key": "colour",
            "given": "red",
            "allowed": "project_name, auth_strategy, database, google_oauth, totp, passkeys, "
            "password_min_length, jwt_algorithm, jwt_revocation",
            "message": 'colour: unknown key (given "red"); allowed keys: project_name, '
            "auth_strategy, database, google_oauth, totp, passkeys, password_min_length, "
            "jwt_algorithm, jwt_revocation",
        },
        {
            "key": "database",
            "given": "mysql",
            "allowed": "sqlite, postgresql",
            "message": 'database: given "mysql", which is not one of the choices; '
            "allowed: sqlite, postgresql",
        },
    ]
    assert len(result.err_lines) == 2
    assert not (tmp_path / "app").exists()


def test_rule_error_names_what_the_rule_allows(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("new", tmp_path / "app", "--json", "--set", "password_min_length=65")
    assert result.code == 2
    [problem] = result.json()["problems"]
    assert problem["key"] == "password_min_length"
    assert problem["given"] == "65"
    assert problem["allowed"] == "must be a whole number from 8 to 64"


@pytest.mark.parametrize(
    ("args", "key"),
    [
        pytest.param(["new", "--json"], "usage", id="usage"),
        pytest.param(
            ["new", "{dest}", "--json", "--answers-file", "{dest}.yml"],
            "--answers-file",
            id="answers-file",
        ),
        pytest.param(["new", "{dest}", "--json", "--set", "nokey"], "--set", id="set"),
        pytest.param(["new", "{dest}", "--json"], "answers", id="no-answers"),
    ],
)
def test_every_error_is_one_json_object(
    cli: Callable[..., Result], tmp_path: Path, args: list[str], key: str
) -> None:
    destination = str(tmp_path / "app")
    result = cli(*[arg.format(dest=destination) for arg in args])
    assert result.code == 2
    payload = result.json()
    assert isinstance(payload["error"], str)
    assert payload["error"]
    assert [problem["key"] for problem in payload["problems"]] == [key]
    assert set(payload["problems"][0]) == {"key", "given", "allowed", "message"}


def test_destination_error_object(cli: Callable[..., Result], tmp_path: Path) -> None:
    destination = tmp_path / "app"
    destination.mkdir()
    (destination / "README.md").write_text("mine")
    result = cli("new", destination, *as_sets(RENDERABLE), "--json", "--force")
    assert result.code == 2
    payload = result.json()
    assert payload["problems"] == [
        {
            "key": "DEST",
            "given": str(destination / "README.md"),
            "allowed": "a DEST without the project's files",
            "message": f"DEST: {destination / 'README.md'} already exists and authgen never "
            "overwrites a file; move it away or choose another DEST",
        }
    ]


def test_rendering_into_the_current_directory_needs_no_cd(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli("new", ".", *as_sets(RENDERABLE), "--json")
    assert result.code == 0, result.err
    payload = result.json()
    assert payload["destination"] == str(tmp_path)
    assert payload["next_steps"][0] == "uv run alembic upgrade head"
    assert (tmp_path / ".env").is_file()
