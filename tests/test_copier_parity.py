"""The repository is a plain Copier template: `copier copy` gives what `authgen new` gives."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import RENDERABLE, REPO, Result, as_sets, same_project

ANSWER_SETS = [
    pytest.param(RENDERABLE, id="defaults"),
    pytest.param(
        {
            **RENDERABLE,
            "project_name": "Acme Portal",
            "database": "postgresql",
            "password_min_length": 12,
        },
        id="acme-postgresql",
    ),
]


@pytest.mark.parametrize("values", ANSWER_SETS)
def test_copier_copy_gives_the_same_project(
    cli: Callable[..., Result], tmp_path: Path, values: dict[str, object]
) -> None:
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text(yaml.safe_dump(values))
    assert cli("new", tmp_path / "by-authgen", "--answers-file", answers_file).code == 0
    # HEAD plus uncommitted changes, as authgen renders a checkout (plain `copier copy` would
    # take the latest release tag, once there is one).
    subprocess.run(
        [
            sys.executable, "-m", "copier", "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD",
            "--data-file", str(answers_file), str(REPO), str(tmp_path / "by-copier"),
        ],
        check=True, stdin=subprocess.DEVNULL, capture_output=True,
    )  # fmt: skip
    assert not (tmp_path / "by-copier" / ".env").exists()  # only authgen writes secrets
    same_project(tmp_path / "by-authgen", tmp_path / "by-copier")


def test_renders_are_reproducible(cli: Callable[..., Result], tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert cli("new", tmp_path / name, *as_sets(RENDERABLE)).code == 0
    same_project(tmp_path / "one", tmp_path / "two")


def test_copier_copy_takes_the_decision_reasons_as_data(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The help-me-decide reasons reach the docs as Copier data, so plain Copier can give them."""
    facts = {
        "cut_off_at_once": True,
        "verify_elsewhere": True,
        "many_servers_no_shared_store": False,
        "clients": "api",
    }
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text(yaml.safe_dump({**RENDERABLE, "decide": facts}))
    result = cli("new", tmp_path / "by-authgen", "--answers-file", answers_file, "--json")
    assert result.code == 0, result.err
    payload = result.json()
    data_file = tmp_path / "data.yml"
    data = {**payload["answers"], "decision_reasons": payload["decision"]["reasons"]}
    data_file.write_text(yaml.safe_dump(data))
    subprocess.run(
        [
            sys.executable, "-m", "copier", "copy", "--quiet", "--defaults", "--vcs-ref", "HEAD",
            "--data-file", str(data_file), str(REPO), str(tmp_path / "by-copier"),
        ],
        check=True, stdin=subprocess.DEVNULL, capture_output=True,
    )  # fmt: skip
    same_project(tmp_path / "by-authgen", tmp_path / "by-copier")
