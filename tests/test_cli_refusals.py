"""Every refusal: exit 2, one line per problem (key, what was given, what is allowed), no
traceback, and nothing written."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from authgen.cli import main
from conftest import RENDERABLE, Result, as_sets, run_authgen

ALL_KEYS = "project_name, auth_strategy, database, google_oauth, totp, passkeys, "
ALL_KEYS += "password_min_length, jwt_algorithm, jwt_revocation"


def assert_refused(result: Result, *lines: str) -> None:
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert result.err_lines == [f"authgen: {line}" for line in lines]
    assert result.out == ""


ANSWER_REFUSALS = [
    pytest.param(
        ["colour=red"],
        f'colour: unknown key (given "red"); allowed keys: {ALL_KEYS}',
        id="unknown-key",
    ),
    pytest.param(
        ["databse=sqlite"],
        f'databse: unknown key (given "sqlite"); did you mean database? allowed keys: {ALL_KEYS}',
        id="misspelt-key",
    ),
    pytest.param(
        ["package_name=acme"],
        'package_name: given "acme", but it is computed from the other answers; leave it out',
        id="computed-key",
    ),
    pytest.param(
        ["password_min_length=abc"],
        'password_min_length: given "abc", which is not a whole number; allowed: a whole number',
        id="int-not-a-number",
    ),
    pytest.param(
        ["password_min_length=12.5"],
        'password_min_length: given "12.5", which is not a whole number; allowed: a whole number',
        id="int-not-whole",
    ),
    pytest.param(
        ["google_oauth=maybe"],
        'google_oauth: given "maybe", which is not true or false; '
        "allowed: true or false (or yes/no, on/off, 1/0)",
        id="bool-not-a-bool",
    ),
    pytest.param(
        ["database=mysql"],
        'database: given "mysql", which is not one of the choices; allowed: sqlite, postgresql',
        id="not-a-choice",
    ),
    pytest.param(
        ["password_min_length=7"],
        'password_min_length: given "7"; must be a whole number from 8 to 64',
        id="below-range",
    ),
    pytest.param(
        ["password_min_length=65"],
        'password_min_length: given "65"; must be a whole number from 8 to 64',
        id="above-range",
    ),
    pytest.param(
        ["project_name=2048 Portal"],
        'project_name: given "2048 Portal"; must start with a letter and use only letters, '
        'digits, spaces, "-" and "_" (at most 60 characters)',
        id="project-name-rule",
    ),
    pytest.param(
        ["jwt_algorithm=HS256"],
        "jwt_algorithm: given \"HS256\", but it applies only when auth_strategy == 'jwt' "
        '(here auth_strategy is "sessions"); leave it out',
        id="jwt-algorithm-with-sessions",
    ),
    pytest.param(
        ["jwt_revocation=every_request"],
        'jwt_revocation: given "every_request", but it applies only when '
        "auth_strategy == 'jwt' (here auth_strategy is \"sessions\"); leave it out",
        id="jwt-revocation-with-sessions",
    ),
]


@pytest.mark.parametrize(("assignments", "line"), ANSWER_REFUSALS)
def test_bad_answer_is_refused(
    cli: Callable[..., Result], tmp_path: Path, assignments: list[str], line: str
) -> None:
    sets = [arg for assignment in assignments for arg in ("--set", assignment)]
    result = cli("new", tmp_path / "app", *as_sets(RENDERABLE), *sets)
    assert_refused(result, line)
    assert not (tmp_path / "app").exists()


def test_every_problem_gets_its_own_line(cli: Callable[..., Result], tmp_path: Path) -> None:
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text("database: mysql\npassword_min_length: 99\ncolour: red\n")
    result = cli("new", tmp_path / "app", "--answers-file", answers_file, *as_sets(RENDERABLE))
    assert_refused(
        result,
        f'colour: unknown key (given "red"); allowed keys: {ALL_KEYS}',
        'database: given "mysql", which is not one of the choices; allowed: sqlite, postgresql',
        "password_min_length: given 99; must be a whole number from 8 to 64",
    )
    assert not (tmp_path / "app").exists()


def test_text_answer_of_another_type_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text("project_name: yes\n")
    result = cli("new", tmp_path / "app", "--answers-file", answers_file, *as_sets(RENDERABLE))
    assert_refused(
        result,
        "project_name: given true, which is not text (put it in quotes in a YAML file); "
        "allowed: text",
    )


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        pytest.param(
            "answers.yml",
            "project_name: [unclosed\n",
            "--answers-file: {path} is not valid YAML (expected ',' or ']', but got "
            "'<stream end>' at line 2, column 1)",
            id="bad-yaml",
        ),
        pytest.param(
            "answers.json",
            '{"database": }',
            "--answers-file: {path} is not valid JSON (Expecting value at line 1, column 14)",
            id="bad-json",
        ),
        pytest.param(
            "answers.yml",
            "- database\n- sqlite\n",
            "--answers-file: {path} holds a list, not a mapping of keys to answers",
            id="not-a-mapping",
        ),
    ],
)
def test_unreadable_answers_file_is_refused(
    cli: Callable[..., Result], tmp_path: Path, name: str, content: str, line: str
) -> None:
    answers_file = tmp_path / name
    answers_file.write_text(content)
    result = cli("new", tmp_path / "app", "--answers-file", answers_file)
    assert_refused(result, line.format(path=answers_file))
    assert not (tmp_path / "app").exists()


def test_missing_answers_file_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yml"
    result = cli("new", tmp_path / "app", "--answers-file", missing)
    assert_refused(result, f"--answers-file: {missing} does not exist")
    assert not (tmp_path / "app").exists()


def test_malformed_set_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("new", tmp_path / "app", "--set", "database", "--set", "=sqlite")
    assert_refused(
        result,
        "--set: given 'database'; allowed: KEY=VALUE, e.g. database=sqlite",
        "--set: given '=sqlite'; allowed: KEY=VALUE, e.g. database=sqlite",
    )


def test_no_answers_and_no_terminal_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("new", tmp_path / "app")
    assert_refused(
        result,
        "no answers given and stdin is not a terminal: pass --defaults, --answers-file FILE "
        "or --set KEY=VALUE",
    )
    assert not (tmp_path / "app").exists()


def test_json_without_answers_is_refused_even_at_a_terminal(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interview would write to stdout, which --json keeps for its one object."""

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    result = cli("new", tmp_path / "app", "--json")
    assert result.code == 2
    assert result.err_lines == [
        "authgen: no answers given and --json needs its answers up front: pass --defaults, "
        "--answers-file FILE or --set KEY=VALUE"
    ]
    assert not (tmp_path / "app").exists()


