"""Signing in to an account with an authenticator app: the password step yields a pending
sign-in, and only a code turns it into one (contract section 5)."""

import hashlib

import pyotp
from authenticator import STEP, turn_on
from helpers import landing, parse_page, set_cookies

CODE_PAGE = "/login/code"


def pending_login(browser, user):
    """The first step through the API: the answer's mfa_token."""
    response = browser.api_login(user.email, user.password)
    assert response.status_code == 200, response.text
    assert response.json()["mfa_required"] is True
    return response.json()["mfa_token"]


def second_step(browser, token, code):
    return browser.post_json("/api/auth/login/mfa", {"mfa_token": token, "code": code})


def sign_in_ids(db, user):
    return [row[0] for row in db.rows("SELECT id FROM sign_ins WHERE user_id = :u", u=user.id)]


def test_the_password_step_signs_nobody_in(frozen_clock, signed_in, user, new_browser, db):
    turn_on(signed_in, frozen_clock)
    laptop = new_browser()
    before = sign_in_ids(db, user)

    response = laptop.api_login(user.email, user.password)

    assert response.status_code == 200
    assert set(response.json()) == {"mfa_required", "mfa_token"}
    assert not [c for c in set_cookies(response) if c.name in laptop.sign_in_cookie_names]
    assert laptop.me().status_code == 401
    assert sign_in_ids(db, user) == before


def test_a_code_finishes_the_sign_in(frozen_clock, signed_in, user, new_browser, db):
    app = turn_on(signed_in, frozen_clock)
    laptop = new_browser()
    token = pending_login(laptop, user)

    response = second_step(laptop, token, app.code(frozen_clock))

    assert response.status_code == 200
    assert laptop.issued_secrets(response)  # the strategy's normal sign-in answer
    method = db.scalar("SELECT method FROM sign_ins ORDER BY id DESC LIMIT 1")
    assert method == "password+code"


def test_the_pending_token_is_kept_only_as_a_hash(frozen_clock, signed_in, user, new_browser, db):
    turn_on(signed_in, frozen_clock)
    token = pending_login(new_browser(), user)

    stored = db.scalar("SELECT token_hash FROM pending_sign_ins")

    assert stored == hashlib.sha256(token.encode()).hexdigest()


def test_v6_5_1_a_code_works_once(frozen_clock, signed_in, user, new_browser):
    app = turn_on(signed_in, frozen_clock)
    laptop, phone = new_browser(), new_browser()
    code = app.code(frozen_clock)

    assert second_step(laptop, pending_login(laptop, user), code).status_code == 200
    replayed = second_step(phone, pending_login(phone, user), code)

    assert replayed.status_code == 401
    frozen_clock.advance(STEP)
    assert second_step(phone, pending_login(phone, user), app.code(frozen_clock)).status_code == 200


def test_v6_5_1_the_confirming_code_counts_as_used(frozen_clock, signed_in, user, new_browser):
    response = signed_in.post_json("/api/account/totp")
    code = pyotp.TOTP(response.json()["secret"]).at(frozen_clock.now)
    assert signed_in.post_json("/api/account/totp/confirm", {"code": code}).status_code == 200
    laptop = new_browser()

    assert second_step(laptop, pending_login(laptop, user), code).status_code == 401


def test_a_wrong_code_does_not_spend_the_token(frozen_clock, signed_in, user, new_browser):
    app = turn_on(signed_in, frozen_clock)
    laptop = new_browser()
    token = pending_login(laptop, user)

    assert second_step(laptop, token, "000000").status_code == 401
    assert second_step(laptop, token, app.code(frozen_clock)).status_code == 200


def test_the_token_works_once(frozen_clock, signed_in, user, new_browser):
    app = turn_on(signed_in, frozen_clock)
    laptop = new_browser()
    token = pending_login(laptop, user)
    assert second_step(laptop, token, app.code(frozen_clock)).status_code == 200
    frozen_clock.advance(STEP)

    again = second_step(new_browser(), token, app.code(frozen_clock))

    assert again.status_code == 401
    assert "Please sign in again" in again.json()["detail"]


