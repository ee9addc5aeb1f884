"""Passkeys (WebAuthn): adding one to the account, signing in with it alone, and every answer
that must be refused, with a software authenticator (passkey_device.py) in place of a phone
(contract section 5)."""

import json
import logging

import pytest
from conftest import PUBLIC_URL
from helpers import parse_page, set_cookies
from passkey_device import SoftAuthenticator, b64url

RP_ID = "testserver"


def add_passkey(browser, device, name="My phone", origin=PUBLIC_URL):
    """Ask for registration options as `browser` (signed in, fresh), let `device` answer them,
    and post the answer."""
    options = browser.post_json("/api/account/passkeys/options")
    assert options.status_code == 200, options.text
    credential = device.create(options.json(), origin)
    return browser.post_json("/api/account/passkeys", {"credential": credential, "name": name})


def sign_in_answer(browser, device, origin=PUBLIC_URL, **overrides):
    """Sign-in options from the app, answered by `device`: the browser's JSON to post."""
    options = browser.post_json("/api/auth/passkey/options", {})
    assert options.status_code == 200, options.text
    return device.get(options.json(), origin, **overrides)


def passkey_sign_in(browser, credential):
    return browser.post_json("/api/auth/passkey/login", {"credential": credential})


@pytest.fixture
def device():
    return SoftAuthenticator()


@pytest.fixture
def with_passkey(signed_in, device):
    """`signed_in`, whose account has a passkey on `device`."""
    response = add_passkey(signed_in, device)
    assert response.status_code == 201, response.text
    return signed_in


def test_registration_asks_for_a_discoverable_passkey_with_user_verification(signed_in):
    options = signed_in.post_json("/api/account/passkeys/options").json()

    assert options["rp"]["id"] == RP_ID
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert len(options["challenge"]) >= 43  # 32 random bytes


def test_a_passkey_is_added_listed_and_announced(signed_in, user, device, mailbox):
    response = add_passkey(signed_in, device, name="  Work   laptop ")

    assert response.status_code == 201
    assert response.json()["name"] == "Work laptop"
    assert "Work laptop" in signed_in.get("/account").text
    signed_in.settle()
    assert "Work laptop" in mailbox.last(user.email, "A passkey was added").text


def test_v7_5_1_adding_a_passkey_needs_a_fresh_sign_in(frozen_clock, signed_in, device):
    frozen_clock.advance(signed_in.settings.reauth_lifetime)

    response = signed_in.post_json("/api/account/passkeys/options")

    assert response.status_code == 403
    assert response.json()["error"] == "reauthentication_required"


def test_the_options_exclude_the_accounts_passkeys(with_passkey, device):
    options = with_passkey.post_json("/api/account/passkeys/options").json()

    assert [item["id"] for item in options["excludeCredentials"]] == device.credential_ids


def test_sign_in_with_a_passkey_alone(with_passkey, user, device, new_browser, db):
    laptop = new_browser()

    response = passkey_sign_in(laptop, sign_in_answer(laptop, device))

    assert response.status_code == 200
    assert laptop.issued_secrets(response)  # the strategy's normal sign-in answer
    assert db.scalar("SELECT method FROM sign_ins ORDER BY id DESC LIMIT 1") == "passkey"


def test_the_sign_in_options_name_no_account(with_passkey, new_browser):
    options = new_browser().post_json("/api/auth/passkey/options", {}).json()

    assert options["rpId"] == RP_ID
    assert options["userVerification"] == "required"
    assert options.get("allowCredentials", []) == []


@pytest.mark.parametrize(
    ("case", "refused_by"),
    [
        ("wrong origin", {"origin": "https://evil.example"}),
        ("wrong rp id", {"rp_id": "evil.example"}),
    ],
)
def test_v6_7_answers_for_another_site_are_refused(
    with_passkey, device, new_browser, case, refused_by
):
    laptop = new_browser()

    response = passkey_sign_in(laptop, sign_in_answer(laptop, device, **refused_by))

    assert response.status_code == 401, case
    assert laptop.me().status_code == 401


