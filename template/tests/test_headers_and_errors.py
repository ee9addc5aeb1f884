"""Security headers on every response, errors included, and errors that give nothing away."""

from pathlib import Path

import pytest
from pydantic import ValidationError

ONE_YEAR = 365 * 24 * 3600
REFERRER_POLICIES = {
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
}
LEAKED_SECRET = "s3cr3t-connection-string-postgresql://admin:hunter2@db"

REQUESTS = {
    "home": ("GET", "/", 200),
    "sign-in page": ("GET", "/login", 200),
    "register page": ("GET", "/register", 200),
    "health": ("GET", "/healthz", 200),
    "stylesheet": ("GET", "/static/app.css", 200),
    "csrf token": ("GET", "/api/auth/csrf", 200),
    "redirect": ("GET", "/account", 303),
    "api 401": ("GET", "/api/me", 401),
    "csrf 403": ("POST", "/login", 403),
    "page 404": ("GET", "/no-such-page", 404),
    "api 404": ("GET", "/api/no-such-route", 404),
    "405": ("GET", "/logout", 405),
}


def csp_directives(response):
    policy = response.headers["content-security-policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        if name:
            directives[name.lower()] = values
    return directives


def assert_security_headers(response):
    hsts = response.headers["strict-transport-security"]
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= ONE_YEAR
    csp = csp_directives(response)
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] in (["'none'"], ["'self'"])
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts is not None, "no script-src or default-src"
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in REFERRER_POLICIES


@pytest.mark.parametrize("name", list(REQUESTS))
def test_v3_4_security_headers_on_every_response(client, name):
    method, path, status = REQUESTS[name]

    response = client.request(method, path)

    assert response.status_code == status
    assert_security_headers(response)


def test_v3_4_security_headers_on_signed_in_pages(signed_in):
    for path in ("/", "/account", "/api/me"):
        response = signed_in.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)


@pytest.fixture
def crashing(app, new_browser):
    """A browser on an app with routes that fail with an unexpected error."""

    async def crash():
        raise RuntimeError(f"database unreachable at {LEAKED_SECRET}")

    app.add_api_route("/crash", crash)
    app.add_api_route("/api/crash", crash)
    return new_browser(app, raise_server_exceptions=False)


def test_v16_5_1_page_error_is_generic(crashing):
    response = crashing.get("/crash")

    assert response.status_code == 500
    assert "something went wrong" in response.text.lower()
    assert_nothing_leaks(response, crashing)
    assert_security_headers(response)


def test_v16_5_1_api_error_is_generic_json(crashing):
    response = crashing.get("/api/crash")

    assert response.status_code == 500
    assert set(response.json()) == {"detail"}
    assert "something went wrong" in response.json()["detail"].lower()
    assert_nothing_leaks(response, crashing)
    assert_security_headers(response)


def assert_nothing_leaks(response, browser):
    body = response.text
    for clue in ("Traceback", "RuntimeError", 'File "', "hunter2", LEAKED_SECRET):
        assert clue not in body
    assert browser.settings.secret_key.get_secret_value() not in body
    assert browser.settings.database_url not in body


def test_v16_5_1_not_found_is_generic(client):
    page = client.get("/no-such-page")
    api = client.get("/api/no-such-route")

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert api.status_code == 404
    assert set(api.json()) == {"detail"}


def test_v16_5_1_invalid_input_is_not_echoed(client):
    secret_number = 918273645546372819
    response = client.post_json(
        "/api/auth/login", {"email": "a@example.com", "password": {"value": secret_number}}
    )
    form = client.post("/login", data={"csrf_token": client.csrf_token(), "email": "a@b.c"})

    assert response.status_code == 422
    assert str(secret_number) not in response.text
    assert form.status_code == 401  # no password: the one neutral sign-in failure
    assert "Traceback" not in form.text


def test_v3_4_hsts_only_when_the_app_is_served_over_https(make_app, new_browser):
    over_http = new_browser(make_app(public_url="http://localhost:8000"))

    response = over_http.get("/")

    assert response.status_code == 200
    assert "strict-transport-security" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    "refused",
    [
        "s3cr3t-pr0duct10n-k3y",  # too short
        "hunter2-hunter2-hunter2-hunter2-hunter2",  # too few different characters
    ],
)
def test_v16_5_1_a_refused_secret_key_is_not_repeated_in_the_error(
    make_settings, monkeypatch, refused
):
    monkeypatch.setenv("SECRET_KEY", refused)
    settings_class = type(make_settings())
    monkeypatch.chdir(Path(__file__).parent)  # no .env here

    with pytest.raises(ValidationError) as from_environment:
        settings_class()
    with pytest.raises(ValidationError) as from_arguments:
        make_settings(secret_key=refused)

    for error in (from_environment.value, from_arguments.value):
        assert "SECRET_KEY" in str(error)
        assert refused not in str(error)
        assert refused not in repr(error)
