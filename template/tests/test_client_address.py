"""Who the client is: the connecting address, or what a trusted proxy (TRUSTED_PROXIES) says in
X-Forwarded-For, never what a client wrote there itself. The per-client sign-in limits and the
device list count on it."""

import pytest
from pydantic import ValidationError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

CLIENT = "198.51.100.7"
PROXY = "10.0.0.5"


@pytest.fixture
def sign_in_from(new_browser, make_app, user, db):
    """Signs `user` in through the JSON API from `peer`, sending `forwarded_for` as
    X-Forwarded-For; the client address the app kept for that sign-in."""

    def sign_in(peer, forwarded_for=None, *, trusted_proxies="", uvicorn_trusts=None):
        app = make_app(trusted_proxies=trusted_proxies)
        if uvicorn_trusts:
            # What uvicorn does before the app sees a request, unless run --no-proxy-headers.
            app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=uvicorn_trusts)
        browser = new_browser(app, ip=peer)
        if forwarded_for is not None:
            browser.headers["X-Forwarded-For"] = forwarded_for
        response = browser.api_login(user.email, user.password)
        assert response.status_code == 200, response.text
        return db.scalar("SELECT ip_address FROM sign_ins ORDER BY id DESC LIMIT 1")

    return sign_in


def test_v6_3_1_x_forwarded_for_is_ignored_by_default(sign_in_from):
    assert sign_in_from("127.0.0.1", CLIENT) == "127.0.0.1"
    assert sign_in_from(PROXY, CLIENT) == PROXY


def test_v6_3_1_a_trusted_proxy_names_the_client(sign_in_from):
    assert sign_in_from(PROXY, CLIENT, trusted_proxies=PROXY) == CLIENT
    assert sign_in_from(PROXY, CLIENT, trusted_proxies="10.0.0.0/8, 127.0.0.1") == CLIENT
    assert sign_in_from(PROXY, None, trusted_proxies=PROXY) == PROXY


def test_v6_3_1_only_trusted_proxies_are_believed(sign_in_from):
    # Untrusted peers' headers are ignored.
    assert sign_in_from("203.0.113.9", CLIENT, trusted_proxies=PROXY) == "203.0.113.9"
    # What the client wrote itself stands left of what the proxy added: never taken.
    assert sign_in_from(PROXY, f"203.0.113.66, {CLIENT}", trusted_proxies=PROXY) == CLIENT
    # Through two trusted proxies, the address the outer one saw.
    chain = f"203.0.113.66, {CLIENT}, 10.0.0.9"
    assert sign_in_from(PROXY, chain, trusted_proxies="10.0.0.0/8") == CLIENT


def test_forwarded_addresses_are_kept_in_standard_form(sign_in_from):
    forwarded = "[2001:DB8:0:0::1]:4711"

    assert sign_in_from(PROXY, forwarded, trusted_proxies=PROXY) == "2001:db8::1"
    assert sign_in_from(PROXY, f"{CLIENT}:4711", trusted_proxies=PROXY) == CLIENT


@pytest.mark.parametrize("forwarded", ["x" * 300, "unknown", "1.2.3.4.5", "<script>"])
def test_a_forwarded_address_that_is_none_is_not_taken(sign_in_from, forwarded):
    assert sign_in_from(PROXY, forwarded, trusted_proxies=PROXY) == PROXY


def test_an_address_longer_than_its_column_is_never_stored(sign_in_from):
    # Uvicorn by default takes X-Forwarded-For from 127.0.0.1 as it is, whatever it holds.
    kept = sign_in_from("127.0.0.1", "x" * 300, uvicorn_trusts="127.0.0.1")

    assert len(kept) <= 45


@pytest.mark.parametrize("value", ["10.0.0.300", "localhost", "10.0.0.0/8;"])
def test_trusted_proxies_must_be_addresses_or_networks(make_settings, value):
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        make_settings(trusted_proxies=value)
