"""authgen's version, its changelog, and the template of every release, offline.

A release is a commit of authgen's repository tagged `vX.Y.Z` (the version of pyproject.toml).
A project records the version it was rendered from as `_commit: vX.Y.Z` in its answers file,
and `_src_path: authgen://template.git`, a name that stays true wherever authgen is installed.

To update a project, its old template and the new one are needed. An installed authgen carries
the template of each earlier release as `authgen/_releases/vX.Y.Z.tar` (hatch_build.py writes
them from the tags when the wheel is built) and its own as `authgen/_template`; run from a
checkout, the tags are read from git. `template_repository` lays them all out as one git
repository with a tag per version: what Copier's update machinery reads.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .errors import Problem, TemplateError, UpdateError
from .questions import template_root

# The template's address in every project's answers file (`_src_path`). It names no place on
# any machine: `authgen update` points Copier's git at the repository it builds for the run.
SOURCE = "authgen://template.git"
RELEASES = "_releases"
CHANGELOG = "CHANGELOG.md"
# What a release of the template is: the questions and the files.
TEMPLATE_PATHS = ("copier.yml", "template")
_HEADING = re.compile(r"^## v?(?P<version>\d+\.\d+\.\d+)\b")


@dataclass(frozen=True, order=True)
class Version:
    """A release's version: X.Y.Z, compared number by number."""

    major: int
    minor: int
    patch: int

    @classmethod
    def of(cls, text: object) -> Version | None:
        """`0.2.0` or `v0.2.0`; None for anything else."""
        match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", str(text))
        return cls(*(int(part) for part in match.groups())) if match else None

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True)
class Entry:
    """One version's section of CHANGELOG.md: what it changes in generated projects."""

    version: str
    changes: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {"version": self.version, "changes": list(self.changes)}


def _package() -> Path:
    return Path(__file__).resolve().parent


def _checkout() -> Path | None:
    """The repository this authgen runs from (an editable install), or None when installed."""
    root = template_root()
    return root if root != _package() / "_template" else None


@cache
def current() -> str:
    """The version of this authgen: the checkout's pyproject.toml, else the installed one's."""
    checkout = _checkout()
    if checkout is not None and (checkout / "pyproject.toml").is_file():
        with (checkout / "pyproject.toml").open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    from importlib.metadata import version

    return version("authgen")


def current_version() -> Version:
    version = Version.of(current())
    if version is None:
        raise TemplateError(
            "authgen's own version is not X.Y.Z",
            [Problem("version", current(), "X.Y.Z", f"authgen's version {current()!r} is not "
                     "X.Y.Z; releases are numbered X.Y.Z")],
        )  # fmt: skip
    return version


def parse(text: object, *, where: str) -> Version:
    """A version as a project records it (`v0.2.0`) or as authgen states it (`0.2.0`)."""
    version = Version.of(text)
    if version is None:
        message = (
            f"{where}: records _commit {str(text)!r}, not an authgen release (vX.Y.Z); a project "
            "rendered by `copier copy` from a git checkout is updated with `copier update`"
        )
        raise UpdateError(
            "the project records no authgen version",
            [Problem("_commit", str(text), "vX.Y.Z", message)],
        )
    return version


def tag(version: Version | str) -> str:
    return f"v{version}"


def changelog() -> tuple[Entry, ...]:
    """CHANGELOG.md's sections, newest first, each with its bullet points."""
    for place in (_package() / CHANGELOG, template_root() / CHANGELOG):
        if place.is_file():
            text = place.read_text(encoding="utf-8")
            break
    else:
        return ()
    sections: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match:
            sections.append((match["version"], []))
        elif line.startswith("## "):
            sections.append(("", []))  # a heading that names no version ends the section
        elif sections and line.startswith("- "):
            sections[-1][1].append(line[2:])
        elif sections and sections[-1][1] and line.startswith("  "):
            sections[-1][1][-1] += " " + line.strip()
    return tuple(
        Entry(version, tuple(" ".join(item.split()) for item in items))
        for version, items in sections
        if version
    )


def changes_between(old: Version, new: Version) -> list[Entry]:
    """The changelog entries after `old`, up to and including `new`, oldest first."""
    chosen = []
    for entry in changelog():
        version = Version.of(entry.version)
        if version is not None and old < version <= new:
            chosen.append((version, entry))
    return [entry for _, entry in sorted(chosen)]


