"""Every cookie the app sets is Secure, HttpOnly, SameSite=Lax, Path=/ and `__Host-` prefixed."""

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
    keep("sign-in page post again", client.sign_in("grace@example.com", password))
    keep("sign out everywhere", client.submit("/account", "/account/sign-out-everywhere"))
    cookies = [cookie for flow_cookies in seen.values() for cookie in flow_cookies]
    names = {cookie.name for cookie in cookies}
    assert client.sign_in_cookie_names <= names
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


def test_cookie_names_follow_the_public_url(signed_in, make_settings):
    https = make_settings(public_url="https://app.example.com")
    local = make_settings(public_url="http://localhost:8000")

    for name in signed_in.sign_in_cookie_names:
        bare = name.removeprefix("__Host-")
        assert https.cookie_name(bare) == name
        assert local.cookie_name(bare) == bare
    assert https.csrf_cookie_name == "__Host-csrf"
    assert local.csrf_cookie_name == "csrf"


def test_signing_out_clears_the_sign_in_cookies_with_matching_attributes(signed_in):
    response = signed_in.api_logout()

    for name in signed_in.sign_in_cookie_names:
        cookie = set_cookie(response, name)
        assert cookie.cleared, name
        assert cookie.attributes.get("path") == "/", name
        assert "secure" in cookie.attributes, name
    assert signed_in.sign_in_token is None
