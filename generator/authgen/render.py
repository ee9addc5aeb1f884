"""Render a project: Copier renders into a staging directory, then the files move into DEST.

Staging first means DEST is touched only once everything rendered, a file already in DEST is
never overwritten (each one is created exclusively), and an interrupt removes exactly what this
run created. The last file written is `.env`, with fresh secrets and mode 0600. The answers
file records the release (`_commit: vX.Y.Z`) and the template's stable name (`_src_path`), so
that `authgen update` finds the same template again wherever authgen is installed.
"""

from __future__ import annotations

import os
import secrets
import shutil
import warnings
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

import yaml
from copier import Settings, run_copy
from copier.errors import DirtyLocalWarning

from . import versions
from .answers import Answers
from .errors import DestinationError, Problem, TemplateError
from .keys import jwt_env
from .questions import Template

ENV_FILE = ".env"


@dataclass(frozen=True)
class Rendered:
    destination: Path
    answers: Answers


def render(
    destination: Path, answers: Answers, template: Template, *, force: bool = False
) -> Rendered:
    """Render `template` into `destination` with `answers` (Copier never asks anything)."""
    check_destination(destination, force=force)
    with TemporaryDirectory(prefix="authgen-") as staging_root:
        staging = Path(staging_root) / (destination.resolve().name or "project")
        _copier(template, staging, answers)
        record_release(staging / template.answers_file)
        _install(staging, destination, env_file(answers))
    return Rendered(destination=destination.resolve(), answers=answers)


def check_destination(destination: Path, *, force: bool) -> None:
    """Refuse a DEST that is a file, or that is not empty unless `force`."""
    if not (destination.exists() or destination.is_symlink()):
        return
    if not destination.is_dir():
        raise _destination_error(destination, "exists and is not a directory")
    try:
        occupied = any(destination.iterdir())
    except OSError as error:
        raise _destination_error(destination, f"cannot be read ({error.strerror})") from error
    if occupied and not force:
        raise _destination_error(
            destination,
            "is not empty; give --force to add the project next to what is there "
            "(no existing file is ever overwritten)",
        )


def env_file(answers: Answers) -> str:
    """The project's .env: fresh secrets (and signing keys for jwt), the settings to run it."""
    package = answers.derived["package_name"]
    lines = [
        "# Settings and secrets of this project, written by authgen with fresh random values.",
        "# Never commit this file (.gitignore keeps it out); .env.example lists every setting.",
        f"SECRET_KEY={secrets.token_urlsafe(48)}",
    ]
    if answers.values["database"] == "postgresql":
        lines += [
            "# A placeholder: point it at your PostgreSQL server and database.",
            f"DATABASE_URL=postgresql://postgres@127.0.0.1:5432/{package}",
        ]
    else:
        lines.append(f"DATABASE_URL=sqlite:///./{package}.db")
    lines.append("PUBLIC_URL=http://localhost:8000")
    if answers.values["auth_strategy"] == "jwt":
        lines.append("# Access tokens are signed with the key named by JWT_SIGNING_KID.")
        keys = jwt_env(str(answers.values["jwt_algorithm"]))
        lines += [f"{name}={value}" for name, value in keys.items()]
    return "\n".join(lines) + "\n"


def record_release(answers_file: Path) -> None:
    """Make the answers file name this release and the template's stable name, in place of the
    directory Copier rendered from (a checkout, or an installed authgen's site-packages)."""
    recorded = yaml.safe_load(answers_file.read_text(encoding="utf-8")) or {}
    recorded["_commit"] = versions.tag(versions.current())
    recorded["_src_path"] = versions.SOURCE
    answers_file.write_text(
        yaml.safe_dump(recorded, allow_unicode=True, default_flow_style=False, sort_keys=True),
        encoding="utf-8",
    )


def _copier(template: Template, staging: Path, answers: Answers) -> None:
    """Run Copier: from a checkout, on its working tree (HEAD plus uncommitted changes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DirtyLocalWarning)
        try:
            run_copy(
                str(template.root),
                staging,
                data={**answers.values, **answers.notes},
                defaults=True,
                vcs_ref="HEAD",
                settings=Settings(),
                quiet=True,
                unsafe=False,
            )
        except KeyboardInterrupt:  # Copier's CopierAnswersInterrupt is an Exception too
            raise
        except Exception as error:
            message = f"rendering failed: {type(error).__name__}: {error}".splitlines()[0]
            raise TemplateError(
                "the template failed to render; nothing was written",
                [Problem("template", str(template.root), "a template that renders", message)],
            ) from error


def _entries(root: Path) -> list[Path]:
    """Every path under root, relative, each directory before what it holds."""
    return sorted((path.relative_to(root) for path in root.rglob("*")), key=lambda path: path.parts)


def _install(staging: Path, destination: Path, env_text: str) -> None:
    entries = _entries(staging)
    in_the_way = [
        destination / entry
        for entry in [*entries, Path(ENV_FILE)]
        if _occupied(destination / entry) and not _both_dirs(staging / entry, destination / entry)
    ]
    if in_the_way:
        raise DestinationError(
            f"{len(in_the_way)} file(s) of the project already exist in DEST; nothing was written",
            [
                Problem(
                    "DEST",
                    str(path),
                    "a DEST without the project's files",
                    f"DEST: {path} already exists and authgen never overwrites a file; "
                    "move it away or choose another DEST",
                )
                for path in in_the_way
            ],
        )
    created: list[Path] = []
    try:
        _make_dirs(destination, created)
        for entry in entries:
            source, target = staging / entry, destination / entry
            if _both_dirs(source, target):
                continue  # a directory already there is shared, never ours to remove
            created.append(target)
            if source.is_symlink():
                target.symlink_to(source.readlink())
            elif source.is_dir():
                target.mkdir()
            else:
                _create(target, source.read_bytes())
                shutil.copymode(source, target)
        created.append(destination / ENV_FILE)
        _create(destination / ENV_FILE, env_text.encode())
    except FileExistsError as error:
        _remove(created)
        raise _destination_error(Path(str(error.filename)), "appeared while rendering") from error
    except OSError as error:
        _remove(created)
        place = Path(str(error.filename)) if error.filename else destination
        reason = error.strerror or type(error).__name__
        raise DestinationError(
            f"DEST cannot be written ({reason}); nothing was written",
            [
                Problem(
                    "DEST",
                    str(destination),
                    "a directory you can write to",
                    f"DEST: {place} cannot be written ({reason}); choose a directory you can "
                    "write to",
                )
            ],
        ) from error
    except BaseException:
        _remove(created)
        raise


def _create(path: Path, content: bytes) -> None:
    """Write a new file, private until its mode is set; fail if anything is already there."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)


def _make_dirs(directory: Path, created: list[Path]) -> None:
    missing = [directory, *directory.parents]
    for path in reversed(missing):
        if not path.exists():
            created.append(path)
            path.mkdir()


def _remove(created: list[Path]) -> None:
    """Undo this run: remove what it created, newest first; nothing else."""
    for path in reversed(created):
        with suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()


def _occupied(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _both_dirs(source: Path, target: Path) -> bool:
    return (
        source.is_dir() and not source.is_symlink() and target.is_dir() and not target.is_symlink()
    )


def _destination_error(destination: Path, reason: str) -> DestinationError:
    return DestinationError(
        f"DEST {reason}; nothing was written",
        [
            Problem(
                "DEST",
                str(destination),
                "a missing or empty directory (or --force to add to a non-empty one)",
                f"DEST: {destination} {reason}",
            )
        ],
    )
