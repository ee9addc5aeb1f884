"""`authgen update`: bring a project to this authgen's template, keeping the project's edits.

The project's answers file names its release (`_commit: vX.Y.Z`) and the template's stable name
(`_src_path: authgen://template.git`). For a run, authgen lays out the template of every
release it carries as one git repository with a tag per version (versions.template_repository)
and points git at it for that name (`url.<repository>.insteadOf`), in a private Copier cache.
Copier's own update machinery then does the work: it renders the old release with the old
answers, the new one with the new answers, and merges the difference into the project, three
ways, marking conflicts inline. Nothing else of the user's git or Copier setup is touched.

Beyond files, an update adds what the new answers need to `.env` (jwt signing keys), never
changing a value already there; database changes are Alembic migrations, and ending the
sign-ins of a strategy the project leaves is one of them (migrations/env.py).
"""

from __future__ import annotations

import os
import subprocess
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import yaml

from . import answers, versions
from .errors import Problem, TemplateError, UpdateError
from .keys import jwt_env
from .questions import Template
from .render import ENV_FILE, env_file

# Copier's marks around a conflict (conflict="inline").
CONFLICT_MARK = "<<<<<<< before updating"
# Said when Copier stops part way: the work tree was clean, so git knows what it changed.
HALF_DONE = " (the project may be partly updated: `git status` shows what changed)"
# The computed question the decision record reads when an update switches strategy.
STRATEGY_CHANGE = "strategy_change"


@dataclass(frozen=True)
class Status:
    """Where a project stands: the release it records and the one installed."""

    project: Path
    project_version: versions.Version
    available_version: versions.Version
    recorded: dict[str, object]

    @property
    def current(self) -> bool:
        return self.project_version == self.available_version

    def changes(self) -> list[versions.Entry]:
        return versions.changes_between(self.project_version, self.available_version)

    def as_json(self) -> dict[str, object]:
        return {
            "project_version": str(self.project_version),
            "available_version": str(self.available_version),
            "changes": [entry.as_json() for entry in self.changes()],
        }


@dataclass(frozen=True)
class Updated:
    status: Status
    answers: answers.Answers
    changed: dict[str, tuple[object, object]]
    conflicts: list[str]
    env_added: list[str] = field(default_factory=list)
    env_notes: list[str] = field(default_factory=list)


