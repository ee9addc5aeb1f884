"""Ctrl-C: exit 130, one line, and nothing left behind; files that were there stay."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from authgen import render
from conftest import RENDERABLE, Result, as_sets, tree


def interrupt_copier(monkeypatch: pytest.MonkeyPatch) -> None:
    """Copier is stopped halfway through writing its files."""

    def half_a_render(src_path: str, dst_path: Path, *args: object, **kwargs: object) -> None:
        (dst_path / "src").mkdir(parents=True)
        (dst_path / "src" / "half.py").write_text("")
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "run_copy", half_a_render)


def interrupt_install(monkeypatch: pytest.MonkeyPatch, stop: Callable[[int, Path], bool]) -> None:
    """Stopped while the rendered files move into DEST: before writing the file for which
    `stop(files written so far, path)` is true."""
    create = render._create
    written: list[Path] = []

    def create_then_stop(path: Path, content: bytes) -> None:
        if stop(len(written), path):
            raise KeyboardInterrupt
        create(path, content)
        written.append(path)

    monkeypatch.setattr(render, "_create", create_then_stop)


INTERRUPTIONS = [
    pytest.param(interrupt_copier, id="while-copier-renders"),
    pytest.param(
        lambda patch: interrupt_install(patch, lambda count, _: count == 5),
        id="while-files-move-in",
    ),
    pytest.param(
        lambda patch: interrupt_install(patch, lambda _, path: path.name == ".env"),
        id="before-env-is-written",
    ),
]


@pytest.mark.parametrize("interrupt", INTERRUPTIONS)
def test_interrupt_leaves_no_new_destination(
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    interrupt: Callable[[pytest.MonkeyPatch], None],
) -> None:
    interrupt(monkeypatch)
    result = cli("new", tmp_path / "projects" / "app", *as_sets(RENDERABLE))
    assert result.code == 130
    assert result.err_lines == ["authgen: interrupted; nothing was written"]
    assert list(tmp_path.iterdir()) == []  # "projects" was created by the run, so it went too


@pytest.mark.parametrize("interrupt", INTERRUPTIONS)
def test_interrupt_keeps_what_was_there(
    cli: Callable[..., Result],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    interrupt: Callable[[pytest.MonkeyPatch], None],
) -> None:
    destination = tmp_path / "app"
    (destination / "src").mkdir(parents=True)
    (destination / "src" / "mine.py").write_text("print('mine')\n")
    (destination / "notes.md").write_text("mine")
    before = tree(destination, skip=frozenset())
    interrupt(monkeypatch)
    result = cli("new", destination, *as_sets(RENDERABLE), "--force")
    assert result.code == 130
    assert tree(destination, skip=frozenset()) == before


def test_interrupt_with_json(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    interrupt_copier(monkeypatch)
    result = cli("new", tmp_path / "app", *as_sets(RENDERABLE), "--json")
    assert result.code == 130
    assert result.json() == {"error": "interrupted; nothing was written", "problems": []}
    assert not (tmp_path / "app").exists()
