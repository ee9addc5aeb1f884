"""The account page: devices, revoking one, signing out everywhere, changing the password."""

import hashlib
from datetime import UTC, datetime

from helpers import landing, parse_page, passphrase

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def sign_in_id(db, token):
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.scalar("SELECT id FROM sign_ins WHERE token_hash = :h", h=digest)


def two_devices(new_browser, user):
    laptop = new_browser(user_agent=FIREFOX, ip="198.51.100.7")
    phone = new_browser(user_agent=IPHONE, ip="203.0.113.42")
    for browser in (laptop, phone):
        assert browser.sign_in(user.email, user.password).status_code == 303
    return laptop, phone


def ended(browser):
    """Whether the browser's sign-in has ended on the server: the token that names it, presented
    alone, no longer signs anyone in."""
    return browser.me(browser.sign_in_token).status_code == 401


def test_account_page_needs_a_sign_in(client):
    response = client.get("/account")

    assert response.status_code == 303
    assert landing(response) == "/login?next=/account"


def test_account_page_lists_the_email_and_every_device(new_browser, user, db):
    laptop, phone = two_devices(new_browser, user)

    response = laptop.get("/account")

    assert response.status_code == 200
    assert user.email in response.text
    assert "Firefox on Linux" in response.text
    assert "iPhone" in response.text
    assert "198.51.100.7" in response.text
    assert "203.0.113.42" in response.text
    actions = {form.action.partition("#")[0] for form in parse_page(response.text).forms}
    for browser in (laptop, phone):
        assert f"/account/sign-ins/{sign_in_id(db, browser.sign_in_token)}/revoke" in actions
    assert "/account/sign-out-everywhere" in actions
    assert "/account/password" in actions


def test_account_page_says_when_each_device_signed_in(client, user, frozen_clock):
    frozen_clock.now = datetime(2026, 3, 5, 7, 4, 9, tzinfo=UTC)
    assert client.sign_in(user.email, user.password).status_code == 303
    frozen_clock.advance(minutes=30)

    response = client.get("/account")

    signed_in_at = '<time datetime="2026-03-05T07:04:09+00:00">5 Mar 2026, 07:04 UTC</time>'
    seen_at = '<time datetime="2026-03-05T07:34:09+00:00">5 Mar 2026, 07:34 UTC</time>'
    assert signed_in_at in response.text
    assert seen_at in response.text


def test_account_page_says_how_each_device_signed_in(new_browser, user, db):
    laptop = new_browser(user_agent=FIREFOX)
    assert laptop.sign_in(user.email, user.password).status_code == 303
    phone = new_browser(user_agent=IPHONE)
    assert phone.api_login(user.email, user.password).status_code == 200
    signed_in_with = " with a password</span>"

    both = laptop.get("/account").text
    # A sign-in made before its method was kept (migration 0008) says nothing of it.
    db.execute("UPDATE sign_ins SET method = NULL WHERE id = (SELECT max(id) FROM sign_ins)")
    one = laptop.get("/account").text

    assert [row[0] for row in db.rows("SELECT method FROM sign_ins ORDER BY id")] == [
        "password",
        None,
    ]
    assert both.count(signed_in_with) == 2
    assert one.count(signed_in_with) == 1


def test_v7_4_3_revoke_one_device(new_browser, user, db):
    laptop, phone = two_devices(new_browser, user)
    phone_id = sign_in_id(db, phone.sign_in_token)

    response = laptop.submit("/account", f"/account/sign-ins/{phone_id}/revoke")

    assert response.status_code == 303
    assert landing(response).startswith("/account")
    assert ended(phone)
    assert laptop.me().status_code == 200
    assert f"/account/sign-ins/{phone_id}/revoke" not in laptop.get("/account").text


def test_v7_4_3_revoking_this_device_signs_it_out(signed_in, db):
    own_id = sign_in_id(db, signed_in.sign_in_token)

    response = signed_in.submit("/account", f"/account/sign-ins/{own_id}/revoke")

    assert response.status_code == 303
    assert landing(response) == "/login"
    assert signed_in.me().status_code == 401


def test_v7_4_3_nobody_can_revoke_someone_elses_sign_in(signed_in, new_browser, password, db):
    mallory = new_browser()
    assert mallory.api_register("mallory@example.com", password).status_code == 201
    assert mallory.sign_in("mallory@example.com", password).status_code == 303
    victim_id = sign_in_id(db, signed_in.sign_in_token)
    token = mallory.csrf_token()

    response = mallory.post(f"/account/sign-ins/{victim_id}/revoke", data={"csrf_token": token})

    assert response.status_code in {303, 404}
    assert signed_in.me().status_code == 200
    assert mallory.me().status_code == 200


