"""At a terminal with no answers given, the questions are asked there (Copier's prompts, until
authgen's own interview lands)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from conftest import REPO, recorded_answers

pexpect = pytest.importorskip("pexpect")


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "PYTHONPATH": str(REPO / "generator"), "TERM": "xterm"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "authgen", "new", *args],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 200),
    )


def test_questions_are_asked_at_a_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, "app")
    child.expect("human name")
    child.send("\x15Acme Portal\r")  # clear the default, type a name
    for question in ("remembers who is signed in", "stores users", "Sign in with Google"):
        child.expect(question)
        child.send("\r")  # the offered default
    child.expect("shortest password")
    child.send("\x1512\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    answers = recorded_answers(tmp_path / "app")
    assert answers["project_name"] == "Acme Portal"
    assert answers["google_oauth"] is False  # offered as the default while it is not available
    assert answers["password_min_length"] == 12
    assert (tmp_path / "app" / ".env").is_file()


def test_ctrl_c_at_a_question_writes_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path, "app")
    child.expect("human name")
    child.send("\r")
    child.expect("remembers who is signed in")
    child.sendintr()
    child.expect("authgen: interrupted; nothing was written")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert list(tmp_path.iterdir()) == []
