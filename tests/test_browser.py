"""A real browser against rendered projects (sessions, and jwt) served by uvicorn.

Renders a project, migrates its SQLite database, serves it on 127.0.0.1 and walks through it in
Chromium: register, sign out, sign in, the device list from two browsers, revoking a device,
changing the password and signing out everywhere; on the jwt project, also staying signed in
past the access token's lifetime (renewed from the refresh cookie). Screenshots of the login,
register and account pages, light and dark, go to $AUTHGEN_SHOTS (default /tmp/authgen-shots).

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`); Playwright's own browser
download is not used.
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PROJECT_NAME = "Browser Check"
PACKAGE = "browser_check"
SHOTS = Path(os.environ.get("AUTHGEN_SHOTS", "/tmp/authgen-shots"))  # noqa: S108
EMAIL = "ada@example.com"
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase for the test"
FIREFOX_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
STEP_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Variant:
    answers: dict[str, str]
    cookie: str  # the cookie that carries the sign-in
    settings: dict[str, str]  # extra environment for the served app
    access_lifetime: float | None = None  # seconds, where access tokens expire and renew


VARIANTS = {
    "sessions": Variant({"auth_strategy": "sessions"}, "session", {}),
    # every_request: a revoked device is out at its next page load, as with sessions.
    "jwt": Variant(
        {"auth_strategy": "jwt", "jwt_revocation": "every_request"},
        "refresh",
        {"ACCESS_TOKEN_LIFETIME": "PT3S"},
        access_lifetime=3,
    ),
}


@dataclass(frozen=True)
class Served:
    url: str
    variant: Variant


sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def run(args: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    )


def render_project(dest: Path, answers: dict[str, str]) -> None:
    """With this checkout's `authgen new` (which also writes `.env`), else with plain Copier."""
    data = {"google_oauth": "false", "project_name": PROJECT_NAME, **answers}
    if (REPO / "generator" / "authgen" / "__main__.py").is_file():
        # PYTHONPATH pins the code, and so the template, to this checkout over any installed one.
        env = {**os.environ, "PYTHONPATH": str(REPO / "generator")}
        sets = [arg for key, value in data.items() for arg in ("--set", f"{key}={value}")]
        args = [sys.executable, "-m", "authgen", "new", str(dest), *sets]
        run(args, cwd=REPO, timeout=180, env=env)
    else:
        sets = [arg for key, value in data.items() for arg in ("-d", f"{key}={value}")]
        args = [sys.executable, "-m", "copier", "copy", "--defaults", "--quiet", *sets]
        run([*args, str(REPO), str(dest)], cwd=REPO, timeout=180)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"uvicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local URL)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"uvicorn did not answer {url} within {timeout}s:\n{log.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop uvicorn and the `uv run` wrapper around it: their own process group, by its id."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.fixture(scope="module", params=VARIANTS.values(), ids=VARIANTS.keys())
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """A freshly rendered project, migrated and served."""
    if not CHROMIUM.exists():
        pytest.skip("needs Chromium at /usr/bin/chromium: apt-get install -y chromium")
    variant: Variant = request.param
    project = tmp_path_factory.mktemp("browser") / "browser-check"
    render_project(project, variant.answers)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{project / 'browser.db'}",
        "PUBLIC_URL": url,
        **variant.settings,
    }
    env.pop("VIRTUAL_ENV", None)  # uv run uses the project's own environment
    run(["uv", "sync", "--quiet"], cwd=project, timeout=600, env=env)
    run(["uv", "run", "alembic", "upgrade", "head"], cwd=project, timeout=120, env=env)
    log = project / "uvicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["uv", "run", "uvicorn", f"{PACKAGE}.main:app", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_until_up(f"{url}/healthz", server, log, timeout=60)
        yield Served(url, variant)
    finally:
        stop(server)


@pytest.fixture(scope="module")
def browser() -> Iterator["sync_api.Browser"]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Watch:
    """What pages report that they should not: CSP violations, script errors, broken resources.

    Pages answered with 4xx on purpose (a wrong password) are not problems; a stylesheet, the
    icon or any other resource that fails to load is.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, page: "sync_api.Page") -> "sync_api.Page":
        page.set_default_timeout(STEP_TIMEOUT_MS)
        page.set_default_navigation_timeout(STEP_TIMEOUT_MS)
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        return page

    def _console(self, message: "sync_api.ConsoleMessage") -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response: "sync_api.Response") -> None:
        request = response.request
        if response.status >= 400 and request.resource_type != "document":
            self.problems.append(f"{response.status} for {request.resource_type} {request.url}")


def path_of(page: "sync_api.Page", base_url: str) -> str:
    return page.url.removeprefix(base_url)


def shoot(page: "sync_api.Page", name: str) -> None:
    """Screenshots of the current page in the light and the dark colour scheme."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        # Reduced motion: no colour transitions caught half-way by the screenshot.
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        page.screenshot(path=SHOTS / f"{name}-{scheme}.png", full_page=True)
    page.emulate_media(color_scheme="light")


