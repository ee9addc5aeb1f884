"""`authgen update` from an installed authgen, offline, across two releases.

Two releases are built the way a maintainer makes them: this checkout committed and tagged as
the older, then a changed copy of its template with the next version. Each is installed as a
wheel on its own; a project rendered by the older one, committed and edited, is updated by the
newer: its edits are kept, the edit that meets a template change is marked as a conflict, and
`--check` answers 0, 1 or 2 as it should.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from conftest import REPO, Result

GIT = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}
README_LINE = "what the newer release says in the README's first line"
CLOCK_LINE = "# A line the newer release adds at the end of clock.py."
NEW_FILE = "docs/what-is-new.md"


@dataclass(frozen=True)
class Release:
    version: str
    installed: Path

    def run(self, *args: str | Path, cwd: Path) -> Result:
        """`authgen ARGS` from this release's installed wheel, with no checkout on the path."""
        env = {**os.environ, **GIT, "PYTHONPATH": str(self.installed), "PIP_NO_INDEX": "1"}
        env.pop("AUTHGEN_DEFAULTS_FILE", None)
        completed = subprocess.run(
            [sys.executable, "-m", "authgen", *map(str, args)],
            cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip
        return Result(completed.returncode, completed.stdout, completed.stderr)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT}, capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip


def copy_checkout(target: Path) -> None:
    """This checkout's files as they are now (tracked or new, not ignored), without its history."""
    listed = git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def build_and_install(source: Path, into: Path) -> None:
    dist = into.parent / f"{into.name}-dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "--target", "wheel", "--directory",
         str(dist)],
        cwd=source, check=True, capture_output=True,
    )  # fmt: skip
    [wheel] = dist.glob("authgen-*.whl")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(into),
         str(wheel)],
        check=True, capture_output=True, env={**os.environ, "PIP_NO_INDEX": "1"},
    )  # fmt: skip


def next_version(version: str) -> str:
    major, minor, patch = (int(part) for part in version.split("."))
    return f"{major}.{minor}.{patch + 1}"


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Release, Release, Path]:
    """(older, newer, the repository): the checkout tagged as the older release, then a
    changed template committed as the newer one (not tagged yet, as before a release)."""
    root = tmp_path_factory.mktemp("releases")
    source = root / "authgen"
    source.mkdir()
    copy_checkout(source)
    old = tomllib.loads((source / "pyproject.toml").read_text())["project"]["version"]
    new = next_version(old)
    git(source, "init", "--quiet")
    git(source, "add", "--all")
    git(source, "commit", "--quiet", "--no-verify", "-m", f"release {old}")
    git(source, "tag", f"v{old}")
    build_and_install(source, root / "old")

    pyproject = source / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(f'version = "{old}"', f'version = "{new}"', 1)
    )
    changelog = source / "CHANGELOG.md"
    text = changelog.read_text()
    entry = f"## {new}\n\n- The README's first line says more.\n- New page: {NEW_FILE}.\n\n"
    changelog.write_text(text.replace(f"## {old}", entry + f"## {old}", 1))
    readme = source / "template" / "README.md.jinja"
    first, rest = readme.read_text().split("\n", 1)
    readme.write_text(f"{first}: {README_LINE}\n{rest}")
    clock = source / "template" / "src" / "{{package_name}}" / "clock.py"
    clock.write_text(clock.read_text() + f"\n{CLOCK_LINE}\n")
    (source / "template" / NEW_FILE).write_text("# What is new\n")
    git(source, "add", "--all")
    git(source, "commit", "--quiet", "--no-verify", "-m", f"release {new}")
    build_and_install(source, root / "new")
    return Release(old, root / "old"), Release(new, root / "new"), source


