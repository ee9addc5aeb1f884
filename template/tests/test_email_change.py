"""Changing the address: behind a fresh sign-in, confirmed from the new address, noticed to the
old one (contract section 4)."""

from helpers import landing

NEW = "ada.lovelace@example.org"


def change(browser, new_email):
    return browser.post_json("/api/account/email", {"new_email": new_email})


def verify(browser, token, password=None):
    body = {"token": token} if password is None else {"token": token, "password": password}
    return browser.post_json("/api/auth/email/verify", body)


def test_the_address_changes_when_the_new_one_confirms(signed_in, user, mailbox, new_browser):
    other_device = new_browser()
    assert other_device.sign_in(user.email, user.password).status_code == 303

    assert change(signed_in, NEW).status_code == 202
    signed_in.settle()
    link = mailbox.last(NEW, "Confirm your new email address")
    notice = mailbox.last(user.email, "Your email address is being changed")
    assert NEW in notice.text
    assert "token=" not in notice.text
    assert signed_in.me().json()["email"] == user.email  # not yet

    assert verify(signed_in, link.token).status_code == 204

    assert signed_in.api_login(user.email, user.password).status_code == 401
    assert signed_in.sign_in(NEW, user.password).status_code == 303
    assert signed_in.me().json() == {"id": user.id, "email": NEW, "email_verified": True}
    assert other_device.get("/account").status_code == 200  # other sign-ins are kept


def test_through_the_account_page(signed_in, user, mailbox):
    done = signed_in.submit("/account", "/account/email", new_email=NEW)
    assert landing(done) == "/account"
    signed_in.settle()
    link = mailbox.last(NEW, "Confirm your new email address")

    confirmed = signed_in.submit(link.path, "/verify-email")

    assert landing(confirmed) == "/account"
    assert NEW in signed_in.get("/account").text


def test_an_invalid_new_address_is_refused_with_a_message(signed_in, user):
    response = change(signed_in, "not an address")

    assert response.status_code == 400
    assert "not valid" in response.json()["detail"]


def test_the_same_address_is_refused(signed_in, user):
    assert change(signed_in, user.email.upper()).status_code == 400


def test_an_address_that_has_an_account_is_not_revealed(
    signed_in, user, mailbox, new_browser, password
):
    taken = "grace@example.com"
    owner = new_browser(ip="203.0.113.9")
    assert owner.api_register(taken, password).status_code == 201
    owner.settle()
    mailbox.clear()

    answer = change(signed_in, taken)
    free = change(signed_in, NEW)
    signed_in.settle()

    assert answer.status_code == free.status_code == 202
    assert answer.json() == free.json()
    warning = mailbox.last(taken, "Someone tried to use this address")
    assert "token=" not in warning.text


def test_an_address_taken_before_the_link_is_used_is_refused(
    signed_in, user, mailbox, new_browser, password
):
    assert change(signed_in, NEW).status_code == 202
    signed_in.settle()
    link = mailbox.last(NEW, "Confirm your new email address")
    assert new_browser(ip="203.0.113.9").api_register(NEW, password).status_code == 201

    assert verify(signed_in, link.token).status_code == 409
    assert signed_in.me().json()["email"] == user.email


def test_only_the_newest_change_link_works(signed_in, user, mailbox):
    assert change(signed_in, NEW).status_code == 202
    assert change(signed_in, "ada@example.net").status_code == 202
    signed_in.settle()

    assert verify(signed_in, mailbox.last(NEW).token).status_code == 400
    assert verify(signed_in, mailbox.last("ada@example.net").token).status_code == 204
