"""authgen's version and changelog: every version says what it changes in generated projects,
and the changes between two versions are the entries after the one, up to the other."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from authgen import versions
from conftest import REPO

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def test_the_version_is_pyprojects() -> None:
    assert versions.current() == VERSION
    assert str(versions.current_version()) == VERSION


def test_the_changelog_has_an_entry_for_this_version() -> None:
    [entry] = [entry for entry in versions.changelog() if entry.version == VERSION]
    assert entry.changes
    assert all(change and "  " not in change for change in entry.changes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.1.0", (0, 1, 0)), ("v1.20.3", (1, 20, 3)), ("1.2", None), ("v1.2.3-4-gabc", None),
     ("abc123", None)],
)  # fmt: skip
def test_versions_are_x_y_z(text: str, expected: tuple[int, int, int] | None) -> None:
    parsed = versions.Version.of(text)
    assert (parsed and (parsed.major, parsed.minor, parsed.patch)) == expected


def test_versions_order_by_number_not_by_text() -> None:
    assert versions.Version.of("0.10.0") > versions.Version.of("0.9.9")  # type: ignore[operator]


def test_changes_between_are_after_the_old_up_to_the_new(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = (
        versions.Entry("0.3.0", ("three",)),
        versions.Entry("0.2.0", ("two",)),
        versions.Entry("0.1.0", ("one",)),
    )
    monkeypatch.setattr(versions, "changelog", lambda: entries)
    v = versions.Version.of
    between = versions.changes_between(v("0.1.0"), v("0.3.0"))  # type: ignore[arg-type]
    assert [entry.version for entry in between] == ["0.2.0", "0.3.0"]
    assert versions.changes_between(v("0.3.0"), v("0.3.0")) == []  # type: ignore[arg-type]


def test_the_template_repository_has_a_tag_per_release(tmp_path: Path) -> None:
    repository = versions.template_repository(tmp_path / "repo", versions.current_version())
    tags = versions.git(repository, "tag", "--list").decode().split()
    assert f"v{VERSION}" in tags
    listed = versions.git(repository, "ls-tree", "--name-only", f"v{VERSION}").decode().split()
    assert sorted(listed) == ["copier.yml", "template"]
