"""The .env authgen writes: fresh secrets, private, git-ignored, never in a tracked file."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import RENDERABLE, Result, as_sets


def env_of(project: Path) -> dict[str, str]:
    lines = (project / ".env").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_env_has_a_fresh_secret_each_render(cli: Callable[..., Result], tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert cli("new", tmp_path / name, *as_sets(RENDERABLE)).code == 0
    first, second = env_of(tmp_path / "one"), env_of(tmp_path / "two")
    assert sorted(first) == ["DATABASE_URL", "PUBLIC_URL", "SECRET_KEY"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}", first["SECRET_KEY"])  # 48 random bytes
    assert first["SECRET_KEY"] != second["SECRET_KEY"]
    assert first["PUBLIC_URL"] == "http://localhost:8000"


def test_env_is_private(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert cli("new", tmp_path / "app", *as_sets(RENDERABLE)).code == 0
    assert stat.S_IMODE((tmp_path / "app" / ".env").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("database", "url"),
    [
        pytest.param("sqlite", "sqlite:///./acme_portal.db", id="sqlite"),
        pytest.param(
            "postgresql", "postgresql://postgres@127.0.0.1:5432/acme_portal", id="postgresql"
        ),
    ],
)
def test_env_names_the_database(
    cli: Callable[..., Result], tmp_path: Path, database: str, url: str
) -> None:
    values = {**RENDERABLE, "project_name": "Acme Portal", "database": database}
    assert cli("new", tmp_path / "app", *as_sets(values)).code == 0
    assert env_of(tmp_path / "app")["DATABASE_URL"] == url


def test_secret_is_in_no_other_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    assert cli("new", tmp_path / "app", *as_sets(RENDERABLE)).code == 0
    secret = env_of(tmp_path / "app")["SECRET_KEY"].encode()
    holders = [
        path.relative_to(tmp_path / "app").as_posix()
        for path in (tmp_path / "app").rglob("*")
        if path.is_file() and secret in path.read_bytes()
    ]
    assert holders == [".env"]
    assert "SECRET" not in (tmp_path / "app" / ".copier-answers.yml").read_text().upper()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_env_is_git_ignored(cli: Callable[..., Result], tmp_path: Path) -> None:
    project = tmp_path / "app"
    assert cli("new", project, *as_sets(RENDERABLE)).code == 0
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=project, check=False)
    assert ignored.returncode == 0
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=project, capture_output=True, text=True, check=True,
    )  # fmt: skip
    tracked = [line[3:] for line in status.stdout.splitlines()]
    assert ".env" not in tracked
    assert ".env.example" in tracked


@pytest.mark.parametrize(
    ("algorithm", "key_type", "secret_field", "secret_length"),
    [
        pytest.param("EdDSA", "OKP", "d", 43, id="eddsa"),  # a 32-byte Ed25519 private key
        pytest.param("HS256", "oct", "k", 43, id="hs256"),  # 256 random bits
    ],
)
def test_jwt_env_has_fresh_signing_keys(
    cli: Callable[..., Result],
    tmp_path: Path,
    algorithm: str,
    key_type: str,
    secret_field: str,
    secret_length: int,
) -> None:
    values = {"auth_strategy": "jwt", "jwt_algorithm": algorithm}
    for name in ("one", "two"):
        assert cli("new", tmp_path / name, *as_sets(values)).code == 0
    first, second = env_of(tmp_path / "one"), env_of(tmp_path / "two")
    [key] = json.loads(first["JWT_KEYS"])["keys"]
    assert (key["kty"], key["alg"], key["kid"]) == (key_type, algorithm, first["JWT_SIGNING_KID"])
    assert len(key[secret_field]) == secret_length
    assert first["JWT_KEYS"] != second["JWT_KEYS"]
    recorded = (tmp_path / "one" / ".copier-answers.yml").read_text()
    assert key[secret_field] not in recorded
