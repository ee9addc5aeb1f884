"""A real browser against rendered projects (sessions, and jwt) served by uvicorn.

Renders a project, migrates its SQLite database, serves it on localhost and walks through it in
Chromium: register, sign out, sign in, the device list from two browsers, revoking a device,
changing the password and signing out everywhere; on the jwt project, also staying signed in
past the access token's lifetime (renewed from the refresh cookie). The app mails through a real
SMTP server in the test (MAIL_URL=smtp://...), whose messages the browser then follows as a person
would: a forgotten password reset from its mail, an address confirmed from the registration mail,
and an account deleted (with its notice mailed). Screenshots of the login, register, account,
forgot-password, reset and confirmation pages, light and dark, go to $AUTHGEN_SHOTS (default
/tmp/authgen-shots).

Every page state the tests show is checked with axe-core (tests/accessibility.py), in both colour
schemes where a screenshot is taken; that includes the error page, the re-authentication page, a
confirmation link opened by a visitor and forms shown again with an error. One flow per strategy
goes by keyboard alone: register, open the account page and sign out, each control reached with
Tab in the document's order and showing where the focus is.

Needs Debian's Chromium at /usr/bin/chromium (`apt-get install chromium`); Playwright's own browser
download is not used. axe-core is installed from npm on first use (tests/accessibility.py says
where); without npm the tests are skipped.
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

import pyotp
import pytest

from accessibility import (
    AxeUnavailable,
    assert_focus_visible,
    axe_script,
    check_accessibility,
    tab_to,
)
from smtp_sink import SmtpSink, action_link, plain_text

# axe first: without it the tests are skipped before a project is rendered for them.
pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.usefixtures("axe")]

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
    mail: SmtpSink  # what the app sent


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
    # localhost rather than 127.0.0.1: passkeys take a domain as their relying party, never an
    # IP address. (Browsers treat both as secure, and uvicorn listens on 127.0.0.1.)
    url = f"http://localhost:{port}"
    mail = SmtpSink()
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": f"sqlite:///{project / 'browser.db'}",
        "PUBLIC_URL": url,
        "MAIL_URL": mail.mail_url,
        **variant.settings,
    }
    env.pop("VIRTUAL_ENV", None)  # uv run uses the project's own environment
    run(["uv", "sync", "--quiet"], cwd=project, timeout=600, env=env)
    run(["uv", "run", "alembic", "upgrade", "head"], cwd=project, timeout=120, env=env)
    log = project / "uvicorn.log"
    with mail, log.open("wb") as out:
        server = subprocess.Popen(
            ["uv", "run", "uvicorn", f"{PACKAGE}.main:app", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            wait_until_up(f"{url}/healthz", server, log, timeout=60)
            yield Served(url, variant, mail)
        finally:
            stop(server)


@pytest.fixture(scope="session")
def axe() -> None:
    """axe-core, for check_accessibility: installed from npm if it is not there yet."""
    try:
        axe_script()
    except AxeUnavailable as missing:
        pytest.skip(str(missing))


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
    """Screenshots of the current page in the light and the dark colour scheme, each checked
    with axe-core."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        # Reduced motion: no colour transitions caught half-way by the screenshot.
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        page.screenshot(path=SHOTS / f"{name}-{scheme}.png", full_page=True)
        check_accessibility(page, f"{name} ({scheme})")
    page.emulate_media(color_scheme="light")


def sign_in(
    page: "sync_api.Page", base_url: str, password: str = PASSWORD, email: str = EMAIL
) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()
    check_accessibility(page, "signed in")


