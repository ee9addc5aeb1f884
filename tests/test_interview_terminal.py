"""The interview in a real pseudo-terminal: `authgen new DEST` with nothing else, keys typed as a
person types them (arrow keys, Enter, Ctrl-C)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from authgen.cli import DEFAULTS_ENV
from conftest import REPO, recorded_answers

pexpect = pytest.importorskip("pexpect")

ENTER, DOWN, CLEAR = "\r", "\x1b[B", "\x15"


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "PYTHONPATH": str(REPO / "generator"), "TERM": "xterm"}
    env.pop(DEFAULTS_ENV, None)
    return pexpect.spawn(
        sys.executable,
        ["-m", "authgen", "new", *args],
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=60,
        dimensions=(50, 120),
    )


def answer(child: pexpect.spawn, *steps: tuple[str, str]) -> None:
    """Wait for each prompt, then type its keys."""
    for prompt, keys in steps:
        child.expect(prompt)
        child.send(keys)


def finished(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    return str(child.before)


NAME = ("project_name", CLEAR + "Acme Portal" + ENTER)
DATABASE = ("database", ENTER)
NO_GOOGLE = ("google_oauth", DOWN + ENTER)
NO_TOTP = ("totp", DOWN + ENTER)
NO_PASSKEYS = ("passkeys", DOWN + ENTER)
PASSWORD = ("password_min_length", CLEAR + "12" + ENTER)
RENDER = ("Render it", ENTER)


def test_sessions_at_a_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, "app")
    answer(
        child,
        NAME,
        ("auth_strategy", ENTER),
        DATABASE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        RENDER,
    )
    output = finished(child)
    assert child.exitstatus == 0, output
    answers = recorded_answers(tmp_path / "app")
    assert answers["project_name"] == "Acme Portal"
    assert answers["auth_strategy"] == "sessions"
    assert answers["google_oauth"] is False
    assert answers["password_min_length"] == 12
    assert "jwt_algorithm" not in answers
    assert (tmp_path / "app" / ".env").is_file()


def test_jwt_picked_with_the_arrow_keys(tmp_path: Path) -> None:
    child = spawn(tmp_path, "app")
    answer(
        child,
        NAME,
        ("auth_strategy", DOWN + ENTER),
        DATABASE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        ("jwt_algorithm", DOWN + ENTER),
        ("jwt_revocation", DOWN + ENTER),
    )
    child.expect("Summary")
    child.expect("jwt_revocation")  # the summary lists the follow-ups too
    answer(child, RENDER)
    child.expect(r"Rendered Acme Portal \(jwt, sqlite\)")
    output = finished(child)
    assert child.exitstatus == 0, output
    answers = recorded_answers(tmp_path / "app")
    assert answers["auth_strategy"] == "jwt"
    assert answers["jwt_algorithm"] == "HS256"
    assert answers["jwt_revocation"] == "every_request"
    assert (tmp_path / "app" / ".env").is_file()
    assert "{%" not in " ".join(path.name for path in (tmp_path / "app").rglob("*"))
    record = (tmp_path / "app" / "docs" / "decisions" / "0001-auth-strategy.md").read_text()
    assert "JWT" in record


def test_help_me_decide_at_a_terminal(tmp_path: Path) -> None:
    child = spawn(tmp_path, "app")
    answer(
        child,
        NAME,
        ("auth_strategy", DOWN + DOWN + ENTER),
        ("cut off a user", ENTER),  # yes
        ("verify who is signed in", DOWN + ENTER),  # no
        ("many servers", DOWN + ENTER),  # no
        ("Who calls the app", ENTER),  # browser pages
    )
    child.expect("Recommended: sessions, because:")
    answer(
        child, ("Your choice", ENTER), DATABASE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD, RENDER
    )
    output = finished(child)
    assert child.exitstatus == 0, output
    assert recorded_answers(tmp_path / "app")["auth_strategy"] == "sessions"
    record = (tmp_path / "app" / "docs" / "decisions" / "0001-auth-strategy.md").read_text()
    assert "You must be able to cut off a user or a device at once" in " ".join(record.split())


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param([], id="at-the-first-question"),
        pytest.param([NAME], id="at-the-strategy"),
        pytest.param([NAME, ("auth_strategy", DOWN + DOWN + ENTER)], id="in-help-me-decide"),
        pytest.param(
            [
                NAME,
                ("auth_strategy", DOWN + ENTER),
                DATABASE,
                NO_GOOGLE,
                NO_TOTP,
                NO_PASSKEYS,
                PASSWORD,
            ],
            id="at-a-follow-up",
        ),
        pytest.param(
            [NAME, ("auth_strategy", ENTER), DATABASE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD],
            id="at-the-summary",
        ),
    ],
)
def test_ctrl_c_at_a_question_writes_nothing(tmp_path: Path, steps: list[tuple[str, str]]) -> None:
    child = spawn(tmp_path, "app")
    answer(child, *steps)
    child.expect(r"\?")  # the next question is on the screen
    child.sendintr()
    child.expect("authgen: interrupted; nothing was written")
    output = finished(child)
    assert child.exitstatus == 130
    assert "Traceback" not in output
    assert list(tmp_path.iterdir()) == []