@pytest.fixture
def project(releases: tuple[Release, Release, Path], tmp_path: Path) -> Path:
    """A project rendered by the older release, committed, then edited and committed again:
    a line at the top of clock.py, a line at the end of accounts.py, and the README's first
    line (the one the newer release changes too)."""
    old, _, _ = releases
    result = old.run(
        "new", "app", "--set", "project_name=Demo", "--set", "google_oauth=false", "--defaults",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.code == 0, result.err
    app = tmp_path / "app"
    git(app, "init", "--quiet")
    git(app, "add", "--all")
    git(app, "commit", "--quiet", "-m", "rendered")
    clock = app / "src" / "demo" / "clock.py"
    clock.write_text("# Our own note at the top of clock.py.\n" + clock.read_text())
    accounts = app / "src" / "demo" / "accounts.py"
    accounts.write_text(accounts.read_text() + "\n# Our own note at the end of accounts.py.\n")
    readme = app / "README.md"
    first, rest = readme.read_text().split("\n", 1)
    readme.write_text(f"{first} (our fork)\n\nOur own opening line.\n{rest}")
    git(app, "commit", "--quiet", "-am", "our edits")
    return app


def recorded(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def test_the_project_records_its_release_and_a_stable_source(
    releases: tuple[Release, Release, Path], project: Path
) -> None:
    old, _, _ = releases
    answers = recorded(project)
    assert answers["_commit"] == f"v{old.version}"
    assert answers["_src_path"] == "authgen://template.git"
    assert old.run("--version", cwd=project).out == f"authgen {old.version}\n"


def test_check_says_when_a_newer_release_is_installed(
    releases: tuple[Release, Release, Path], project: Path
) -> None:
    old, new, _ = releases
    assert old.run("update", "--check", cwd=project).code == 0
    result = new.run("update", "--check", "--json", cwd=project)
    assert result.code == 1, result.err
    assert result.json() == {
        "project_version": old.version,
        "available_version": new.version,
        "changes": [
            {
                "version": new.version,
                "changes": ["The README's first line says more.", f"New page: {NEW_FILE}."],
            }
        ],
    }


def test_update_keeps_the_projects_edits_and_marks_the_conflict(
    releases: tuple[Release, Release, Path], project: Path
) -> None:
    old, new, _ = releases
    result = new.run("update", "--json", cwd=project)
    assert result.code == 0, result.err
    payload = result.json()
    assert payload["conflicts"] == ["README.md"]
    assert (payload["project_version"], payload["available_version"]) == (old.version, new.version)

    clock = (project / "src" / "demo" / "clock.py").read_text()
    assert clock.startswith("# Our own note at the top of clock.py.\n")
    assert clock.rstrip().endswith(CLOCK_LINE)
    accounts = (project / "src" / "demo" / "accounts.py").read_text()
    assert accounts.rstrip().endswith("# Our own note at the end of accounts.py.")
    assert (project / NEW_FILE).read_text() == "# What is new\n"
    readme = (project / "README.md").read_text()
    assert "<<<<<<< before updating" in readme
    assert ">>>>>>> after updating" in readme
    assert "Our own opening line." in readme
    assert README_LINE in readme
    answers = recorded(project)
    assert answers["_commit"] == f"v{new.version}"
    assert answers["_src_path"] == "authgen://template.git"

    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "updated")
    assert new.run("update", "--check", cwd=project).code == 0
    too_new = old.run("update", "--check", "--json", cwd=project)
    assert too_new.code == 2
    assert f"rendered by authgen {new.version}, newer than this authgen" in too_new.err
    assert set(too_new.json()) == {"error", "problems"}


def test_a_dirty_work_tree_is_refused(
    releases: tuple[Release, Release, Path], project: Path
) -> None:
    _, new, _ = releases
    (project / "src" / "demo" / "clock.py").write_text("# not committed\n")
    (project / "notes.txt").write_text("not committed either\n")
    before = git(project, "status", "--porcelain")
    result = new.run("update", "--json", cwd=project)
    assert result.code == 2
    assert "Traceback" not in result.err
    [problem] = result.json()["problems"]
    assert "has changes not committed" in problem["message"]
    assert "src/demo/clock.py" in problem["message"]
    assert git(project, "status", "--porcelain") == before
    assert recorded(project)["_commit"] == f"v{releases[0].version}"


def test_a_project_outside_git_is_refused(
    releases: tuple[Release, Release, Path], project: Path
) -> None:
    _, new, _ = releases
    shutil.rmtree(project / ".git")
    result = new.run("update", cwd=project)
    assert result.code == 2
    assert "is not in a git work tree" in result.err


def test_a_folder_that_is_no_project_is_refused(
    releases: tuple[Release, Release, Path], tmp_path: Path
) -> None:
    _, new, _ = releases
    result = new.run("update", "--check", "--json", tmp_path, cwd=tmp_path)
    assert result.code == 2
    assert "has no .copier-answers.yml" in result.json()["problems"][0]["message"]


def test_plain_copier_update_works_from_the_tagged_repository(
    releases: tuple[Release, Release, Path], tmp_path: Path
) -> None:
    """A project made with `copier copy` from a git repository with version tags."""
    from copier import run_copy, run_update

    old, new, source = releases
    git(source, "tag", f"v{new.version}")
    try:
        app = tmp_path / "copied"
        data = {"project_name": "Demo", "google_oauth": False}
        run_copy(str(source), app, data=data, defaults=True, vcs_ref=f"v{old.version}",
                 quiet=True, unsafe=False)  # fmt: skip
        git(app, "init", "--quiet")
        git(app, "add", "--all")
        git(app, "commit", "--quiet", "-m", "copied")
        accounts = app / "src" / "demo" / "accounts.py"
        accounts.write_text(accounts.read_text() + "\n# Ours.\n")
        git(app, "commit", "--quiet", "-am", "ours")
        run_update(app, defaults=True, overwrite=True, quiet=True, unsafe=False)
        assert recorded(app)["_commit"] == f"v{new.version}"
        assert (app / NEW_FILE).is_file()
        assert accounts.read_text().rstrip().endswith("# Ours.")
    finally:
        git(source, "tag", "--delete", f"v{new.version}")


def test_locked_answers_are_enforced_by_update(
    releases: tuple[Release, Release, Path], project: Path, tmp_path: Path
) -> None:
    _, new, _ = releases
    team = tmp_path / "team.yml"
    team.write_text("database: sqlite\n_locked: [database]\n")
    result = new.run(
        "update", "--defaults-file", team, "--set", "database=postgresql", "--json", cwd=project
    )
    assert result.code == 2
    assert result.json()["problems"] == [
        {
            "key": "database",
            "given": "postgresql",
            "allowed": "sqlite",
            "message": f'database: given "postgresql", but --defaults-file {team} locks it to '
            '"sqlite"; allowed: "sqlite"',
        }
    ]
    assert git(project, "status", "--porcelain") == ""


def test_check_takes_no_set(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("update", tmp_path, "--check", "--set", "google_oauth=true")
    assert result.code == 2
    assert result.err_lines == [
        "authgen: --check changes nothing, so it takes no --set; run the update without --check"
    ]


@pytest.mark.parametrize(
    ("recorded_text", "says"),
    [
        pytest.param(
            "_src_path: /venv/lib/python3.11/site-packages/authgen/_template\nproject_name: Old\n",
            "the project was made by an authgen that recorded no release",
            id="site-packages-no-release",
        ),
        pytest.param(
            "_commit: 0501481\n_src_path: /home/someone/authgen\nproject_name: Copied\n",
            "use `copier update` for a project rendered by `copier copy`",
            id="plain-copier-checkout",
        ),
        pytest.param(
            "_commit: 0501481\n_src_path: authgen://template.git\nproject_name: Odd\n",
            "records _commit '0501481', not an authgen release (vX.Y.Z)",
            id="not-a-release",
        ),
    ],
)
def test_a_project_authgen_cannot_place_is_refused_with_what_to_do(
    cli: Callable[..., Result], tmp_path: Path, recorded_text: str, says: str
) -> None:
    (tmp_path / ".copier-answers.yml").write_text(recorded_text)
    for args in (["--check"], []):
        result = cli("update", tmp_path, *args, "--json")
        assert result.code == 2
        assert "Traceback" not in result.err
        [problem] = result.json()["problems"]
        assert says in problem["message"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [".copier-answers.yml"]


def test_a_round_trip_back_to_jwt_says_to_rotate_the_kept_keys(tmp_path: Path) -> None:
    """jwt -> sessions -> jwt: .env keeps the first period's keys (authgen never changes a value
    there), so the update says that access tokens they signed may still verify."""
    from conftest import run_authgen

    made = run_authgen(
        "new", "app", "--set", "project_name=Demo", "--set", "auth_strategy=jwt",
        "--set", "google_oauth=false", "--defaults", cwd=tmp_path,
    )  # fmt: skip
    assert made.code == 0, made.err
    app = tmp_path / "app"
    git(app, "init", "--quiet")
    git(app, "add", "--all")
    git(app, "commit", "--quiet", "-m", "rendered")
    env = (app / ".env").read_text()
    away = run_authgen("update", "--set", "auth_strategy=sessions", "--json", cwd=app)
    assert away.code == 0, away.err
    assert (away.json()["env_added"], away.json()["notes"]) == ([], [])
    record = (app / "docs" / "decisions" / "0001-auth-strategy.md").read_text()
    assert "# 1. Sign-ins are server-side sessions" in record
    assert "switched\nthe project from jwt to sessions" in record
    git(app, "add", "--all")
    git(app, "commit", "--quiet", "-m", "sessions")
    back = run_authgen("update", "--set", "auth_strategy=jwt", "--json", cwd=app)
    assert back.code == 0, back.err
    payload = back.json()
    assert payload["env_added"] == []
    [note] = payload["notes"]
    assert "from an earlier jwt period" in note
    assert (app / ".env").read_text() == env
    assert recorded(app)["auth_strategy"] == "jwt"
