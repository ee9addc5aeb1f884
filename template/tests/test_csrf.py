"""CSRF: every form post and every cookie-carrying JSON post needs this browser's token, and
nothing changes state on GET."""

import hashlib
import secrets

import pytest
from helpers import parse_page, passphrase


def form_token(browser, page="/login"):
    """The csrf_token a page's form carries (loading it also gives the browser its cookie)."""
    form = parse_page(browser.get(page).text).forms[-1]
    return form.value("csrf_token")


def test_v3_5_1_form_post_without_csrf_refused(client, password, db):
    form_token(client, "/register")
    fields = {"email": "grace@example.com", "password": password}

    without = client.post("/register", data=fields)
    with_token = client.post("/register", data=fields | {"csrf_token": form_token(client)})

    assert without.status_code == 403
    assert with_token.status_code == 303
    assert db.scalar("SELECT count(*) FROM users") == 1


def test_v3_5_1_sign_in_form_without_csrf_refused(client, user):
    form_token(client)
    fields = {"email": user.email, "password": user.password}

    without = client.post("/login", data=fields)
    empty = client.post("/login", data=fields | {"csrf_token": ""})
    with_token = client.post("/login", data=fields | {"csrf_token": form_token(client)})

    assert without.status_code == 403
    assert empty.status_code == 403
    assert with_token.status_code == 303


def test_v3_5_1_form_post_with_a_foreign_token_refused(client, new_browser, user):
    form_token(client)
    foreign = form_token(new_browser())

    response = client.post(
        "/login", data={"email": user.email, "password": user.password, "csrf_token": foreign}
    )

    assert response.status_code == 403
    assert client.sign_in_token is None


def test_v3_5_1_token_without_its_cookie_refused(client, new_browser, user):
    token = form_token(client)
    cookieless = new_browser()

    response = cookieless.post(
        "/login", data={"email": user.email, "password": user.password, "csrf_token": token}
    )

    assert response.status_code == 403


def test_v3_5_1_token_signed_with_another_key_refused(client, make_app, new_browser, user):
    other_key = new_browser(make_app(secret_key=secrets.token_urlsafe(48)))
    nonce_owner_token = form_token(other_key)
    nonce = other_key.cookies.get(other_key.settings.csrf_cookie_name)

    response = client.post(
        "/login",
        data={"email": user.email, "password": user.password, "csrf_token": nonce_owner_token},
        headers={"cookie": f"{client.settings.csrf_cookie_name}={nonce}"},
    )

    assert response.status_code == 403


def test_v3_5_1_cookie_authenticated_json_post_needs_the_token(signed_in, new_browser):
    foreign = {"X-CSRF-Token": new_browser().csrf_token()}

    without = signed_in.post("/api/auth/logout")
    with_foreign = signed_in.post("/api/auth/logout", headers=foreign)

    assert without.status_code == 403
    assert with_foreign.status_code == 403
    assert signed_in.me().status_code == 200
    assert signed_in.api_logout().status_code == 204


def sign_in_id(db, browser):
    digest = hashlib.sha256(browser.sign_in_token.encode()).hexdigest()
    return db.scalar("SELECT id FROM sign_ins WHERE token_hash = :h", h=digest)


def test_v3_5_1_account_forms_need_the_token(signed_in, user, new_browser, db):
    phone = new_browser()
    assert phone.sign_in(user.email, user.password).status_code == 303
    stored = db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id)
    foreign = new_browser().csrf_token()
    posts = {
        "/logout": {},
        "/account/sign-out-everywhere": {},
        f"/account/sign-ins/{sign_in_id(db, phone)}/revoke": {},
        "/account/password": {
            "current_password": user.password,
            "new_password": passphrase(len(user.password), "fresh"),
        },
    }

    for action, fields in posts.items():
        assert signed_in.post(action, data=fields).status_code == 403, action
        answer = signed_in.post(action, data=fields | {"csrf_token": foreign})
        assert answer.status_code == 403, action

    assert signed_in.me().status_code == 200
    assert phone.me().status_code == 200
    assert db.scalar("SELECT password_hash FROM users WHERE id = :id", id=user.id) == stored


@pytest.mark.parametrize(
    "path",
    [
        "/logout",
        "/account/sign-out-everywhere",
        "/account/sign-ins/{id}/revoke",
        "/account/password",
        "/api/auth/logout",
    ],
)
def test_v3_5_3_no_state_change_on_get(signed_in, db, path):
    response = signed_in.get(path.format(id=sign_in_id(db, signed_in)))

    assert response.status_code == 405
    assert signed_in.me().status_code == 200


def test_v3_5_1_token_works_from_the_form_field_and_the_header(client, user, new_browser):
    by_field = client.sign_in(user.email, user.password)
    other = new_browser()
    by_header = other.post(
        "/api/auth/login",
        json={"email": user.email, "password": user.password},
        headers={"X-CSRF-Token": other.csrf_token()},
    )

    assert by_field.status_code == 303
    assert by_header.status_code == 200
