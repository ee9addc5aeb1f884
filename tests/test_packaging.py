"""An installed authgen carries its template and renders what a checkout renders, offline."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import RENDERABLE, REPO, Result, as_sets, recorded_answers, same_project


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "--target", "wheel", "--directory", str(out)],
        cwd=REPO, check=True, capture_output=True,
    )  # fmt: skip
    [built] = out.glob("authgen-*.whl")
    return built


def test_wheel_bundles_copier_yml_and_the_template(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "authgen/_template/copier.yml" in names
    assert "authgen/cli.py" in names
    template_files = sorted(
        path.relative_to(REPO).as_posix()
        for path in (REPO / "template").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "template"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split("\0")  # fmt: skip
    expected = sorted(set(template_files) & set(tracked)) if tracked else template_files
    bundled = sorted(
        name.removeprefix("authgen/_template/")
        for name in names
        if name.startswith("authgen/_template/template/")
    )
    assert bundled == expected
    assert not [name for name in names if not name.startswith(("authgen/", "authgen-"))]


def test_installed_wheel_renders_like_the_checkout(
    cli: Callable[..., Result], wheel: Path, tmp_path: Path
) -> None:
    """Installed offline next to this environment's dependencies, run from elsewhere."""
    installed = tmp_path / "installed"
    offline = {**os.environ, "PIP_NO_INDEX": "1", "PYTHONPATH": str(installed)}
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
         str(installed), str(wheel)],
        check=True, env=offline, capture_output=True,
    )  # fmt: skip
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "authgen", "new", "app", *as_sets(RENDERABLE)],
        cwd=elsewhere, env=offline, stdin=subprocess.DEVNULL, capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    recorded = recorded_answers(elsewhere / "app")
    # The template's stable name and the release, not the site-packages path it was read from.
    assert recorded["_src_path"] == "authgen://template.git"
    assert (
        recorded["_commit"]
        == f"v{tomllib.loads((REPO / 'pyproject.toml').read_text())['project']['version']}"
    )
    assert (elsewhere / "app" / ".env").is_file()
    assert cli("new", tmp_path / "checkout", *as_sets(RENDERABLE)).code == 0
    same_project(elsewhere / "app", tmp_path / "checkout", ignore=("_commit", "_src_path"))
