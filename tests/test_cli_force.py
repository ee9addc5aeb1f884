"""DEST that already exists: empty is fine; non-empty needs --force; nothing is ever replaced."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import RENDERABLE, Result, as_sets


def test_empty_existing_destination_needs_no_force(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    destination = tmp_path / "app"
    destination.mkdir()
    result = cli("new", destination, *as_sets(RENDERABLE))
    assert result.code == 0, result.err
    assert (destination / "pyproject.toml").is_file()


def test_force_adds_the_project_next_to_existing_files(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    destination = tmp_path / "app"
    (destination / "docs").mkdir(parents=True)
    (destination / "docs" / "notes.md").write_text("mine")
    (destination / "src").mkdir()  # a directory the project also has is shared, not replaced
    (destination / "src" / "keep.txt").write_text("also mine")
    result = cli("new", destination, *as_sets(RENDERABLE), "--force")
    assert result.code == 0, result.err
    assert (destination / "docs" / "notes.md").read_text() == "mine"
    assert (destination / "src" / "keep.txt").read_text() == "also mine"
    assert (destination / "src" / "my_app").is_dir()
    assert (destination / ".env").is_file()


def test_force_never_overwrites_a_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    destination = tmp_path / "app"
    destination.mkdir()
    (destination / "README.md").write_text("my readme")
    (destination / ".env").write_text("SECRET_KEY=mine\n")
    (destination / "tests").write_text("a file where the project has a directory")
    result = cli("new", destination, *as_sets(RENDERABLE), "--force")
    assert result.code == 2
    assert result.err_lines == [
        f"authgen: DEST: {destination / name} already exists and authgen never overwrites a "
        "file; move it away or choose another DEST"
        for name in ("README.md", "tests", ".env")
    ]
    assert sorted(path.name for path in destination.iterdir()) == [".env", "README.md", "tests"]
    assert (destination / "README.md").read_text() == "my readme"
    assert (destination / ".env").read_text() == "SECRET_KEY=mine\n"
    assert (destination / "tests").read_text() == "a file where the project has a directory"


def test_destination_inside_missing_directories_is_created(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    destination = tmp_path / "projects" / "2026" / "app"
    result = cli("new", destination, *as_sets(RENDERABLE))
    assert result.code == 0, result.err
    assert (destination / "pyproject.toml").is_file()