def status(project: Path, template: Template) -> Status:
    """Read the project's answers file: the release it was rendered from, and this authgen's."""
    answers_path = project / template.answers_file
    where = str(answers_path)
    if not project.is_dir():
        raise _refused("PROJECT", str(project), "a project directory", f"{project} is not a "
                       "directory")  # fmt: skip
    try:
        recorded = yaml.safe_load(answers_path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise _refused(
            "PROJECT", str(project), "a project made by authgen",
            f"{project} has no {template.answers_file}: it was not made by authgen (or that file "
            "was removed)",
        ) from error  # fmt: skip
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise _refused(
            "PROJECT", where, "a readable answers file", f"{where} cannot be read ({error})"
        ) from error
    if not isinstance(recorded, dict):
        raise _refused("PROJECT", where, "a mapping of answers", f"{where} holds no answers")
    source = recorded.get("_src_path")
    if source != versions.SOURCE and str(source).rstrip("/").endswith("authgen/_template"):
        raise _refused(
            "_src_path", source, versions.SOURCE,
            f"{where}: the project was made by an authgen that recorded no release "
            f"(_src_path {source!r}, _commit {recorded.get('_commit')!r}), so no authgen can "
            "tell which template made it. If you know its release, set `_commit: vX.Y.Z` and "
            f"`_src_path: {versions.SOURCE}` in {template.answers_file}, commit, and run "
            "`authgen update` again",
        )  # fmt: skip
    if source != versions.SOURCE:
        raise _refused(
            "_src_path", source, versions.SOURCE,
            f"{where}: _src_path is {source!r}, not {versions.SOURCE!r}: the project was not "
            "rendered by an installed authgen of this kind; use `copier update` for a project "
            "rendered by `copier copy`",
        )  # fmt: skip
    if "_commit" not in recorded:
        raise _refused("_commit", None, "vX.Y.Z", f"{where} records no _commit (the release)")
    project_version = versions.parse(recorded["_commit"], where=where)
    available = versions.current_version()
    if project_version > available:
        raise _refused(
            "_commit", recorded["_commit"], f"v{available} or older",
            f"{where}: the project was rendered by authgen {project_version}, newer than this "
            f"authgen ({available}); install authgen {project_version} or later",
        )  # fmt: skip
    known = versions.releases()
    if project_version not in known:
        listed = ", ".join(versions.tag(version) for version in known)
        raise _refused(
            "_commit", recorded["_commit"], listed,
            f"{where}: this authgen cannot reproduce the template of release "
            f"{versions.tag(project_version)}; it carries {listed}",
        )  # fmt: skip
    return Status(project.resolve(), project_version, available, recorded)


def new_answers(
    template: Template,
    current: Status,
    given: Mapping[str, object],
    *,
    defaults: Mapping[str, object] | None = None,
) -> answers.Answers:
    """The project's answers with `given` (from --set) on top, checked like `authgen new`'s.

    Recorded answers that no longer apply (jwt_algorithm after a switch to sessions) are dropped;
    given ones that do not apply are refused as they would be by `new`.
    """
    recorded = {
        key: value for key, value in current.recorded.items() if not str(key).startswith("_")
    }
    asked = {question.key for question in template.questions if not question.computed}
    recorded = {key: value for key, value in recorded.items() if key in asked}
    merged = {**recorded, **given}
    kept, _ = answers.pending(template, merged, defaults=defaults)
    chosen = {**kept, **given}
    notes: dict[str, object] = {}
    old_strategy = recorded.get("auth_strategy")
    new_strategy = chosen.get("auth_strategy", old_strategy)
    computed = {question.key for question in template.questions if question.computed}
    if STRATEGY_CHANGE in computed and old_strategy and new_strategy != old_strategy:
        notes[STRATEGY_CHANGE] = {
            "from": str(old_strategy),
            "on": datetime.now(UTC).date().isoformat(),
            "version": str(current.available_version),
        }
    return answers.validate(template, chosen, defaults=defaults, notes=notes)


def require_clean(project: Path) -> None:
    """Refuse a project that is not a git work tree, or has changes not committed."""
    try:
        dirty = _git(project, "status", "--porcelain", "--untracked-files=all", "--", ".")
    except (OSError, subprocess.CalledProcessError) as error:
        raise _refused(
            "PROJECT", str(project), "a git work tree",
            f"{project} is not in a git work tree; `git init && git add -A && git commit` it "
            "first, so that the update can be reviewed and undone",
        ) from error  # fmt: skip
    if dirty.strip():
        files = [line[3:] for line in dirty.splitlines() if line.strip()]
        shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
        raise _refused(
            "PROJECT", str(project), "a clean git work tree",
            f"{project} has changes not committed ({shown}); commit or stash them first, so "
            "that the update's changes stand apart",
        )  # fmt: skip


def apply(template: Template, current: Status, chosen: answers.Answers) -> Updated:
    """Run Copier's update from the project's release to this one with `chosen` answers."""
    from copier import Settings, run_update
    from copier.errors import CopierError, DirtyLocalWarning

    project = current.project
    before = _tracked_conflicts(project)
    with TemporaryDirectory(prefix="authgen-update-") as work:
        repository = versions.template_repository(
            Path(work) / "template", current.available_version
        )
        with _template_at(repository, Path(work) / "cache"), warnings.catch_warnings():
            warnings.simplefilter("ignore", DirtyLocalWarning)
            try:
                run_update(
                    project,
                    data={**chosen.values, **chosen.notes},
                    defaults=True,
                    overwrite=True,
                    conflict="inline",
                    vcs_ref=versions.tag(current.available_version),
                    settings=Settings(),
                    quiet=True,
                    unsafe=False,
                    skip_answered=True,
                )
            except KeyboardInterrupt:
                raise
            except CopierError as error:
                message = f"update: {error}".splitlines()[0] + HALF_DONE
                raise UpdateError(
                    "the update stopped", [Problem("update", str(project), "", message)]
                ) from error
            except Exception as error:
                message = f"update failed: {type(error).__name__}: {error}".splitlines()[0]
                message += HALF_DONE
                raise TemplateError(
                    "the template failed to update the project",
                    [Problem("template", str(project), "a template that renders", message)],
                ) from error
    conflicts = sorted(set(_tracked_conflicts(project)) - set(before))
    recorded = {key: value for key, value in current.recorded.items() if not key.startswith("_")}
    changed = {
        key: (recorded.get(key), value)
        for key, value in chosen.values.items()
        if recorded.get(key) != value
    }
    now_jwt = chosen.values["auth_strategy"] == "jwt"
    switched_to_jwt = now_jwt and recorded.get("auth_strategy") != "jwt"
    added, notes = complete_env(project, chosen, switched_to_jwt=switched_to_jwt)
    return Updated(current, chosen, changed, conflicts, added, notes)


def complete_env(
    project: Path, chosen: answers.Answers, *, switched_to_jwt: bool = False
) -> tuple[list[str], list[str]]:
    """Add to the project's .env what the answers need and it lacks; change nothing there.

    Returns the names added, and notes on values there that the new answers cannot use (or
    should not: keys kept from an earlier jwt period signed access tokens that may not have
    expired yet).
    """
    path = project / ENV_FILE
    if not path.exists():
        # A fresh clone has no .env: write one with fresh secrets, as `authgen new` does.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(env_file(chosen))
        return [ENV_FILE], []
    text = path.read_text(encoding="utf-8")
    present = {
        line.split("=", 1)[0].strip(): line.split("=", 1)[1].strip()
        for line in text.splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    }
    values = chosen.values
    notes: list[str] = []
    if values["auth_strategy"] != "jwt":
        return [], notes
    algorithm = str(values["jwt_algorithm"])
    rotate = f"`uv run python -m {chosen.derived['package_name']}.auth.keys`"
    if "JWT_KEYS" in present:
        if switched_to_jwt:
            notes.append(
                f"JWT_KEYS in {path} is from an earlier jwt period: access tokens it signed "
                "then still verify until they expire (ACCESS_TOKEN_LIFETIME). authgen leaves "
                f"existing values alone; replace JWT_KEYS and JWT_SIGNING_KID with {rotate} "
                "so that none of them works"
            )
        elif f'"alg":"{algorithm}"' not in present["JWT_KEYS"].replace(" ", ""):
            notes.append(
                f"JWT_KEYS in {path} holds no {algorithm} key; authgen leaves existing values "
                f"alone, so replace JWT_KEYS and JWT_SIGNING_KID with the output of {rotate}"
            )
        return [], notes
    keys = jwt_env(algorithm)
    missing = {name: value for name, value in keys.items() if name not in present}
    if "JWT_SIGNING_KID" in present:
        notes.append(f"JWT_SIGNING_KID in {path} was kept; check that it names a key in JWT_KEYS")
    lines = ["# Added by authgen update: the keys that sign access tokens."]
    lines += [f"{name}={value}" for name, value in missing.items()]
    separator = "" if text.endswith("\n") or not text else "\n"
    with path.open("a", encoding="utf-8") as file:
        file.write(separator + "\n".join(lines) + "\n")
    return list(missing), notes


@contextmanager
def _template_at(repository: Path, cache: Path) -> Iterator[None]:
    """While inside: git reads `repository` for versions.SOURCE, and Copier caches in `cache`."""
    from plumbum import local

    count = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    extra = {
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": f"url.{repository.as_uri()}.insteadOf",
        f"GIT_CONFIG_VALUE_{count}": versions.SOURCE,
        "COPIER_CACHE_DIR": str(cache),
    }
    saved = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        with local.env(**extra):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _tracked_conflicts(project: Path) -> list[str]:
    """Files of the project holding Copier's conflict marks."""
    try:
        listed = _git(project, "grep", "-l", "--untracked", "-F", CONFLICT_MARK, "--", ".")
    except subprocess.CalledProcessError:
        return []  # git grep exits 1 when nothing matches
    return sorted(line for line in listed.splitlines() if line)


def _git(project: Path, *args: str) -> str:
    return versions.git(project, *args).decode("utf-8", "replace")


def _refused(key: str, given: object, allowed: str, message: str) -> UpdateError:
    return UpdateError(f"cannot update: {message}", [Problem(key, given, allowed, message)])
