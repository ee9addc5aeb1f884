"""Turning an authenticator app (TOTP) on and off, recovery codes, and re-authenticating with a
code (contract section 5)."""

import re

import pyotp
import pytest
from authenticator import STEP, turn_on
from helpers import landing, parse_page


def plain_sign_in_works(new_browser, user):
    """Whether the password alone still signs in (no second step asked)."""
    response = new_browser().api_login(user.email, user.password)
    assert response.status_code == 200, response.text
    return "mfa_required" not in response.json()


def test_setting_up_gives_a_secret_and_an_otpauth_uri(signed_in, settings):
    response = signed_in.post_json("/api/account/totp")

    assert response.status_code == 200
    body = response.json()
    uri = pyotp.parse_uri(body["otpauth_uri"])
    assert uri.secret == body["secret"]
    assert uri.issuer == settings.app_name
    assert len(body["secret"]) == 32  # base32: 160 bits, RFC 4226's recommended length


def test_nothing_is_on_until_a_first_code_confirms_it(
    frozen_clock, signed_in, user, new_browser, mailbox
):
    secret = signed_in.post_json("/api/account/totp").json()["secret"]
    assert plain_sign_in_works(new_browser, user)

    wrong = signed_in.post_json("/api/account/totp/confirm", {"code": "000000"})
    assert wrong.status_code == 400
    assert plain_sign_in_works(new_browser, user)

    right = signed_in.post_json(
        "/api/account/totp/confirm", {"code": pyotp.TOTP(secret).at(frozen_clock.now)}
    )
    assert right.status_code == 200
    codes = right.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert not plain_sign_in_works(new_browser, user)
    signed_in.settle()
    assert "authenticator app was turned on" in mailbox.last(user.email, "second factor").text


def test_v6_5_2_recovery_codes_are_kept_as_argon2_hashes(frozen_clock, signed_in, user, db):
    app = turn_on(signed_in, frozen_clock)

    stored = [row[0] for row in db.rows("SELECT code_hash FROM recovery_codes")]

    assert len(stored) == 10
    assert all(code_hash.startswith("$argon2id$") for code_hash in stored)
    assert not set(stored) & {code.replace("-", "") for code in app.recovery_codes}


def test_v6_5_4_recovery_codes_are_random_and_long_enough(frozen_clock, signed_in):
    first = turn_on(signed_in, frozen_clock).recovery_codes
    again = signed_in.post_json("/api/account/totp/recovery-codes").json()["recovery_codes"]

    for code in first + again:
        assert len(code.replace("-", "")) == 10  # about 50 bits: well over ASVS's 20
    assert not set(first) & set(again)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/account/totp"),
        ("POST", "/api/account/totp/confirm"),
        ("POST", "/api/account/totp/recovery-codes"),
        ("DELETE", "/api/account/totp"),
    ],
)
def test_v7_5_1_managing_the_second_factor_needs_a_fresh_sign_in(
    frozen_clock, signed_in, method, path
):
    frozen_clock.advance(signed_in.settings.reauth_lifetime)

    response = signed_in.request(
        method, path, json={"code": "123456"}, headers={"X-CSRF-Token": signed_in.csrf_token()}
    )

    assert response.status_code == 403
    assert response.json()["error"] == "reauthentication_required"


def test_a_second_app_cannot_replace_the_first_without_turning_it_off(frozen_clock, signed_in):
    turn_on(signed_in, frozen_clock)

    assert signed_in.post_json("/api/account/totp").status_code == 409


def test_v6_5_6_turning_it_off_lets_the_password_alone_sign_in_again(
    frozen_clock, signed_in, user, new_browser, mailbox, db
):
    turn_on(signed_in, frozen_clock)

    assert (
        signed_in.request(
            "DELETE", "/api/account/totp", headers={"X-CSRF-Token": signed_in.csrf_token()}
        ).status_code
        == 204
    )

    assert plain_sign_in_works(new_browser, user)
    assert db.scalar("SELECT count(*) FROM recovery_codes") == 0
    signed_in.settle()
    assert "was turned off" in mailbox.last(user.email, "second factor was removed").text


def test_new_recovery_codes_replace_the_old_ones(frozen_clock, signed_in, user, new_browser):
    old = turn_on(signed_in, frozen_clock).recovery_codes
    new = signed_in.post_json("/api/account/totp/recovery-codes").json()["recovery_codes"]

    laptop = new_browser()
    token = laptop.api_login(user.email, user.password).json()["mfa_token"]
    old_code = {"mfa_token": token, "code": old[0]}
    assert laptop.post_json("/api/auth/login/mfa", old_code).status_code == 401
    new_code = {"mfa_token": token, "code": new[0]}
    assert laptop.post_json("/api/auth/login/mfa", new_code).status_code == 200