def test_non_empty_destination_is_refused_without_force(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    destination = tmp_path / "app"
    destination.mkdir()
    (destination / "notes.txt").write_text("mine")
    result = cli("new", destination, *as_sets(RENDERABLE))
    assert_refused(
        result,
        f"DEST: {destination} is not empty; give --force to add the project next to what is "
        "there (no existing file is ever overwritten)",
    )
    assert [path.name for path in destination.iterdir()] == ["notes.txt"]
    assert (destination / "notes.txt").read_text() == "mine"


def test_destination_that_is_a_file_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    destination = tmp_path / "app"
    destination.write_text("mine")
    result = cli("new", destination, *as_sets(RENDERABLE), "--force")
    assert_refused(result, f"DEST: {destination} exists and is not a directory")
    assert destination.read_text() == "mine"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(
            ["new"],
            "the following arguments are required: DEST (see authgen new --help)",
            id="no-dest",
        ),
        pytest.param(
            ["new", "app", "--frobnicate"],
            "unrecognized arguments: --frobnicate (see authgen --help)",
            id="unknown-flag",
        ),
        pytest.param(
            ["make", "app"],
            "argument COMMAND: invalid choice: 'make' (choose from new, update, explain, schema) "
            "(see authgen --help)",
            id="unknown-command",
        ),
    ],
)
def test_bad_usage_is_refused(
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    line: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.code == 2
    assert "Traceback" not in result.err
    # Python 3.12 stopped quoting the choices: 'new' there is new here.
    unquoted = [re.sub(r"'(new|update|explain|schema)'", r"\1", text) for text in result.err_lines]
    assert unquoted == [f"authgen: {line}"]
    assert list(tmp_path.iterdir()) == []


def test_refusal_from_the_command_line(tmp_path: Path) -> None:
    """End to end: a real process, stdin closed, two problems, nothing written."""
    result = run_authgen(
        "new", "app", "--set", "google_oauth=false", "--set", "database=mysql",
        "--set", "password_min_length=3", cwd=tmp_path,
    )  # fmt: skip
    assert_refused(
        result,
        'database: given "mysql", which is not one of the choices; allowed: sqlite, postgresql',
        'password_min_length: given "3"; must be a whole number from 8 to 64',
    )
    assert list(tmp_path.iterdir()) == []


def test_help_documents_force_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["new", "--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "no existing file is ever deleted or overwritten" in text
    for code in ("0 rendered", "2 bad usage or bad answers", "130 interrupted"):
        assert code in text
