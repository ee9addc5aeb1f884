"""Switching strategy and turning Google on or off with `authgen update`, on a migrated database
with users and live sign-ins: every user signs in again with the same password, every old
credential (session ticket, refresh token, access token) is refused, and the project's own
suite passes after the switch.

The database is a fresh SQLite file, or a PostgreSQL database of this test's own
(`upd_*` on the server TEST_DATABASE_URL names), dropped afterwards.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import TEST_DATABASE_URL, run_authgen, run_in

pytestmark = pytest.mark.slow

GIT = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}

# Run inside the project (`uv run python PROBE PHASE STATE`): "before" registers two users and
# signs each in twice, keeping every credential it gets; "after" presents each of them to the
# switched app, every way it could be presented, then signs the users in with their passwords.
PROBE = r"""
import json, os, sys
from pathlib import Path

os.environ["PUBLIC_URL"] = "https://testserver"
from starlette.testclient import TestClient
from __PACKAGE__.main import create_app
from __PACKAGE__.settings import Settings

phase, state_path = sys.argv[1], Path(sys.argv[2])
settings = Settings()
app = create_app(settings)
STRATEGY = "__STRATEGY__"
PASSWORD = "violet tractors hum over quiet meadows {}"
names = {name: settings.cookie_name(name) for name in ("session", "access", "refresh")}


def client():
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def sign_in(browser, email, password):
    token = browser.get("/api/auth/csrf").json()["csrf_token"]
    return browser.post(
        "/api/auth/login",
        json={"email": email, "password": password},
        headers={"X-CSRF-Token": token},
    )


def cookie(name, value):
    return {"Cookie": f"{names[name]}={value}"}


with client() as browser:
    if phase == "before":
        kept = []
        for number in (1, 2):
            email = f"user{number}@example.com"
            token = browser.get("/api/auth/csrf").json()["csrf_token"]
            created = browser.post(
                "/api/auth/register",
                json={"email": email, "password": PASSWORD.format(number)},
                headers={"X-CSRF-Token": token},
            )
            assert created.status_code == 201, created.text
            for _ in (1, 2):
                with client() as device:
                    answer = sign_in(device, email, PASSWORD.format(number))
                    assert answer.status_code == 200, answer.text
                    got = {"email": email}
                    if STRATEGY == "sessions":
                        got["session"] = device.cookies[names["session"]]
                    else:
                        got["access"] = answer.json()["access_token"]
                        got["refresh"] = answer.json()["refresh_token"]
                    me = device.get("/api/me", headers=cookie("session", got["session"])
                                    if "session" in got else
                                    {"Authorization": f"Bearer {got['access']}"})
                    assert me.status_code == 200, me.text
                    kept.append(got)
        state_path.write_text(json.dumps(kept))
    else:
        kept = json.loads(state_path.read_text())
        refused = []
        for got in kept:
            for kind in ("session", "access", "refresh"):
                if kind not in got:
                    continue
                value = got[kind]
                tries = {
                    "me as session cookie": browser.get("/api/me", headers=cookie("session",
                                                                                   value)),
                    "me as refresh cookie": browser.get("/api/me", headers=cookie("refresh",
                                                                                   value)),
                    "me as access cookie": browser.get("/api/me", headers=cookie("access", value)),
                    "me as bearer": browser.get(
                        "/api/me", headers={"Authorization": f"Bearer {value}"}
                    ),
                    "account page with refresh cookie": browser.get(
                        "/account", headers=cookie("refresh", value)
                    ),
                    "account page with session cookie": browser.get(
                        "/account", headers=cookie("session", value)
                    ),
                    "refresh endpoint": browser.post(
                        "/api/auth/refresh", json={"refresh_token": value}
                    ),
                }
                for what, answer in tries.items():
                    alive = answer.status_code == 200 or any(
                        header.startswith((names["access"], names["session"]))
                        for header in answer.headers.get_list("set-cookie")
                        if "Max-Age=0" not in header and 'expires=Thu, 01 Jan 1970' not in header
                    )
                    refused.append([got["email"], kind, what, answer.status_code, not alive])
        signed_in = []
        for number in (1, 2):
            with client() as device:
                answer = sign_in(device, f"user{number}@example.com", PASSWORD.format(number))
                signed_in.append(answer.status_code)
        print("RESULT " + json.dumps({"refused": refused, "signed_in": signed_in}))