def test_v7_5_1_reauthentication_takes_the_strongest_factor(frozen_clock, signed_in, user):
    app = turn_on(signed_in, frozen_clock)
    frozen_clock.advance(signed_in.settings.reauth_lifetime)

    by_password = signed_in.post_json("/api/auth/reauthenticate", {"password": user.password})
    assert by_password.status_code == 400
    assert "authenticator app" in by_password.json()["detail"]
    wrong = signed_in.post_json("/api/auth/reauthenticate", {"code": "000000"})
    assert wrong.status_code == 401
    assert signed_in.get("/api/account/export").status_code == 403

    right = signed_in.post_json("/api/auth/reauthenticate", {"code": app.code(frozen_clock)})
    assert right.status_code == 204
    assert signed_in.get("/api/account/export").status_code == 200


def test_v6_5_1_a_code_used_to_reauthenticate_cannot_be_used_again(frozen_clock, signed_in):
    app = turn_on(signed_in, frozen_clock)
    code = {"code": app.code(frozen_clock)}

    assert signed_in.post_json("/api/auth/reauthenticate", code).status_code == 204
    assert signed_in.post_json("/api/auth/reauthenticate", code).status_code == 401


def test_v6_3_1_wrong_codes_at_reauthentication_are_throttled(frozen_clock, signed_in):
    app = turn_on(signed_in, frozen_clock)

    answers = [
        signed_in.post_json("/api/auth/reauthenticate", {"code": "000000"}).status_code
        for _ in range(10)
    ]
    refused = signed_in.post_json("/api/auth/reauthenticate", {"code": app.code(frozen_clock)})

    assert answers == [401] * 10
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_export_says_the_second_factor_is_on_but_not_its_secret(frozen_clock, signed_in):
    app = turn_on(signed_in, frozen_clock)

    export = signed_in.get("/api/account/export")

    assert export.json()["second_factor"]["authenticator_app"] is True
    assert export.json()["second_factor"]["recovery_codes_left"] == 10
    assert app.secret not in export.text
    assert not any(code in export.text for code in app.recovery_codes)


# The account page, without JavaScript


def test_the_account_page_sets_the_app_up_with_a_qr_code_drawn_on_the_server(
    frozen_clock, signed_in, user, new_browser
):
    assert landing(signed_in.submit("/account", "/account/totp")) == "/account#authenticator-app"

    page = signed_in.get("/account")
    section = page.text.split('id="authenticator-app"', 1)[1].split("</section>", 1)[0]
    assert "<svg" in section
    assert "QR code for your authenticator app" in section
    assert "<script" not in section
    secret = re.search(r'<code class="secret">([A-Z2-7]{32})</code>', page.text).group(1)

    shown = signed_in.submit(
        "/account", "/account/totp/confirm", code=pyotp.TOTP(secret).at(frozen_clock.now)
    )

    assert shown.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", shown.text)
    assert len(set(codes)) == 10
    assert shown.headers["cache-control"] == "no-store"
    assert not plain_sign_in_works(new_browser, user)
    frozen_clock.advance(STEP)
    assert "10 recovery" in " ".join(signed_in.get("/account").text.split())


def test_the_account_page_says_a_wrong_first_code_next_to_its_field(signed_in):
    signed_in.submit("/account", "/account/totp")

    response = signed_in.submit("/account", "/account/totp/confirm", code="000000")

    assert response.status_code == 400
    assert "That code is not right" in response.text


def test_the_account_page_turns_the_app_off(frozen_clock, signed_in, user, new_browser):
    turn_on(signed_in, frozen_clock)

    response = signed_in.submit("/account", "/account/totp/delete")

    assert landing(response) == "/account#authenticator-app"
    assert plain_sign_in_works(new_browser, user)


def test_the_reauthentication_page_asks_for_a_code(frozen_clock, signed_in):
    app = turn_on(signed_in, frozen_clock)
    frozen_clock.advance(signed_in.settings.reauth_lifetime)

    page = signed_in.get("/reauthenticate?next=/account")
    form = parse_page(page.text).form("/reauthenticate")
    assert form.input("code") and not any(i.get("name") == "password" for i in form.inputs)

    wrong = signed_in.submit("/reauthenticate?next=/account", "/reauthenticate", code="000000")
    assert wrong.status_code == 401
    right = signed_in.submit(
        "/reauthenticate?next=/account", "/reauthenticate", code=app.code(frozen_clock)
    )
    assert landing(right) == "/account"
    assert signed_in.get("/account/export").status_code == 200


def test_deleting_the_account_deletes_its_second_factor(frozen_clock, signed_in, user, db):
    turn_on(signed_in, frozen_clock)
    frozen_clock.advance(seconds=1)

    headers = {"X-CSRF-Token": signed_in.csrf_token()}
    assert signed_in.delete("/api/account", headers=headers).status_code == 204

    for table in ("authenticator_apps", "recovery_codes", "pending_sign_ins"):
        assert db.scalar(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608
