"""`authgen explain`: the comparison of sessions and JWTs, readable in a terminal."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from authgen import explain
from conftest import Result, run_authgen


def test_explain_prints_the_comparison(cli: Callable[..., Result]) -> None:
    result = cli("explain")
    assert result.code == 0
    assert result.err == ""
    assert result.out == explain.comparison(explain.WIDTH)


def test_explain_from_the_command_line(tmp_path: Path) -> None:
    result = run_authgen("explain", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out.startswith(explain.TITLE)
    assert list(tmp_path.iterdir()) == []  # no project needed, nothing written


@pytest.mark.parametrize("width", [60, 80, 100])
def test_every_line_fits_the_width(width: int) -> None:
    lines = explain.comparison(width).splitlines()
    assert max(len(line) for line in lines) <= width
    assert all(line == line.rstrip() for line in lines)


def test_the_table_has_a_row_for_each_topic() -> None:
    table = explain.table(explain.HEADINGS, explain.ROWS)
    labels = [line.split(" | ")[0].strip() for line in table.splitlines()[2:]]
    assert [label for label in labels if label and not set(label) <= set("-+")] == [
        label for label, _, _ in explain.ROWS
    ]
    for row_text in (
        "Where the state lives",
        "Sign out, kill switch",
        "A stolen credential",
        "Many servers",
        "Server-rendered pages",
        "Single-page apps",
        "Mobile apps, programs",
        "Several backends",
    ):
        assert row_text in table


def test_it_uses_the_two_pictures() -> None:
    text = explain.comparison()
    assert "coat-check ticket" in text
    assert "signed badge" in text


def test_it_says_what_a_second_factor_and_a_passkey_are() -> None:
    text = " ".join(explain.comparison().split())
    assert explain.STRONGER_SIGN_IN_TITLE in text
    assert "a stolen password alone then opens nothing" in text
    assert "cannot be phished" in text
    assert "(the answer totp)" in text
    assert "(the answer passkeys)" in text


def test_every_term_is_explained() -> None:
    """The words a newcomer may not know are in the "Words used here" list."""
    explained = {word for words, _ in explain.WORDS for word in words.split(", ")}
    assert explained >= {
        "cookie",
        "signature",
        "refresh token",
        "revoke",
        "kill switch",
        "lookup",
        "CSRF",
        "localStorage",
        "Authorization header",
        "EdDSA",
        "HS256",
    }
    body = explain.comparison().split("Words used here")[0]
    for word in ("cookie", "signature", "refresh token", "CSRF", "localStorage", "EdDSA"):
        assert re.search(re.escape(word), body, re.IGNORECASE), word


def test_table_wraps_cells_into_columns() -> None:
    table = explain.table(("", "A", "B"), [("label", "x " * 40, "y")], width=40)
    lines = table.splitlines()
    assert all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("      | A")
    assert len(lines) > 3  # the long cell took several lines
    assert all(line.count("|") == 2 for line in lines if not line.startswith("-"))