def test_v6_7_a_passkey_made_for_another_origin_is_not_added(signed_in, device):
    response = add_passkey(signed_in, device, origin="https://evil.example")

    assert response.status_code == 400


def test_v6_7_user_verification_is_required(signed_in, user, new_browser):
    device = SoftAuthenticator(user_verified=False)

    assert add_passkey(signed_in, device).status_code == 400


def test_v6_7_a_cloned_authenticator_is_refused(with_passkey, device, new_browser, caplog):
    caplog.set_level(logging.INFO)
    copy = device.clone()
    for _ in range(2):
        browser = new_browser()
        assert passkey_sign_in(browser, sign_in_answer(browser, device)).status_code == 200

    laptop = new_browser()
    response = passkey_sign_in(laptop, sign_in_answer(laptop, copy))

    assert response.status_code == 401
    assert any(record.getMessage().startswith("passkey.cloned") for record in caplog.records)


def test_authenticators_without_a_counter_keep_working(signed_in, new_browser):
    device = SoftAuthenticator(counter_step=0)
    assert add_passkey(signed_in, device).status_code == 201

    for _ in range(2):
        browser = new_browser()
        assert passkey_sign_in(browser, sign_in_answer(browser, device)).status_code == 200


def test_an_answer_works_once(with_passkey, device, new_browser):
    laptop, phone = new_browser(), new_browser()
    credential = sign_in_answer(laptop, device)
    assert passkey_sign_in(laptop, credential).status_code == 200

    assert passkey_sign_in(phone, credential).status_code == 401


def test_a_challenge_expires(frozen_clock, with_passkey, device, new_browser):
    laptop = new_browser()
    credential = sign_in_answer(laptop, device)
    frozen_clock.advance(minutes=5)

    assert passkey_sign_in(laptop, credential).status_code == 401


def test_the_user_handle_must_be_the_passkeys(with_passkey, device, new_browser):
    laptop = new_browser()
    credential = sign_in_answer(laptop, device)
    credential["response"]["userHandle"] = b64url(b"someone else")

    assert passkey_sign_in(laptop, credential).status_code == 401


def test_an_unknown_passkey_signs_nobody_in(with_passkey, new_browser):
    stranger = SoftAuthenticator()
    laptop = new_browser()
    options = laptop.post_json("/api/auth/passkey/options", {}).json()
    stranger.create(
        {
            "challenge": options["challenge"],
            "rp": {"id": RP_ID, "name": "x"},
            "user": {"id": b64url(b"nobody"), "name": "nobody"},
        },
        PUBLIC_URL,
    )

    response = passkey_sign_in(laptop, stranger.get(options, PUBLIC_URL))

    assert response.status_code == 401


@pytest.mark.parametrize(
    "credential",
    [
        {},
        {"response": []},
        {"response": {"clientDataJSON": "not base64url!"}},
        {"id": 7, "response": {"clientDataJSON": b64url(b'{"challenge": "abc"}')}},
    ],
    ids=["empty", "response-not-an-object", "unreadable-client-data", "unknown-challenge"],
)
def test_malformed_answers_are_refused_plainly(client, credential):
    response = passkey_sign_in(client, credential)

    assert response.status_code in {400, 401, 422}
    assert "detail" in response.json()


def test_an_answer_with_a_known_challenge_but_no_passkey_id_is_refused(with_passkey, new_browser):
    laptop = new_browser()
    options = laptop.post_json("/api/auth/passkey/options", {}).json()
    client_data = {"type": "webauthn.get", "challenge": options["challenge"], "origin": PUBLIC_URL}
    credential = {
        "id": None,
        "response": {"clientDataJSON": b64url(json.dumps(client_data).encode())},
    }

    assert passkey_sign_in(laptop, credential).status_code == 401


