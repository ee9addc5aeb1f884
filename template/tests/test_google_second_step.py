"""Google sign-in proves one factor: an account with an authenticator app needs its code too."""

import pytest
from authenticator import turn_on
from helpers import landing, set_cookies
from oidc_providers import MockProvider
from test_google_sign_in import google_settings, new_google_user, sign_in_with_google


@pytest.fixture(scope="module")
def provider():
    with MockProvider.running() as running:
        yield running


@pytest.fixture
def settings(make_settings, provider):
    return make_settings(**google_settings(provider.discovery_url))


def test_google_sign_in_asks_for_the_code(frozen_clock, new_browser, provider, db):
    google_user = new_google_user(provider)
    phone = new_browser()
    sign_in_with_google(phone, provider, google_user.subject)
    app = turn_on(phone, frozen_clock)
    laptop = new_browser()

    back = sign_in_with_google(laptop, provider, google_user.subject)

    assert landing(back).startswith("/login/code")
    assert not {cookie.name for cookie in set_cookies(back)} & laptop.sign_in_cookie_names
    assert laptop.me().status_code == 401
    signed_in = laptop.submit(landing(back), "/login/code", code=app.code(frozen_clock))
    assert signed_in.status_code == 303
    assert laptop.me().status_code == 200
    assert " with Google and a code</span>" in laptop.get("/account").text
    method = db.scalar("SELECT method FROM sign_ins ORDER BY id DESC LIMIT 1")
    assert method == "google+code"
