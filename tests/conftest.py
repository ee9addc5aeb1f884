"""Shared helpers: run authgen (in-process or as a command), render projects, compare trees."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from authgen import answers, questions, render
from authgen.cli import DEFAULTS_ENV, main

REPO = Path(__file__).resolve().parents[1]

# Answers most render tests give: the smallest project (Google sign-in and the second factor
# off), so that a test passes at least one answer and so runs without a terminal.
RENDERABLE: dict[str, object] = {"google_oauth": False, "totp": False, "passkeys": False}

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def json(self) -> dict[str, object]:
        """stdout must be exactly one JSON object, on one line."""
        lines = self.out.splitlines()
        assert len(lines) == 1, f"expected one line of JSON on stdout, got:\n{self.out}"
        payload = json.loads(lines[0])
        assert isinstance(payload, dict)
        return payload


def as_sets(values: Mapping[str, object]) -> list[str]:
    """--set arguments for a mapping of answers."""
    return [arg for key, value in values.items() for arg in ("--set", f"{key}={_text(value)}")]


def _text(value: object) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run `authgen ARGS` in-process with no terminal on stdin and no team defaults."""
    monkeypatch.setattr(sys, "stdin", _NoTerminal())
    monkeypatch.delenv(DEFAULTS_ENV, raising=False)

    def run(*args: str | Path) -> Result:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


class _NoTerminal:
    def isatty(self) -> bool:
        return False

    def read(self, *_: object) -> str:
        return ""


def run_authgen(*args: str | Path, cwd: Path, timeout: float = 120) -> Result:
    """Run `python -m authgen ARGS` as a command, from this checkout, stdin closed."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "generator"), *_pythonpath()])}
    env.pop(DEFAULTS_ENV, None)
    completed = subprocess.run(
        [sys.executable, "-m", "authgen", *map(str, args)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def _pythonpath() -> list[str]:
    return [part for part in os.environ.get("PYTHONPATH", "").split(os.pathsep) if part]


def tree(root: Path, *, skip: frozenset[str] = frozenset({".env"})) -> dict[str, object]:
    """Every path under root: files as (bytes, executable?), directories as "dir"."""
    result: dict[str, object] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if relative in skip:
            continue
        if path.is_dir():
            result[relative] = "dir"
        else:
            executable = bool(path.stat().st_mode & stat.S_IXUSR)
            result[relative] = (path.read_bytes(), executable)
    return result


def recorded_answers(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))


def without_bookkeeping(
    recorded: Mapping[str, object], keys: tuple[str, ...] = ("_commit",)
) -> dict[str, object]:
    return {key: value for key, value in recorded.items() if key not in keys}


def same_project(
    left: Path, right: Path, *, ignore: tuple[str, ...] = ("_commit", "_src_path")
) -> None:
    """Assert two renders hold the same files, modes and contents (apart from .env and the
    given bookkeeping keys of .copier-answers.yml: authgen records its release and the
    template's stable name, plain Copier the checkout's commit and path)."""
    skip = frozenset({".env", ".copier-answers.yml"})
    left_tree, right_tree = tree(left, skip=skip), tree(right, skip=skip)
    assert sorted(left_tree) == sorted(right_tree)
    different = [path for path in left_tree if left_tree[path] != right_tree[path]]
    assert different == []
    assert without_bookkeeping(recorded_answers(left), ignore) == without_bookkeeping(
        recorded_answers(right), ignore
    )


@dataclass(frozen=True)
class Rendered:
    path: Path
    files: tuple[str, ...]  # as rendered, before any tool ran in it


@pytest.fixture(scope="session")
def rendered(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[str, Mapping[str, object]], Rendered]:
    """Render each named answer set once per test session (in-process, from this checkout)."""
    cache: dict[str, Rendered] = {}
    template = questions.load(REPO)

    def render_once(name: str, values: Mapping[str, object]) -> Rendered:
        if name not in cache:
            destination = tmp_path_factory.mktemp("render") / name.replace("-", "_")
            render.render(destination, answers.validate(template, values), template)
            files = tuple(
                path.relative_to(destination).as_posix()
                for path in sorted(destination.rglob("*"))
                if path.is_file()
            )
            cache[name] = Rendered(destination, files)
        return cache[name]

    return render_once


def uv_env(**extra: str) -> dict[str, str]:
    """The environment for a rendered project's tools: not this run's virtualenv, and no
    database or secret unless given here."""
    inherited = {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "PYTHONPATH"}
    inherited |= {"DATABASE_URL", "TEST_DATABASE_URL", "SECRET_KEY", "PUBLIC_URL"}
    env = {key: value for key, value in os.environ.items() if key not in inherited}
    return {**env, "UV_PYTHON": sys.executable, **extra}


def run_in(project: Path, args: list[str], *, timeout: float, **extra_env: str) -> str:
    """Run a command in a rendered project; fail the test with its output if it fails."""
    completed = subprocess.run(
        args,
        cwd=project,
        env=uv_env(**extra_env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, (
        f"{' '.join(args)} failed with {completed.returncode} in {project}:\n"
        f"{completed.stdout}\n{completed.stderr}"
    )
    return completed.stdout


@pytest.fixture(scope="session")
def synced() -> Callable[[Rendered], Path]:
    """`uv sync` a rendered project once per session (uv's cache persists between runs)."""
    done: set[Path] = set()

    def sync(project: Rendered) -> Path:
        if project.path not in done:
            run_in(project.path, ["uv", "sync"], timeout=900)
            done.add(project.path)
        return project.path

    return sync


# The strategy-specific answers of each supported variant, by a readable name.
VARIANTS: dict[str, dict[str, object]] = {
    "sessions": {"auth_strategy": "sessions"},
    "jwt-eddsa-on-refresh": {
        "auth_strategy": "jwt",
        "jwt_algorithm": "EdDSA",
        "jwt_revocation": "on_refresh",
    },
    "jwt-eddsa-every-request": {
        "auth_strategy": "jwt",
        "jwt_algorithm": "EdDSA",
        "jwt_revocation": "every_request",
    },
    "jwt-hs256-on-refresh": {
        "auth_strategy": "jwt",
        "jwt_algorithm": "HS256",
        "jwt_revocation": "on_refresh",
    },
    "jwt-hs256-every-request": {
        "auth_strategy": "jwt",
        "jwt_algorithm": "HS256",
        "jwt_revocation": "every_request",
    },
}


def matrix_case(
    variant: str, database: str, google: bool, totp: bool = True, passkeys: bool = True
) -> tuple[str, dict[str, object]]:
    """A readable id and the answers for one combination of the render matrix."""
    name = f"{variant}-{database}-{'google' if google else 'no-google'}"
    if not totp:
        name += "-no-totp"
    if not passkeys:
        name += "-no-passkeys"
    values: dict[str, object] = {
        "project_name": "Acme Portal",
        **VARIANTS[variant],
        "database": database,
        "google_oauth": google,
        "totp": totp,
        "passkeys": passkeys,
    }
    return name, values


RESET_POSTGRES = """
import sys
import psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as connection:
    connection.execute("DROP SCHEMA IF EXISTS public CASCADE")
    connection.execute("CREATE SCHEMA public")
"""


def reset_postgres(project: Path, url: str = TEST_DATABASE_URL) -> None:
    """Drop whatever an earlier run left in the test database (with the project's psycopg)."""
    run_in(project, ["uv", "run", "python", "-c", RESET_POSTGRES, url], timeout=120)