def sign_in(page: "sync_api.Page", base_url: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"You are signed in as {EMAIL}")).to_be_visible()


def devices(page: "sync_api.Page") -> "sync_api.Locator":
    return page.locator("ul.devices > li")


def test_browser_journey(served: Served, browser: "sync_api.Browser") -> None:
    base_url = served.url
    watch = Watch()
    # JavaScript off: every page and form has to work without it.
    first = browser.new_context(viewport={"width": 1100, "height": 800}, java_script_enabled=False)
    second = browser.new_context(
        viewport={"width": 390, "height": 800}, user_agent=FIREFOX_UA, java_script_enabled=False
    )
    try:
        page = watch.attach(first.new_page())

        # The pages carry a strict CSP, and our stylesheet still applies under it.
        response = page.goto(f"{base_url}/register")
        assert response is not None
        assert response.status == 200
        assert "default-src 'self'" in response.headers["content-security-policy"]
        font = page.evaluate("getComputedStyle(document.body).fontFamily")
        assert "system-ui" in font, "app.css did not load"
        assert page.locator("script, [style], style").count() == 0
        password = page.get_by_label("Password")
        assert password.get_attribute("autocomplete") == "new-password"
        assert password.get_attribute("minlength") == "15"
        shoot(page, "register")

        # Register: lands signed in on the home page.
        page.get_by_label("Email").fill(EMAIL)
        password.fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url(f"{base_url}/")
        expect(page.get_by_text(f"You are signed in as {EMAIL}")).to_be_visible()
        kept = [c for c in first.cookies() if c["name"] == served.variant.cookie]
        assert kept, (
            f"no {served.variant.cookie} cookie kept over http://127.0.0.1: {first.cookies()}"
        )
        assert kept[0]["secure"]
        assert kept[0]["httpOnly"]
        assert kept[0]["sameSite"] == "Lax"

        # Sign out from the header.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{base_url}/")
        expect(page.get_by_text("You are not signed in")).to_be_visible()

        # A wrong password: the form again, with the message in an alert.
        page.goto(f"{base_url}/login")
        page.get_by_label("Email").fill(EMAIL)
        page.get_by_label("Password").fill("not the password at all")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_be_visible()
        expect(page.get_by_label("Email")).to_have_value(EMAIL)
        shoot(page, "login-error")

        # Sign in, then the account page lists this one device.
        page.goto(f"{base_url}/login")
        assert page.get_by_label("Password").get_attribute("autocomplete") == "current-password"
        shoot(page, "login")
        sign_in(page, base_url)
        page.goto(f"{base_url}/account")
        expect(devices(page)).to_have_count(1)
        expect(devices(page).first).to_contain_text("This device")
        if served.variant.access_lifetime:
            # Past the access token's lifetime the page renews it: still signed in.
            time.sleep(served.variant.access_lifetime + 1)
            page.goto(f"{base_url}/account")
            assert path_of(page, base_url) == "/account"
            expect(devices(page)).to_have_count(1)

        # A second browser signs in; the first sees two devices.
        other = watch.attach(second.new_page())
        sign_in(other, base_url)
        page.reload()
        expect(devices(page)).to_have_count(2)
        expect(page.locator("ul.devices > li:not(.current)")).to_contain_text("Firefox on Windows")
        shoot(page, "account")

        # Revoke the other device; its next page load is signed out.
        page.locator("ul.devices > li:not(.current)").get_by_role("button", name="Revoke").click()
        page.wait_for_url(re.compile(r"/account\b"))
        expect(devices(page)).to_have_count(1)
        other.goto(f"{base_url}/account")
        assert path_of(other, base_url) == "/login?next=/account"
        expect(other.get_by_role("link", name="Sign in", exact=True)).to_be_visible()

        # A wrong current password keeps the form with an alert; the right one changes it.
        page.get_by_label("Current password").fill("not the password at all")
        page.get_by_label("New password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("alert")).to_be_visible()
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("status")).to_be_visible()
        expect(devices(page)).to_have_count(1)

        # Sign out everywhere: back at the login page, and signed out for real.
        other_page_signed_in = watch.attach(second.new_page())
        sign_in(other_page_signed_in, base_url, NEW_PASSWORD)
        page.reload()
        expect(devices(page)).to_have_count(2)
        page.get_by_role("button", name="Sign out everywhere").click()
        page.wait_for_url(f"{base_url}/login")
        page.goto(f"{base_url}/account")
        assert path_of(page, base_url) == "/login?next=/account"
        other_page_signed_in.goto(f"{base_url}/account")
        assert path_of(other_page_signed_in, base_url) == "/login?next=/account"

        assert watch.problems == []
    finally:
        second.close()
        first.close()
