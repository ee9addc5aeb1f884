"""Team defaults: a file of answers every project starts from (--defaults-file, or the file
$AUTHGEN_DEFAULTS_FILE names). Precedence: copier.yml < team defaults < answers file < --set."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from authgen.cli import DEFAULTS_ENV as ENV
from conftest import RENDERABLE, Result, as_sets, recorded_answers

ALL_KEYS = (
    "project_name, auth_strategy, database, google_oauth, totp, passkeys, password_min_length, "
    "jwt_algorithm, jwt_revocation"
)


def team_file(tmp_path: Path, values: dict[str, object], name: str = "team.yml") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(values) if name.endswith(".json") else yaml.safe_dump(values))
    return path


def answers_of(project: Path) -> dict[str, object]:
    return {k: v for k, v in recorded_answers(project).items() if not k.startswith("_")}


TEAM = {**RENDERABLE, "database": "postgresql", "password_min_length": 20}


@pytest.mark.parametrize("name", ["team.yml", "team.json"])
def test_team_defaults_replace_copier_ymls(
    cli: Callable[..., Result], tmp_path: Path, name: str
) -> None:
    team = team_file(tmp_path, TEAM, name)
    result = cli("new", tmp_path / "app", "--defaults-file", team, "--defaults")
    assert result.code == 0, result.err
    assert answers_of(tmp_path / "app") == {
        "project_name": "My App",
        "auth_strategy": "sessions",
        **TEAM,
    }


def test_answers_file_beats_team_defaults_and_set_beats_both(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    team = team_file(tmp_path, {**TEAM, "project_name": "Team Default"})
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text("project_name: From The File\npassword_min_length: 30\n")
    result = cli(
        "new", tmp_path / "app", "--defaults-file", team, "--answers-file", answers_file,
        "--set", "password_min_length=40",
    )  # fmt: skip
    assert result.code == 0, result.err
    answers = answers_of(tmp_path / "app")
    assert answers["project_name"] == "From The File"  # file over team
    assert answers["password_min_length"] == 40  # --set over file
    assert answers["database"] == "postgresql"  # team over copier.yml


def test_the_environment_names_the_team_file(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, str(team_file(tmp_path, TEAM)))
    result = cli("new", tmp_path / "app", "--defaults")
    assert result.code == 0, result.err
    assert answers_of(tmp_path / "app")["database"] == "postgresql"


def test_defaults_file_beats_the_environment(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, str(team_file(tmp_path, TEAM, "env.yml")))
    chosen = team_file(tmp_path, {**TEAM, "database": "sqlite"}, "flag.yml")
    result = cli("new", tmp_path / "app", "--defaults-file", chosen, "--defaults")
    assert result.code == 0, result.err
    assert answers_of(tmp_path / "app")["database"] == "sqlite"


def test_a_jwt_default_waits_for_a_jwt_project(cli: Callable[..., Result], tmp_path: Path) -> None:
    """A default for a question that does not apply is not used, and not refused."""
    team = team_file(tmp_path, {**RENDERABLE, "jwt_algorithm": "HS256"})
    sessions = cli("new", tmp_path / "sessions", "--defaults-file", team, "--defaults")
    assert sessions.code == 0, sessions.err
    assert "jwt_algorithm" not in answers_of(tmp_path / "sessions")
    jwt = cli(
        "new", tmp_path / "jwt", "--defaults-file", team, "--set", "auth_strategy=jwt", "--json"
    )
    assert jwt.code == 0, jwt.err
    assert jwt.json()["answers"]["jwt_algorithm"] == "HS256"


def test_decide_in_the_answers_file_beats_a_team_strategy(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    team = team_file(tmp_path, {**RENDERABLE, "auth_strategy": "jwt"})
    answers_file = tmp_path / "answers.yml"
    facts = {
        "cut_off_at_once": True,
        "verify_elsewhere": False,
        "many_servers_no_shared_store": False,
        "clients": "pages",
    }
    answers_file.write_text(yaml.safe_dump({"decide": facts}))
    result = cli(
        "new", tmp_path / "app", "--defaults-file", team, "--answers-file", answers_file, "--json"
    )
    assert result.code == 0, result.err
    assert result.json()["answers"]["auth_strategy"] == "sessions"


@pytest.mark.parametrize(
    ("content", "line"),
    [
        pytest.param(
            {"colour": "red"},
            f'colour: unknown key (given "red"); allowed keys: {ALL_KEYS}',
            id="unknown-key",
        ),
        pytest.param(
            {"database": "mysql"},
            'database: given "mysql", which is not one of the choices; allowed: sqlite, postgresql',
            id="not-a-choice",
        ),
        pytest.param(
            {"decide": {"clients": "api"}},
            "decide: describes one project, so it belongs in its answers file; leave it out here",
            id="decide",
        ),
    ],
)
def test_bad_team_defaults_are_refused_naming_the_file(
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    content: dict[str, object],
    line: str,
) -> None:
    team = team_file(tmp_path, content)
    by_flag = cli("new", tmp_path / "app", "--defaults-file", team, *as_sets(RENDERABLE))
    assert by_flag.code == 2
    assert by_flag.err_lines == [f"authgen: --defaults-file {team}: {line}"]
    monkeypatch.setenv(ENV, str(team))
    by_env = cli("new", tmp_path / "app", *as_sets(RENDERABLE))
    assert by_env.code == 2
    assert by_env.err_lines == [f"authgen: {ENV} {team}: {line}"]
    assert not (tmp_path / "app").exists()


def test_a_team_default_that_breaks_a_rule_is_named(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    team = team_file(tmp_path, {**RENDERABLE, "password_min_length": 99})
    result = cli("new", tmp_path / "app", "--defaults-file", team, "--defaults")
    assert result.code == 2
    assert result.err_lines == [
        f"authgen: --defaults-file {team}: password_min_length: given 99; must be a whole "
        "number from 8 to 64"
    ]


def test_missing_team_file_is_refused(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere.yml"
    result = cli("new", tmp_path / "app", "--defaults-file", missing, "--defaults")
    assert result.code == 2
    assert result.err_lines == [f"authgen: --defaults-file: {missing} does not exist"]
    monkeypatch.setenv(ENV, str(missing))
    result = cli("new", tmp_path / "app", "--defaults")
    assert result.err_lines == [f"authgen: {ENV}: {missing} does not exist"]


def test_team_file_problems_as_json(cli: Callable[..., Result], tmp_path: Path) -> None:
    team = team_file(tmp_path, {"database": "mysql"})
    result = cli("new", tmp_path / "app", "--defaults-file", team, "--defaults", "--json")
    assert result.code == 2
    assert result.json()["problems"] == [
        {
            "key": "database",
            "given": "mysql",
            "allowed": "sqlite, postgresql",
            "message": f'--defaults-file {team}: database: given "mysql", which is not one of '
            "the choices; allowed: sqlite, postgresql",
        }
    ]


def test_a_locked_answer_that_differs_is_refused(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    team = team_file(tmp_path, {**RENDERABLE, "database": "postgresql"})
    team.write_text(team.read_text() + "_locked: [database, password_min_length]\n")
    result = cli(
        "new", tmp_path / "app", "--defaults-file", team, "--defaults",
        "--set", "database=sqlite", "--set", "password_min_length=20",
    )  # fmt: skip
    assert result.code == 2
    assert result.err_lines == [
        f'authgen: database: given "sqlite", but --defaults-file {team} locks it to '
        '"postgresql"; allowed: "postgresql"',
        f"authgen: password_min_length: given 20, but --defaults-file {team} locks it to 15; "
        "allowed: 15",
    ]
    assert not (tmp_path / "app").exists()


def test_a_locked_answer_that_agrees_is_rendered(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = team_file(tmp_path, {**RENDERABLE, "database": "postgresql"})
    team.write_text(team.read_text() + "_locked: [database]\n")
    monkeypatch.setenv(ENV, str(team))
    result = cli("new", tmp_path / "app", "--defaults", "--set", "database=postgresql")
    assert result.code == 0, result.err
    assert answers_of(tmp_path / "app")["database"] == "postgresql"


@pytest.mark.parametrize(
    ("locked", "line"),
    [
        ("_locked: database\n", '_locked: given "database"; allowed: a list of keys among '
         f"{ALL_KEYS}"),
        ("_locked: [colour]\n", f'_locked: "colour" is not a question; allowed: {ALL_KEYS}'),
    ],
)  # fmt: skip
def test_a_malformed_lock_is_refused(
    cli: Callable[..., Result], tmp_path: Path, locked: str, line: str
) -> None:
    team = tmp_path / "team.yml"
    team.write_text(locked)
    result = cli("new", tmp_path / "app", "--defaults-file", team, "--defaults")
    assert result.code == 2
    assert result.err_lines == [f"authgen: --defaults-file {team}: {line}"]


def test_the_interview_does_not_ask_a_locked_answer() -> None:
    import io

    from authgen import interview, questions
    from conftest import REPO
    from test_interview import (
        ENTER,
        NO_GOOGLE,
        NO_PASSKEYS,
        NO_TOTP,
        PASSWORD,
        RENDER,
        SESSIONS,
        keyboard,
    )

    out = io.StringIO()
    with keyboard(ENTER, SESSIONS, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD, RENDER):
        result = interview.run(
            questions.load(REPO), Path("app"), defaults={"database": "postgresql"}, out=out,
            locked={"database": "postgresql"},
        )  # fmt: skip
    assert result.given["database"] == "postgresql"
    assert "Where the app stores users and sign-ins" not in out.getvalue()