def sign_in_refused(page: "sync_api.Page", base_url: str, email: str, password: str) -> None:
    """The sign-in form answers these credentials with an alert, and signs nobody in."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    assert path_of(page, base_url) == "/login"
    expect(page.get_by_text("You are signed in")).to_have_count(0)
    check_accessibility(page, "sign-in refused")


def register(page: "sync_api.Page", base_url: str, email: str) -> None:
    """A new account with PASSWORD, from the register page: signed in on the home page."""
    page.goto(f"{base_url}/register")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base_url}/")
    expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()
    check_accessibility(page, "registered")


def signed_out(page: "sync_api.Page", base_url: str) -> bool:
    """Whether this browser's next page load finds it signed out (sent to the login page)."""
    page.goto(f"{base_url}/account")
    check_accessibility(page, "sent to sign in")
    return path_of(page, base_url) == "/login?next=/account"


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
        check_accessibility(page, "registered")
        kept = [c for c in first.cookies() if c["name"] == served.variant.cookie]
        assert kept, (
            f"no {served.variant.cookie} cookie kept over http://localhost: {first.cookies()}"
        )
        assert kept[0]["secure"]
        assert kept[0]["httpOnly"]
        assert kept[0]["sameSite"] == "Lax"

        # Sign out from the header.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{base_url}/")
        expect(page.get_by_text("You are not signed in")).to_be_visible()
        check_accessibility(page, "signed out")

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
        check_accessibility(page, "account, one device")
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
        check_accessibility(page, "account, device revoked")
        other.goto(f"{base_url}/account")
        assert path_of(other, base_url) == "/login?next=/account"
        expect(other.get_by_role("link", name="Sign in", exact=True)).to_be_visible()
        check_accessibility(other, "sent to sign in, narrow")

        # A wrong current password keeps the form with an alert; the right one changes it.
        page.get_by_label("Current password").fill("not the password at all")
        page.get_by_label("New password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("alert")).to_be_visible()
        check_accessibility(page, "account, wrong current password")
        page.get_by_label("Current password").fill(PASSWORD)
        page.get_by_label("New password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        expect(page.get_by_role("status")).to_be_visible()
        expect(devices(page)).to_have_count(1)
        check_accessibility(page, "account, password changed")

        # The page that asks for the password again before a change, and a wrong one there.
        page.goto(f"{base_url}/reauthenticate")
        expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
        shoot(page, "reauthenticate")
        page.get_by_label("Password").fill("not the password at all")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("alert")).to_be_visible()
        check_accessibility(page, "reauthenticate, wrong password")

        # An error page: a page that is not there.
        response = page.goto(f"{base_url}/no-such-page")
        assert response is not None
        assert response.status == 404
        shoot(page, "not-found")
        page.goto(f"{base_url}/account")

        # Sign out everywhere: back at the login page, and signed out for real.
        other_page_signed_in = watch.attach(second.new_page())
        sign_in(other_page_signed_in, base_url, NEW_PASSWORD)
        page.reload()
        expect(devices(page)).to_have_count(2)
        page.get_by_role("button", name="Sign out everywhere").click()
        page.wait_for_url(f"{base_url}/login")
        check_accessibility(page, "signed out everywhere")
        page.goto(f"{base_url}/account")
        assert path_of(page, base_url) == "/login?next=/account"
        other_page_signed_in.goto(f"{base_url}/account")
        assert path_of(other_page_signed_in, base_url) == "/login?next=/account"

        # A password too short: the browser refuses to send it; sent all the same (as by a
        # browser that does not check), the server shows the form again with an alert.
        page.goto(f"{base_url}/register")
        page.get_by_label("Email").fill("short@example.com")
        short = page.get_by_label("Password")
        short.fill("too short")
        page.get_by_role("button", name="Create account").click()
        assert short.evaluate("(input) => input.validity.tooShort")
        assert path_of(page, base_url) == "/register"
        short.evaluate("(input) => { input.form.noValidate = true; }")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("alert")).to_be_visible()
        expect(page.get_by_label("Email")).to_have_value("short@example.com")
        shoot(page, "register-error")

        assert watch.problems == []
    finally:
        second.close()
        first.close()