Extract = Callable[[Path], None]


def releases() -> dict[Version, Extract]:
    """Every release this authgen can reproduce, each with how to lay its template out in a
    directory: the earlier ones from the wheel's archives or the checkout's tags, and this one
    from the template it renders with."""
    now = current_version()
    found: dict[Version, Extract] = {}
    checkout = _checkout()
    if checkout is None:
        for archive in sorted((_package() / RELEASES).glob("v*.tar")):
            version = Version.of(archive.name.removesuffix(".tar"))
            if version is not None:
                found[version] = _from_archive(archive)
    else:
        for name in tagged(checkout):
            version = Version.of(name)
            if version is not None:
                found[version] = _from_tag(checkout, name)
    found = {version: extract for version, extract in found.items() if version < now}
    found[now] = _from_tree(template_root())
    return dict(sorted(found.items()))


def tagged(repository: Path) -> list[str]:
    """The release tags (vX.Y.Z) of a git repository; none when it is not one."""
    try:
        listed = git(repository, "tag", "--list", "v*").decode().split()
    except (OSError, subprocess.CalledProcessError):
        return []
    return [name for name in listed if re.fullmatch(r"v\d+\.\d+\.\d+", name)]


def _from_archive(path: Path) -> Extract:
    def extract(target: Path) -> None:
        with tarfile.open(path) as bundle:
            if hasattr(tarfile, "data_filter"):
                bundle.extractall(target, filter="data")
                return
            # Python 3.11 before 3.11.4 has no extraction filters. The archive is authgen's own,
            # from its wheel; still, nothing in it may land outside `target` or be a link.
            root = target.resolve()
            for member in bundle.getmembers():
                place = (root / member.name).resolve()
                if not (member.isfile() or member.isdir()) or not place.is_relative_to(root):
                    raise ValueError(f"{path.name}: unexpected member {member.name!r}")
            bundle.extractall(target)  # noqa: S202 (every member checked above)

    return extract


def _from_tag(repository: Path, name: str) -> Extract:
    def extract(target: Path) -> None:
        listing = git(repository, "archive", "--format=tar", name, "--", *TEMPLATE_PATHS)
        with tarfile.open(fileobj=io.BytesIO(listing)) as bundle:
            bundle.extractall(target, filter="data")

    return extract


def _from_tree(root: Path) -> Extract:
    def extract(target: Path) -> None:
        shutil.copy2(root / "copier.yml", target / "copier.yml")
        shutil.copytree(
            root / "template",
            target / "template",
            symlinks=True,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.pyo"),
        )

    return extract


def template_repository(directory: Path, up_to: Version) -> Path:
    """A git repository in `directory` with one commit per release up to `up_to`, each tagged
    vX.Y.Z: the template's history as Copier expects to find it."""
    directory.mkdir(parents=True)
    git(directory, "init", "--quiet", isolated=True)
    for version, extract in releases().items():
        if version > up_to:
            break
        for entry in directory.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        extract(directory)
        git(directory, "add", "--all", isolated=True)
        message = ("commit", "--quiet", "--allow-empty", "--no-verify", "-m", tag(version))
        git(directory, *message, isolated=True)
        git(directory, "tag", tag(version), isolated=True)
    return directory


def git(repository: Path, *args: str, isolated: bool = False) -> bytes:
    """Run git in `repository` and return its output; CalledProcessError when it fails.

    `isolated`: with no user or system configuration (no hooks, no signing), as authgen, for
    the repositories authgen builds itself.
    """
    environment = dict(os.environ)
    if isolated:
        environment.update(
            GIT_CONFIG_GLOBAL=os.devnull,
            GIT_CONFIG_NOSYSTEM="1",
            GIT_AUTHOR_NAME="authgen",
            GIT_AUTHOR_EMAIL="authgen@localhost",
            GIT_COMMITTER_NAME="authgen",
            GIT_COMMITTER_EMAIL="authgen@localhost",
        )
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        environment.pop(name, None)
    executable = shutil.which("git")
    if executable is None:
        raise OSError("git is not installed; authgen update needs it")
    command = [executable, "-C", str(repository), *args]
    # Every argument is authgen's own; none comes from a shell.
    return subprocess.run(command, capture_output=True, check=True, env=environment).stdout  # noqa: S603
