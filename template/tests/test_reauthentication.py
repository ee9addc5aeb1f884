"""Re-authentication ("sudo mode"): changing the account needs a sign-in that is alive and
fresh, signed in or re-authenticated within REAUTH_LIFETIME (contract section 4)."""

import pytest
from helpers import landing, passphrase

FRESH_ROUTES = [
    ("post", "/api/account/password", {"current_password": "x", "new_password": "y"}),
    ("post", "/api/account/email", {"new_email": "new@example.com"}),
    ("get", "/api/account/export", None),
    ("delete", "/api/account", None),
]


def call(browser, method, path, body):
    headers = {"X-CSRF-Token": browser.csrf_token()}
    if method == "get":
        return browser.get(path, headers=headers)
    return browser.request(method.upper(), path, json=body, headers=headers)


def reauthenticate(browser, password):
    return browser.post_json("/api/auth/reauthenticate", {"password": password})


@pytest.mark.parametrize(("method", "path", "body"), FRESH_ROUTES, ids=lambda v: str(v))
def test_v7_5_1_a_stale_sign_in_is_asked_for_its_password(
    frozen_clock, signed_in, method, path, body
):
    frozen_clock.advance(signed_in.settings.reauth_lifetime)

    response = call(signed_in, method, path, body)

    assert response.status_code == 403
    assert response.json()["error"] == "reauthentication_required"


def test_v7_5_1_a_fresh_sign_in_right_after_signing_in(signed_in, user):
    assert call(signed_in, "get", "/api/account/export", None).status_code == 200


def test_v7_5_1_reauthenticating_makes_the_sign_in_fresh_again(frozen_clock, signed_in, user):
    frozen_clock.advance(signed_in.settings.reauth_lifetime)
    assert call(signed_in, "get", "/api/account/export", None).status_code == 403

    assert reauthenticate(signed_in, user.password).status_code == 204

    assert call(signed_in, "get", "/api/account/export", None).status_code == 200
    frozen_clock.advance(signed_in.settings.reauth_lifetime)
    assert call(signed_in, "get", "/api/account/export", None).status_code == 403


def test_v7_5_1_a_wrong_password_at_reauthentication_is_refused(frozen_clock, signed_in, user):
    frozen_clock.advance(signed_in.settings.reauth_lifetime)

    assert reauthenticate(signed_in, "not my password at all").status_code == 401
    assert call(signed_in, "get", "/api/account/export", None).status_code == 403


def test_v6_3_1_wrong_passwords_at_reauthentication_are_throttled(signed_in, user):
    answers = [reauthenticate(signed_in, f"wrong password {n}").status_code for n in range(6)]

    assert answers == [401] * 5 + [429]
    assert reauthenticate(signed_in, user.password).status_code == 429


def test_reauthentication_needs_a_sign_in(client, user):
    assert reauthenticate(client, user.password).status_code == 401


def test_an_ended_sign_in_gets_401_not_a_reauthentication(signed_in, user, new_browser):
    other = new_browser()
    assert other.sign_in(user.email, user.password).status_code == 303
    assert other.submit("/account", "/account/sign-out-everywhere").status_code == 303

    response = call(signed_in, "get", "/api/account/export", None)

    assert response.status_code == 401


def test_pages_send_a_stale_sign_in_to_reauthenticate_and_back(frozen_clock, signed_in, user):
    frozen_clock.advance(signed_in.settings.reauth_lifetime)

    asked = signed_in.submit("/account", "/account/email", new_email="new@example.com")
    assert landing(asked) == "/reauthenticate?next=/account"
    page = signed_in.get(landing(asked))
    assert page.status_code == 200
    wrong = signed_in.submit(landing(asked), "/reauthenticate", password="wrong, very wrong")
    assert wrong.status_code == 401
    back = signed_in.submit(landing(asked), "/reauthenticate", password=user.password)

    assert landing(back) == "/account"
    changed = signed_in.submit("/account", "/account/email", new_email="new@example.com")
    assert landing(changed) == "/account"


def test_the_password_change_page_needs_a_fresh_sign_in(frozen_clock, signed_in, user):
    frozen_clock.advance(signed_in.settings.reauth_lifetime)

    response = signed_in.submit(
        "/account",
        "/account/password",
        current_password=user.password,
        new_password=passphrase(24, "ochre"),
    )

    assert landing(response) == "/reauthenticate?next=/account"