def test_forgotten_password_reset_by_mail(served: Served, browser: "sync_api.Browser") -> None:
    base_url = served.url
    email = "grace@example.com"
    watch = Watch()
    earlier = browser.new_context(java_script_enabled=False)
    visitor = browser.new_context(
        viewport={"width": 1100, "height": 800}, java_script_enabled=False
    )
    try:
        # A device signed in before the reset: the one that registered the account.
        device = watch.attach(earlier.new_page())
        register(device, base_url, email)

        # From the sign-in page, "Forgot your password?", and the address.
        page = watch.attach(visitor.new_page())
        page.goto(f"{base_url}/login")
        page.get_by_role("link", name="Forgot your password?").click()
        page.wait_for_url(f"{base_url}/password/forgot")
        shoot(page, "forgot-password")
        page.get_by_label("Email").fill(email)
        page.get_by_role("button", name="Mail me a link").click()
        expect(page.get_by_role("heading", name="Check your mail")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text(email)
        check_accessibility(page, "reset link mailed")

        # The mail's link opens the form for a new password.
        reset_mail = served.mail.take(to=email, subject="Reset your password")
        link = action_link(reset_mail)
        assert link.startswith(f"{base_url}/password/reset?token="), link
        page.goto(link)
        expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
        new_password = page.get_by_label("New password", exact=True)
        assert new_password.get_attribute("autocomplete") == "new-password"
        assert new_password.get_attribute("minlength") == "15"
        shoot(page, "reset-password")
        new_password.fill(NEW_PASSWORD)
        page.get_by_role("button", name="Set the new password").click()

        # At the sign-in page with a message; a notice of the reset is mailed too.
        page.wait_for_url(f"{base_url}/login")
        expect(page.get_by_role("status")).to_be_visible()
        check_accessibility(page, "password reset")
        notice = served.mail.take(to=email, subject="Your password was reset")
        assert "token=" not in plain_text(notice)

        # The link worked once: opened again, it is refused with the neutral message.
        response = page.goto(link)
        assert response is not None
        assert response.status == 400
        expect(page.get_by_role("alert")).to_contain_text("That link is not valid")
        check_accessibility(page, "reset link used")

        # The old password no longer signs in; the new one does.
        sign_in_refused(page, base_url, email, PASSWORD)
        sign_in(page, base_url, NEW_PASSWORD, email=email)

        # The device signed in before the reset is signed out.
        assert signed_out(device, base_url)

        assert watch.problems == []
    finally:
        visitor.close()
        earlier.close()


def test_confirm_address_then_delete_account(served: Served, browser: "sync_api.Browser") -> None:
    base_url = served.url
    email = "lin@example.com"
    watch = Watch()
    first = browser.new_context(viewport={"width": 1100, "height": 800}, java_script_enabled=False)
    second = browser.new_context(java_script_enabled=False)
    try:
        page = watch.attach(first.new_page())
        register(page, base_url, email)

        # The account page asks to confirm the address until the registration mail's link is used.
        page.goto(f"{base_url}/account")
        banner = page.get_by_role("region", name=re.compile(r"^Please confirm your email address"))
        expect(banner).to_be_visible()
        check_accessibility(page, "account, address to confirm")
        link = action_link(served.mail.take(to=email, subject="Confirm your email address"))
        assert link.startswith(f"{base_url}/verify-email?token="), link

        # Opened by a visitor (signed in to nothing), the link asks for the account's password;
        # a wrong one shows the form again with an alert, and confirms nothing.
        other = watch.attach(second.new_page())
        other.goto(link)
        expect(other.get_by_role("heading", name="Confirm your email address")).to_be_visible()
        expect(other.get_by_label("The account's password")).to_be_visible()
        shoot(other, "verify-email-visitor")
        other.get_by_label("The account's password").fill("not the password at all")
        other.get_by_role("button", name="Confirm this address").click()
        expect(other.get_by_role("alert")).to_be_visible()
        check_accessibility(other, "verify email, wrong password")

        # Opened while signed in to the account: a button confirms it, no password asked.
        page.goto(link)
        expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
        expect(page.get_by_role("main")).to_contain_text(email)
        expect(page.get_by_label("The account's password")).to_have_count(0)
        shoot(page, "verify-email")
        page.get_by_role("button", name="Confirm this address").click()
        page.wait_for_url(f"{base_url}/account")
        expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed")
        expect(banner).to_have_count(0)
        check_accessibility(page, "account, address confirmed")

        # Another device is signed in to the account too.
        sign_in(other, base_url, email=email)

        # Delete the account: tick the box, press the button; signed out on the home page.
        page.goto(f"{base_url}/account")
        page.get_by_label("Yes, delete my account and all its data").check()
        page.get_by_role("button", name="Delete my account").click()
        # (The form's action ends in #delete, and a redirect keeps the fragment.)
        page.wait_for_url(re.compile(rf"^{re.escape(base_url)}/(#.*)?$"))
        expect(page.get_by_role("status")).to_contain_text("deleted")
        expect(page.get_by_text("You are not signed in")).to_be_visible()
        check_accessibility(page, "account deleted")
        assert not [c for c in first.cookies() if c["name"] == served.variant.cookie]

        # The app mailed the notice; the account's credentials sign nobody in; the other device
        # is signed out.
        notice = served.mail.take(to=email, subject="Your account was deleted")
        assert "deleted" in plain_text(notice)
        sign_in_refused(page, base_url, email, PASSWORD)
        assert signed_out(other, base_url)

        assert watch.problems == []
    finally:
        second.close()
        first.close()


def test_keyboard_only(served: Served, browser: "sync_api.Browser") -> None:
    """Register, open the account page and sign out with the keyboard alone: each Tab reaches
    the next control in the document's order, and each shows where the focus is."""
    base_url = served.url
    email = "kay@example.com"
    watch = Watch()
    context = browser.new_context(
        viewport={"width": 1100, "height": 800}, java_script_enabled=False
    )
    try:
        page = watch.attach(context.new_page())
        page.goto(f"{base_url}/")
        # From the top: skip link, the site's name, Home, Sign in, then Create account.
        passed = tab_to(page, page.get_by_role("link", name="Create account", exact=True))
        assert len(passed) >= 2, passed
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base_url}/register")

        # The skip link first, then straight to the form's first field.
        tab_to(page, page.get_by_role("link", name="Skip to content"))
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        expect(page.get_by_label("Email")).to_be_focused()
        assert_focus_visible(page)
        page.keyboard.type(email)
        page.keyboard.press("Tab")
        expect(page.get_by_label("Password")).to_be_focused()
        assert_focus_visible(page)
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base_url}/")
        expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()

        tab_to(page, page.get_by_role("link", name="Account", exact=True))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base_url}/account")
        expect(page.get_by_role("heading", name="Your account", exact=True)).to_be_visible()

        tab_to(page, page.get_by_role("button", name="Sign out", exact=True))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{base_url}/")
        expect(page.get_by_text("You are not signed in")).to_be_visible()
        assert signed_out(page, base_url)

        assert watch.problems == []
    finally:
        context.close()


