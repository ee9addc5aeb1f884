"""Signing out ends the sign-in on the server: its old cookie is worth nothing afterwards."""

import hashlib

from helpers import landing, set_cookie


def sign_ins_with_token(db, token):
    digest = hashlib.sha256(token.encode()).hexdigest()
    return db.scalar("SELECT count(*) FROM sign_ins WHERE token_hash = :h", h=digest)


def test_v7_4_1_sign_out_page_ends_the_sign_in(signed_in, db):
    token = signed_in.sign_in_token
    assert sign_ins_with_token(db, token) == 1

    response = signed_in.sign_out()

    assert response.status_code == 303
    assert landing(response) == "/"
    for name in signed_in.sign_in_cookie_names:
        assert set_cookie(response, name).cleared, name
    assert signed_in.sign_in_token is None
    assert sign_ins_with_token(db, token) == 0
    assert signed_in.me().status_code == 401
    assert signed_in.me(token).status_code == 401


def test_v7_4_1_api_logout_ends_the_sign_in(signed_in, db):
    token = signed_in.sign_in_token

    response = signed_in.api_logout()

    assert response.status_code == 204
    for name in signed_in.sign_in_cookie_names:
        assert set_cookie(response, name).cleared, name
    assert sign_ins_with_token(db, token) == 0
    assert signed_in.me(token).status_code == 401


def test_v7_4_1_replayed_cookie_cannot_reach_pages_after_sign_out(signed_in):
    token = signed_in.sign_in_token
    signed_in.sign_out()

    response = signed_in.get("/account", headers={"cookie": signed_in.cookie_header(token)})

    assert response.status_code == 303
    assert landing(response).startswith("/login")


def test_signing_out_leaves_other_devices_signed_in(signed_in, user, new_browser):
    phone = new_browser()
    assert phone.sign_in(user.email, user.password).status_code == 303

    signed_in.sign_out()

    assert signed_in.me().status_code == 401
    assert phone.me().status_code == 200


def test_v7_4_1_an_ended_sign_in_id_is_never_handed_out_again(signed_in, user, new_browser, db):
    """A sign-in's id names it outside the database (the device list, what a client holds):
    given to a new sign-in, it would bring the ended one back to life (SQLite, unless told
    otherwise, hands the highest id out again once its row is deleted)."""
    ended = {row.id for row in db.rows("SELECT id FROM sign_ins")}
    signed_in.sign_out()

    assert signed_in.sign_in(user.email, user.password).status_code == 303
    assert new_browser().api_login(user.email, user.password).status_code == 200

    now_signed_in = {row.id for row in db.rows("SELECT id FROM sign_ins")}
    assert len(now_signed_in) == 2
    assert not now_signed_in & ended
