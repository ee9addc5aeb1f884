"""Every cookie the app sets is Secure, HttpOnly, SameSite=Lax, Path=/ and `__Host-` prefixed."""

from datetime import timedelta

import pytest
from helpers import set_cookie, set_cookies


@pytest.fixture
def every_set_cookie(client, new_browser, password):
    """Set-Cookie headers from every flow that sets or clears a cookie, by flow."""
    seen = {}

    def keep(flow, response):
        assert response.status_code < 500, flow
        seen[flow] = set_cookies(response)

    keep("csrf endpoint", client.get("/api/auth/csrf"))
    keep("sign-in page", new_browser().get("/login"))
    keep("register page post", client.register("grace@example.com", password))
    keep("sign-out page post", client.sign_out())
    keep("sign-in page post", client.sign_in("grace@example.com", password))
    keep("api logout", client.api_logout())
    keep("api login", client.api_login("grace@example.com", password))
    keep("sign out everywhere", client.submit("/account", "/account/sign-out-everywhere"))
    cookies = [cookie for flow_cookies in seen.values() for cookie in flow_cookies]
    names = {cookie.name for cookie in cookies}
    assert client.settings.cookie_name("session") in names
    assert client.settings.csrf_cookie_name in names
    return cookies


def test_v3_3_1_cookies_are_secure(every_set_cookie):
    for cookie in every_set_cookie:
        assert "secure" in cookie.attributes, cookie.name


def test_v3_3_2_cookies_are_samesite_lax(every_set_cookie):
    for cookie in every_set_cookie:
        assert cookie.attributes.get("samesite", "").lower() == "lax", cookie.name


def test_v3_3_3_cookies_use_the_host_prefix(every_set_cookie):
    for cookie in every_set_cookie:
        assert cookie.name.startswith("__Host-"), cookie.name
        assert cookie.attributes.get("path") == "/", cookie.name
        assert "domain" not in cookie.attributes, cookie.name


def test_v3_3_4_cookies_are_httponly(every_set_cookie):
    for cookie in every_set_cookie:
        assert "httponly" in cookie.attributes, cookie.name


def test_cookie_names_follow_the_public_url(make_settings):
    https = make_settings(public_url="https://app.example.com")
    local = make_settings(public_url="http://localhost:8000")

    assert https.cookie_name("session") == "__Host-session"
    assert https.csrf_cookie_name == "__Host-csrf"
    assert (local.cookie_name("session"), local.csrf_cookie_name) == ("session", "csrf")


def test_session_cookie_lasts_no_longer_than_the_sign_in(client, user, settings):
    response = client.api_login(user.email, user.password)

    cookie = set_cookie(response, settings.cookie_name("session"))
    if "max-age" in cookie.attributes:
        lifetime = timedelta(seconds=int(cookie.attributes["max-age"]))
        assert timedelta(0) < lifetime <= settings.session_lifetime
    else:
        assert "expires" not in cookie.attributes, "a fixed expiry without Max-Age"


def test_signing_out_clears_the_session_cookie_with_matching_attributes(signed_in):
    response = signed_in.api_logout()

    cookie = set_cookie(response, signed_in.settings.cookie_name("session"))
    assert cookie.cleared
    assert cookie.attributes.get("path") == "/"
    assert "secure" in cookie.attributes
    assert signed_in.session_token is None