def test_the_pending_sign_in_expires(frozen_clock, signed_in, user, new_browser):
    app = turn_on(signed_in, frozen_clock)
    laptop = new_browser()
    token = pending_login(laptop, user)

    frozen_clock.advance(minutes=10)

    assert second_step(laptop, token, app.code(frozen_clock)).status_code == 401


def test_v6_3_1_wrong_codes_are_throttled(frozen_clock, signed_in, user, new_browser):
    app = turn_on(signed_in, frozen_clock)
    laptop = new_browser()
    token = pending_login(laptop, user)

    answers = [second_step(laptop, token, f"{n:06d}").status_code for n in range(10)]
    refused = second_step(laptop, token, app.code(frozen_clock))

    assert answers == [401] * 10
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    frozen_clock.advance(hours=1)  # the account's window is over (and the token expired)
    assert (
        second_step(laptop, pending_login(laptop, user), app.code(frozen_clock)).status_code == 200
    )


def test_a_recovery_code_signs_in_once_and_the_owner_is_told(
    frozen_clock, signed_in, user, new_browser, mailbox, db
):
    app = turn_on(signed_in, frozen_clock)
    code = app.recovery_codes[3]
    laptop, phone = new_browser(), new_browser()

    first = second_step(laptop, pending_login(laptop, user), code.upper().replace("-", " "))
    again = second_step(phone, pending_login(phone, user), code)

    assert first.status_code == 200
    assert again.status_code == 401
    assert db.scalar("SELECT count(*) FROM recovery_codes") == 9
    method = db.scalar("SELECT method FROM sign_ins ORDER BY id DESC LIMIT 1")
    assert method == "password+recovery"
    laptop.settle()
    assert "9 recovery codes are left" in mailbox.last(user.email, "recovery code").text


def test_v6_4_3_a_password_reset_does_not_skip_the_second_factor(
    frozen_clock, signed_in, user, new_browser, mailbox
):
    turn_on(signed_in, frozen_clock)
    laptop = new_browser()
    laptop.post_json("/api/auth/password/forgot", {"email": user.email})
    laptop.settle()
    token = mailbox.last(user.email, "Reset your password").token
    new_password = user.password + " again"
    reset = {"token": token, "password": new_password}
    assert laptop.post_json("/api/auth/password/reset", reset).status_code == 204

    response = laptop.api_login(user.email, new_password)

    assert response.json()["mfa_required"] is True


# The pages, without JavaScript


def test_the_sign_in_page_asks_for_the_code_before_signing_in(
    frozen_clock, signed_in, user, new_browser, db
):
    app = turn_on(signed_in, frozen_clock)
    laptop = new_browser()

    first = laptop.sign_in(user.email, user.password, page="/login?next=/account")

    assert landing(first) == f"{CODE_PAGE}?next=%2Faccount"
    cookies = {cookie.name: cookie for cookie in set_cookies(first)}
    assert not set(cookies) & laptop.sign_in_cookie_names
    pending = cookies[laptop.settings.cookie_name("second_step")]
    assert pending.attributes["path"] == CODE_PAGE
    assert "httponly" in pending.attributes and "secure" in pending.attributes

    wrong = laptop.submit(landing(first), CODE_PAGE, code="000000")
    assert wrong.status_code == 401
    assert "not right" in parse_page(wrong.text).alert
    right = laptop.submit(landing(first), CODE_PAGE, code=app.code(frozen_clock))

    assert landing(right) == "/account"
    account = laptop.get("/account")
    assert account.status_code == 200
    assert "with a password and a code" in " ".join(account.text.split())


def test_the_code_page_without_a_pending_sign_in_goes_back_to_sign_in(client):
    response = client.get(CODE_PAGE)

    assert landing(response) == "/login"


def test_turning_the_app_off_ends_the_pending_sign_ins(frozen_clock, signed_in, user, new_browser):
    app = turn_on(signed_in, frozen_clock)
    laptop = new_browser()
    token = pending_login(laptop, user)
    headers = {"X-CSRF-Token": signed_in.csrf_token()}
    assert signed_in.delete("/api/account/totp", headers=headers).status_code == 204

    response = second_step(laptop, token, app.code(frozen_clock))

    assert response.status_code == 401
    assert "mfa_required" not in laptop.api_login(user.email, user.password).json()