def test_v7_4_3_sign_out_everywhere(new_browser, user, db):
    laptop, phone = two_devices(new_browser, user)

    response = laptop.submit("/account", "/account/sign-out-everywhere")

    assert response.status_code == 303
    assert landing(response) == "/login"
    assert laptop.me().status_code == 401
    assert ended(phone)
    assert db.scalar("SELECT count(*) FROM sign_ins WHERE user_id = :id", id=user.id) == 0


def test_v7_4_3_changing_the_password_ends_the_other_sign_ins(new_browser, user):
    laptop, phone = two_devices(new_browser, user)
    new_password = passphrase(len(user.password), "fresh")

    response = laptop.submit(
        "/account",
        "/account/password",
        current_password=user.password,
        new_password=new_password,
    )

    assert response.status_code == 303
    assert landing(response).startswith("/account")
    assert laptop.me().status_code == 200
    assert ended(phone)
    tablet = new_browser()
    assert tablet.api_login(user.email, user.password).status_code == 401
    assert tablet.api_login(user.email, new_password).status_code == 200


def test_changing_the_password_needs_the_current_one(new_browser, user, db):
    laptop, phone = two_devices(new_browser, user)
    stored = db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id)
    wrong = passphrase(len(user.password), "wrong")

    response = laptop.submit(
        "/account",
        "/account/password",
        current_password=wrong,
        new_password=passphrase(len(user.password), "fresh"),
    )

    assert response.status_code == 400
    page = parse_page(response.text)
    assert page.alert
    assert page.form("/account/password")
    assert wrong not in response.text
    assert db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id) == stored
    assert laptop.me().status_code == 200
    assert phone.me().status_code == 200


def test_a_new_password_follows_the_same_rules(signed_in, user, db):
    stored = db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id)

    response = signed_in.submit(
        "/account",
        "/account/password",
        current_password=user.password,
        new_password=passphrase(signed_in.settings.password_min_length - 1),
    )

    assert response.status_code == 400
    assert str(signed_in.settings.password_min_length) in parse_page(response.text).alert
    assert db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id) == stored


def cookies_held(browser):
    """A Cookie header with every cookie the browser holds now: a tab left open sends them again
    later, whatever the server has answered in between."""
    return {"cookie": "; ".join(f"{name}={value}" for name, value in browser.cookies.items())}


def try_the_account(browser, held, csrf_token, user, other_id):
    """Each thing a device could do on the account page, sent with the cookies it `held`."""
    form = {"csrf_token": csrf_token}
    new_password = passphrase(len(user.password), "taken")
    return {
        "see the account page": browser.get("/account", headers=held),
        "change the password": browser.post(
            "/account/password",
            headers=held,
            data=form | {"current_password": user.password, "new_password": new_password},
        ),
        "revoke a device": browser.post(
            f"/account/sign-ins/{other_id}/revoke", headers=held, data=form
        ),
        "sign out everywhere": browser.post(
            "/account/sign-out-everywhere", headers=held, data=form
        ),
    }


def assert_sent_to_sign_in(answers):
    landings = {action: landing(answer) for action, answer in answers.items()}
    assert landings == {
        "see the account page": "/login?next=/account",
        "change the password": "/login",
        "revoke a device": "/login",
        "sign out everywhere": "/login",
    }


def test_v7_4_3_a_revoked_device_can_neither_see_nor_change_the_account(new_browser, user, db):
    laptop, phone = two_devices(new_browser, user)
    laptop_id = sign_in_id(db, laptop.sign_in_token)
    phone_id = sign_in_id(db, phone.sign_in_token)
    password_hash = db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id)
    csrf_token, held = phone.csrf_token(), cookies_held(phone)
    laptop.submit("/account", f"/account/sign-ins/{phone_id}/revoke")

    answers = try_the_account(phone, held, csrf_token, user, other_id=laptop_id)

    assert_sent_to_sign_in(answers)
    assert db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id) == password_hash
    assert not ended(laptop)
    assert laptop.get("/account").status_code == 200


def test_v7_4_3_after_signing_out_everywhere_a_device_can_neither_see_nor_change_the_account(
    new_browser, user, db
):
    laptop, phone = two_devices(new_browser, user)
    password_hash = db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id)
    csrf_token, held = phone.csrf_token(), cookies_held(phone)
    laptop.submit("/account", "/account/sign-out-everywhere")
    tablet = new_browser()
    assert tablet.sign_in(user.email, user.password).status_code == 303

    answers = try_the_account(
        phone, held, csrf_token, user, other_id=sign_in_id(db, tablet.sign_in_token)
    )

    assert_sent_to_sign_in(answers)
    assert db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id) == password_hash
    assert not ended(tablet)
    assert tablet.get("/account").status_code == 200
