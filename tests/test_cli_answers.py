"""Giving answers without a terminal: an answers file (YAML or JSON), --set, --defaults."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import RENDERABLE, Result, as_sets, recorded_answers, run_authgen

ACME = {
    **RENDERABLE,
    "project_name": "Acme Portal",
    "database": "postgresql",
    "password_min_length": 12,
}


def answers_of(project: Path) -> dict[str, object]:
    return {k: v for k, v in recorded_answers(project).items() if not k.startswith("_")}


@pytest.mark.parametrize(
    ("name", "dump"),
    [
        pytest.param("answers.yml", yaml.safe_dump, id="yaml"),
        pytest.param("answers.json", json.dumps, id="json"),
    ],
)
def test_answers_file_renders_with_those_answers(
    cli: Callable[..., Result], tmp_path: Path, name: str, dump: Callable[[object], str]
) -> None:
    answers_file = tmp_path / name
    answers_file.write_text(dump(ACME))
    result = cli("new", tmp_path / "acme", "--answers-file", answers_file)
    assert result.code == 0, result.err
    assert answers_of(tmp_path / "acme") == {"auth_strategy": "sessions", **ACME}
    assert (tmp_path / "acme" / "src" / "acme_portal").is_dir()


def test_keys_not_given_take_their_defaults(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("new", tmp_path / "app", *as_sets(RENDERABLE))
    assert result.code == 0, result.err
    assert answers_of(tmp_path / "app") == {
        "project_name": "My App",
        "auth_strategy": "sessions",
        "database": "sqlite",
        "password_min_length": 15,
        **RENDERABLE,
    }


def test_set_overrides_the_file_key_by_key(cli: Callable[..., Result], tmp_path: Path) -> None:
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text(yaml.safe_dump(ACME))
    result = cli(
        "new", tmp_path / "app", "--answers-file", answers_file, "--set", "database=sqlite"
    )
    assert result.code == 0, result.err
    assert answers_of(tmp_path / "app") == {
        **ACME,
        "auth_strategy": "sessions",
        "database": "sqlite",
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("password_min_length=20", 20, id="int"),
        pytest.param("password_min_length= 9 ", 9, id="int-with-spaces"),
        pytest.param("google_oauth=no", False, id="bool-no"),
        pytest.param("google_oauth=FALSE", False, id="bool-false"),
        pytest.param("google_oauth=0", False, id="bool-0"),
        pytest.param("project_name=Acme Portal", "Acme Portal", id="str"),
    ],
)
def test_set_values_are_read_by_the_question_type(
    cli: Callable[..., Result], tmp_path: Path, given: str, expected: object
) -> None:
    key = given.partition("=")[0]
    result = cli("new", tmp_path / "app", *as_sets(RENDERABLE), "--set", given)
    assert result.code == 0, result.err
    assert answers_of(tmp_path / "app")[key] == expected


def test_set_splits_at_the_first_equals_sign(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("new", tmp_path / "app", *as_sets(RENDERABLE), "--set", "project_name=A=B")
    assert result.code == 2
    assert result.err_lines[0].startswith('authgen: project_name: given "A=B"; must start with')


def test_a_projects_answers_file_can_be_reused(cli: Callable[..., Result], tmp_path: Path) -> None:
    """Copier's bookkeeping keys (_src_path, _commit) are ignored."""
    first = cli("new", tmp_path / "first", *as_sets(ACME))
    assert first.code == 0, first.err
    again = cli(
        "new", tmp_path / "second", "--answers-file", tmp_path / "first/.copier-answers.yml"
    )
    assert again.code == 0, again.err
    assert answers_of(tmp_path / "second") == answers_of(tmp_path / "first")


def test_an_empty_answers_file_is_refused(cli: Callable[..., Result], tmp_path: Path) -> None:
    """Issue #12: it rendered every default without a word; --defaults says that on purpose."""
    empty = tmp_path / "empty.yml"
    empty.write_text("")
    with_file = cli("new", tmp_path / "a", "--answers-file", empty, *as_sets(RENDERABLE))
    assert with_file.code == 2
    assert "holds no answers (it is empty)" in with_file.err
    assert not (tmp_path / "a").exists()


def test_defaults_alone(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("new", tmp_path / "app", "--defaults")
    assert result.code == 0, result.err
    recorded = answers_of(tmp_path / "app")
    assert (recorded["auth_strategy"], recorded["google_oauth"]) == ("sessions", True)


def test_defaults_with_the_missing_answers_renders(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("new", tmp_path / "app", "--defaults", *as_sets(RENDERABLE))
    assert result.code == 0, result.err
    assert answers_of(tmp_path / "app")["database"] == "sqlite"


def test_answers_file_from_the_command_line(tmp_path: Path) -> None:
    """End to end, as a user runs it: `python -m authgen new app --answers-file answers.json`."""
    (tmp_path / "answers.json").write_text(json.dumps(ACME))
    result = run_authgen("new", "app", "--answers-file", "answers.json", cwd=tmp_path)
    assert result.code == 0, result.err
    assert "Rendered Acme Portal (sessions, postgresql)" in result.out
    assert "cd app" in result.out
    assert answers_of(tmp_path / "app") == {"auth_strategy": "sessions", **ACME}