def sign_out_and_give_the_password(page: "sync_api.Page", base_url: str, email: str) -> None:
    """Sign out, then give the password on the sign-in page of an account with an authenticator
    app: the browser lands on the second step."""
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto(f"{base_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/login/code")


def test_authenticator_app(served: Served, browser: "sync_api.Browser") -> None:
    """Turn on two-step sign-in from the account page (its QR code drawn on the server), sign in
    with a code from the app, then with a recovery code: all without JavaScript."""
    base_url = served.url
    email = "tess@example.com"
    watch = Watch()
    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, java_script_enabled=False
    )
    try:
        page = watch.attach(context.new_page())
        register(page, base_url, email)
        page.goto(f"{base_url}/account")
        page.get_by_role("button", name="Set up an authenticator app").click()
        qr_code = page.locator("#authenticator-app svg")
        expect(qr_code).to_be_visible()
        assert (qr_code.bounding_box() or {}).get("width", 0) >= 100
        secret = page.locator("code.secret").inner_text()
        app = pyotp.TOTP(secret)
        shoot(page, "authenticator-setup")

        page.get_by_label("Code from the app").fill(app.now())
        page.get_by_role("button", name="Turn on").click()
        expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
        recovery_codes = page.locator("ol.recovery-codes code").all_inner_texts()
        assert len(recovery_codes) == 10
        shoot(page, "recovery-codes")
        page.get_by_role("link", name="I have saved them").click()
        expect(page.locator("#authenticator-app")).to_contain_text("10 recovery codes left")

        # The password alone is no longer enough: the next step asks for the code. (The code
        # just used is spent; the app's next one is accepted a little early.)
        sign_out_and_give_the_password(page, base_url, email)
        expect(page.get_by_text("You are signed in")).to_have_count(0)
        page.get_by_label("Code", exact=True).fill("000000")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_contain_text("not right")
        check_accessibility(page, "wrong code")
        page.get_by_label("Code", exact=True).fill(app.at(time.time() + 30))
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()
        page.goto(f"{base_url}/account")
        expect(devices(page).first).to_contain_text("with a password and a code")

        # A lost phone: a recovery code stands in, once.
        sign_out_and_give_the_password(page, base_url, email)
        page.get_by_label("Code", exact=True).fill(recovery_codes[0])
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()
        page.goto(f"{base_url}/account")
        expect(page.locator("#authenticator-app")).to_contain_text("9 recovery codes left")
        mail = served.mail.take(email, "recovery code")
        assert "9 recovery codes are left" in plain_text(mail)

        assert watch.problems == []
    finally:
        context.close()


def test_passkey(served: Served, browser: "sync_api.Browser") -> None:
    """Add a passkey from the account page and sign in with it alone, in Chromium with
    JavaScript on and a virtual authenticator (DevTools' WebAuthn domain) in place of a phone."""
    base_url = served.url
    email = "pia@example.com"
    watch = Watch()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = watch.attach(context.new_page())
        devtools = context.new_cdp_session(page)
        devtools.send("WebAuthn.enable")
        devtools.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )
        register(page, base_url, email)
        page.goto(f"{base_url}/account")
        page.get_by_label("Name it").fill("Test laptop")
        page.get_by_role("button", name="Add a passkey").click()
        passkeys = page.locator("#passkeys ul.devices")
        expect(passkeys).to_contain_text("Test laptop")
        shoot(page, "passkeys")
        assert "Test laptop" in plain_text(served.mail.take(email, "A passkey was added"))

        page.get_by_role("button", name="Sign out", exact=True).click()
        page.goto(f"{base_url}/login")
        page.get_by_role("button", name="Sign in with a passkey").click()
        expect(page.get_by_text(f"You are signed in as {email}")).to_be_visible()
        page.goto(f"{base_url}/account")
        expect(devices(page).first).to_contain_text("with a passkey")
        expect(passkeys).to_contain_text("Last used")

        assert watch.problems == []
    finally:
        context.close()
