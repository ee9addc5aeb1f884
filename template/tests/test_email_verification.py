"""Confirming an address: a link at registration, resent on request, `email_verified` in
/api/me, and EMAIL_VERIFICATION=mandatory (contract section 4). A link confirms the address only
for someone signed in to its account or who gives its password, so registering someone else's
address gains nothing."""

from helpers import landing, parse_page


def confirmation(client, mailbox, email, subject="Confirm your email address"):
    client.settle()
    return mailbox.last(email, subject)


def verify(client, token, password=None):
    body = {"token": token} if password is None else {"token": token, "password": password}
    return client.post_json("/api/auth/email/verify", body)


def test_registration_mails_a_link_and_the_owner_confirms_it(signed_in, user, mailbox):
    mail = confirmation(signed_in, mailbox, user.email)

    assert signed_in.me().json()["email_verified"] is False
    assert mail.link.startswith("https://testserver/verify-email?token=")
    assert verify(signed_in, mail.token).status_code == 204
    signed_in.sign_in(user.email, user.password)  # a new sign-in reads the account afresh
    assert signed_in.me().json()["email_verified"] is True


def test_the_account_page_asks_to_confirm_until_it_is_confirmed(signed_in, user, mailbox):
    mail = confirmation(signed_in, mailbox, user.email)
    assert "Please confirm your email address" in signed_in.get("/account").text

    page = signed_in.get(mail.path)
    assert page.status_code == 200
    form = parse_page(page.text).form("/verify-email")
    assert "password" not in {attrs.get("name") for attrs in form.inputs}  # signed in: a button
    done = signed_in.submit(mail.path, "/verify-email")

    assert landing(done) == "/account"
    account = signed_in.get("/account").text
    assert "Your email address is confirmed." in account
    assert "Please confirm your email address" not in account


def test_the_link_page_changes_nothing_until_its_button_is_pressed(signed_in, user, mailbox, db):
    mail = confirmation(signed_in, mailbox, user.email)

    assert signed_in.get(mail.path).status_code == 200
    assert signed_in.head(mail.path).status_code in {200, 405}

    assert db.scalar("SELECT email_verified_at FROM users") is None


def test_anyone_with_the_password_confirms_it_from_the_link(client, user, mailbox, new_browser):
    mail = confirmation(client, mailbox, user.email)
    phone = new_browser()

    assert verify(phone, mail.token).status_code == 401
    assert verify(phone, mail.token, "not the password at all").status_code == 401
    assert verify(phone, mail.token, user.password).status_code == 204


def test_the_link_page_asks_a_visitor_for_the_password(client, user, mailbox):
    mail = confirmation(client, mailbox, user.email)

    page = parse_page(client.get(mail.path).text)
    assert page.form("/verify-email").input("password")["type"] == "password"
    refused = client.submit(mail.path, "/verify-email", password="wrong password, surely")
    assert refused.status_code == 401
    done = client.submit(mail.path, "/verify-email", password=user.password)
    assert landing(done) == "/login"


def test_someone_elses_sign_in_does_not_confirm_it(client, user, mailbox, new_browser, password):
    mail = confirmation(client, mailbox, user.email)
    other = new_browser(ip="203.0.113.7")
    assert other.api_register("grace@example.com", password).status_code == 201
    assert other.sign_in("grace@example.com", password).status_code == 303

    assert verify(other, mail.token).status_code == 401


def test_resend_mails_a_new_link_and_the_old_one_stops_working(signed_in, user, mailbox):
    first = confirmation(signed_in, mailbox, user.email)
    assert signed_in.post_json("/api/auth/email/verify/resend").status_code == 202
    second = confirmation(signed_in, mailbox, user.email)

    assert first.token != second.token
    assert verify(signed_in, first.token).status_code == 400
    assert verify(signed_in, second.token).status_code == 204


def test_resend_needs_a_sign_in(client, user):
    assert client.post_json("/api/auth/email/verify/resend").status_code == 401


def test_resend_is_limited(signed_in, user, mailbox):
    for _ in range(5):
        assert signed_in.post_json("/api/auth/email/verify/resend").status_code == 202
    signed_in.settle()

    assert len(mailbox.to(user.email)) == 3  # registration's and two more, in 15 minutes


def test_an_expired_or_used_link_gets_the_neutral_answer(signed_in, user, mailbox, frozen_clock):
    mail = confirmation(signed_in, mailbox, user.email)
    assert verify(signed_in, mail.token).status_code == 204

    used = verify(signed_in, mail.token)
    signed_in.post_json("/api/auth/email/verify/resend")
    assert used.status_code == 400
    frozen_clock.advance(signed_in.settings.email_verification_lifetime)
    assert verify(signed_in, "no-such-token").json() == used.json()


def test_the_mail_tells_a_stranger_to_use_forgot_password(client, user, mailbox):
    mail = confirmation(client, mailbox, user.email)

    assert "did not create this account" in mail.text
    assert "https://testserver/password/forgot" in mail.text


def test_mandatory_verification_refuses_password_sign_in_until_confirmed(
    make_app, new_browser, password, mailbox
):
    app = make_app(email_verification="mandatory")
    browser = new_browser(app)
    registered = browser.register("ada@example.com", password)
    assert registered.status_code == 201
    assert "Check your mail" in registered.text
    assert not browser.sign_in_token
    browser.settle()
    mailbox.clear()

    refused = browser.api_login("ada@example.com", password)
    assert refused.status_code == 403
    assert refused.json()["error"] == "email_not_verified"
    page = browser.sign_in("ada@example.com", password)
    assert page.status_code == 403
    browser.settle()
    mail = mailbox.last("ada@example.com", "Confirm your email address")  # a fresh link

    assert verify(browser, mail.token, password).status_code == 204
    assert browser.sign_in("ada@example.com", password).status_code == 303