"""


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, env={**os.environ, **GIT}, capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip


@pytest.fixture
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'switch.db'}"
        return
    server = TEST_DATABASE_URL.rsplit("/", 1)[0]
    name = f"upd_{uuid.uuid4().hex[:12]}"
    host = server.split("@", 1)[1].split(":")[0]
    port = server.rsplit(":", 1)[1]
    user = server.split("://", 1)[1].split("@", 1)[0]
    base = ["-h", host, "-p", port, "-U", user]
    subprocess.run(["createdb", *base, name], check=True, capture_output=True)
    try:
        yield f"{server}/{name}"
    finally:
        subprocess.run(["dropdb", *base, "--force", name], check=False, capture_output=True)


def probe(project: Path, package: str, strategy: str, phase: str, url: str, state: Path) -> str:
    script = state.parent / f"probe_{phase}.py"
    script.write_text(PROBE.replace("__PACKAGE__", package).replace("__STRATEGY__", strategy))
    return run_in(
        project, ["uv", "run", "python", str(script), phase, str(state)], timeout=600,
        DATABASE_URL=url,
    )  # fmt: skip


SWITCHES = [
    pytest.param(
        {"auth_strategy": "sessions"},
        {"auth_strategy": "jwt"},
        "sqlite",
        id="sessions-to-jwt-sqlite",
    ),
    pytest.param(
        {"auth_strategy": "jwt"},
        {"auth_strategy": "sessions"},
        "sqlite",
        id="jwt-to-sessions-sqlite",
    ),
    pytest.param(
        {"auth_strategy": "sessions"},
        {"auth_strategy": "jwt", "jwt_revocation": "every_request"},
        "postgresql",
        id="sessions-to-jwt-postgresql",
    ),
    pytest.param(
        {"auth_strategy": "jwt", "jwt_algorithm": "HS256"},
        {"auth_strategy": "sessions"},
        "postgresql",
        id="jwt-to-sessions-postgresql",
    ),
    pytest.param(
        {"auth_strategy": "sessions", "google_oauth": True},
        {"google_oauth": False},
        "sqlite",
        id="google-off-sqlite",
    ),
    pytest.param(
        {"auth_strategy": "jwt", "google_oauth": False},
        {"google_oauth": True},
        "postgresql",
        id="google-on-postgresql",
    ),
]


# The switched project's own suite runs after one switch each way (each run is a minute or two;
# the credential checks above it run after every switch).
SUITE_AFTER = {"sessions-to-jwt-sqlite", "jwt-to-sessions-postgresql"}


@pytest.mark.parametrize(("before", "change", "database"), SWITCHES, indirect=["database"])
def test_switch_keeps_users_and_ends_every_old_credential(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    before: dict[str, object],
    change: dict[str, object],
    database: str,
) -> None:
    kind = "postgresql" if database.startswith("postgresql") else "sqlite"
    answers = {"project_name": "Switch Demo", "google_oauth": False, "database": kind, **before}
    sets = [arg for key, value in answers.items() for arg in ("--set", f"{key}={value}")]
    made = run_authgen("new", "app", *sets, "--defaults", cwd=tmp_path)
    assert made.code == 0, made.err
    project = tmp_path / "app"
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "rendered")
    run_in(project, ["uv", "run", "alembic", "upgrade", "head"], timeout=600, DATABASE_URL=database)
    state = tmp_path / "credentials.json"
    old_strategy = str(answers["auth_strategy"])
    probe(project, "switch_demo", old_strategy, "before", database, state)
    git(project, "add", "--all")  # uv.lock, as a project commits it
    git(project, "commit", "--quiet", "-m", "locked")

    env_before = (project / ".env").read_text()
    sets = [arg for key, value in change.items() for arg in ("--set", f"{key}={value}")]
    updated = run_authgen("update", *sets, "--json", cwd=project, timeout=600)
    assert updated.code == 0, updated.err
    payload = updated.json()
    assert payload["conflicts"] == []
    env_after = (project / ".env").read_text()
    assert env_after.startswith(env_before)  # nothing there was changed, only added to
    new_strategy = str(change.get("auth_strategy", old_strategy))
    if new_strategy == "jwt" and old_strategy != "jwt":
        assert payload["env_added"] == ["JWT_KEYS", "JWT_SIGNING_KID"]
    else:
        assert payload["env_added"] == []
    record = (project / "docs" / "decisions" / "0001-auth-strategy.md").read_text()
    if new_strategy != old_strategy:
        assert f"switched\nthe project from {old_strategy} to {new_strategy}" in record

    run_in(project, ["uv", "run", "alembic", "upgrade", "head"], timeout=600, DATABASE_URL=database)
    output = probe(project, "switch_demo", new_strategy, "after", database, state)
    [line] = [line for line in output.splitlines() if line.startswith("RESULT ")]
    result = json.loads(line.removeprefix("RESULT "))
    alive = [attempt for attempt in result["refused"] if not attempt[-1]]
    if new_strategy != old_strategy:
        assert alive == []
    else:
        assert alive  # turning Google on or off ends no sign-in
    assert result["signed_in"] == [200, 200]

    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "switched")
    if request.node.callspec.id not in SUITE_AFTER:
        return
    extra = {"TEST_DATABASE_URL": database} if kind == "postgresql" else {}
    run_in(project, ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], timeout=1200,
           **extra)  # fmt: skip