def test_v6_5_6_a_removed_passkey_no_longer_signs_in(with_passkey, user, device, new_browser, db):
    passkey_id = db.scalar("SELECT id FROM passkeys")
    headers = {"X-CSRF-Token": with_passkey.csrf_token()}

    assert (
        with_passkey.delete(f"/api/account/passkeys/{passkey_id}", headers=headers).status_code
        == 204
    )
    assert (
        with_passkey.delete(f"/api/account/passkeys/{passkey_id}", headers=headers).status_code
        == 404
    )
    laptop = new_browser()
    assert passkey_sign_in(laptop, sign_in_answer(laptop, device)).status_code == 401


def test_the_account_page_lists_and_removes_passkeys(with_passkey, user, mailbox, db):
    passkey_id = db.scalar("SELECT id FROM passkeys")

    response = with_passkey.submit("/account", f"/account/passkeys/{passkey_id}/delete")

    assert response.status_code == 303
    assert db.scalar("SELECT count(*) FROM passkeys") == 0
    with_passkey.settle()
    assert "My phone" in mailbox.last(user.email, "A passkey was removed").text


# The sign-in page: its one script, under the app's CSP


def test_the_sign_in_page_offers_a_passkey_where_the_browser_can(client):
    page = client.get("/login")
    parsed = parse_page(page.text)

    scripts = [attrs.get("src") for tag, attrs in parsed.elements if tag == "script"]
    assert scripts == ["/static/passkeys.js"]
    assert ("div", {"data-passkey": "", "hidden": ""}) in parsed.elements
    script = client.get("/static/passkeys.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    # The app's own origin only: no inline script, nobody else's.
    assert page.headers["content-security-policy"].startswith("default-src 'self';")
    assert "unsafe-inline" not in page.headers["content-security-policy"]


def test_the_page_sign_in_sets_the_browsers_sign_in(with_passkey, device, new_browser):
    laptop = new_browser()
    credential = sign_in_answer(laptop, device)

    response = laptop.post_json("/login/passkey", {"credential": credential, "next": "/account"})

    assert response.status_code == 200
    assert response.json() == {"next": "/account"}
    assert {cookie.name for cookie in set_cookies(response)} & laptop.sign_in_cookie_names
    assert "with a passkey" in " ".join(laptop.get("/account").text.split())


# Confirming it is you


def test_v7_5_1_a_passkey_makes_the_sign_in_fresh_again(frozen_clock, with_passkey, device):
    frozen_clock.advance(with_passkey.settings.reauth_lifetime)
    assert with_passkey.get("/api/account/export").status_code == 403

    credential = sign_in_answer(with_passkey, device)
    response = with_passkey.post_json(
        "/api/auth/reauthenticate/passkey", {"credential": credential}
    )

    assert response.status_code == 204
    assert with_passkey.get("/api/account/export").status_code == 200


def test_another_accounts_passkey_does_not_reauthenticate(
    frozen_clock, with_passkey, new_browser, password
):
    other = new_browser()
    assert other.api_register("bea@example.com", password).status_code == 201
    assert other.sign_in("bea@example.com", password).status_code == 303
    their_device = SoftAuthenticator()
    assert add_passkey(other, their_device).status_code == 201
    frozen_clock.advance(with_passkey.settings.reauth_lifetime)

    credential = sign_in_answer(with_passkey, their_device)
    response = with_passkey.post_json(
        "/api/auth/reauthenticate/passkey", {"credential": credential}
    )

    assert response.status_code == 401
    assert with_passkey.get("/api/account/export").status_code == 403


def test_the_reauthentication_page_offers_a_passkey_only_to_accounts_with_one(signed_in, device):
    without = signed_in.get("/reauthenticate?next=/account").text
    assert add_passkey(signed_in, device).status_code == 201

    page = parse_page(signed_in.get("/reauthenticate?next=/account").text)

    assert "/reauthenticate/passkey" not in without
    assert page.form("/reauthenticate/passkey").value("next") == "/account"
