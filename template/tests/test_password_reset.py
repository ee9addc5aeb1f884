"""A forgotten password, by mail: the link resets the password once, for a short while, and
every sign-in of the account ends (contract section 4)."""

import statistics
import time

from helpers import landing, parse_page, passphrase

NEW_PASSWORD = passphrase(24, "cobalt")


def forgot(client, email):
    return client.post_json("/api/auth/password/forgot", {"email": email})


def reset(client, token, password=NEW_PASSWORD):
    return client.post_json("/api/auth/password/reset", {"token": token, "password": password})


def reset_mail(client, mailbox, user):
    assert forgot(client, user.email).status_code == 202
    client.settle()
    return mailbox.last(user.email, "Reset your password")


def test_forgotten_password_is_reset_from_the_mail_alone(client, user, mailbox):
    mail = reset_mail(client, mailbox, user)

    assert mail.link.startswith("https://testserver/password/reset?token=")
    assert mail.text and "<a href" in mail.html
    assert reset(client, mail.token).status_code == 204
    assert client.api_login(user.email, user.password).status_code == 401
    assert client.api_login(user.email, NEW_PASSWORD).status_code == 200


def test_forgotten_password_through_the_pages(client, user, mailbox, new_browser):
    page = client.submit("/password/forgot", "/password/forgot", email=user.email)
    assert page.status_code == 200
    assert "Check your mail" in page.text
    client.settle()
    mail = mailbox.last(user.email, "Reset your password")

    form_page = client.get(mail.path)
    assert form_page.status_code == 200
    assert parse_page(form_page.text).form("/password/reset").value("token") == mail.token
    done = client.submit(mail.path, "/password/reset", password=NEW_PASSWORD)

    assert landing(done) == "/login"
    assert "every device is signed out" in client.get("/login").text
    assert new_browser().sign_in(user.email, NEW_PASSWORD).status_code == 303


def test_v6_3_8_unknown_address_gets_the_same_answer_and_no_mail(client, user, mailbox):
    known, unknown = forgot(client, user.email), forgot(client, "nobody@example.com")
    client.settle()

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert mailbox.to("nobody@example.com") == []
    assert len(mailbox.to(user.email)) == 2  # the confirmation at registration, and the reset


def test_v6_3_8_forgot_password_takes_about_as_long_for_an_unknown_address(client, user):
    """The account is looked up after the answer is sent, so the answer cannot tell. Measured as
    medians over many requests; the bound is loose against a busy machine's noise, and far below
    what a lookup, a token and a mail would add."""

    def median_seconds(email):
        times = []
        for _ in range(15):
            started = time.perf_counter()
            forgot(client, email)
            times.append(time.perf_counter() - started)
            client.settle()
        return statistics.median(times)

    known = median_seconds(user.email)
    unknown = median_seconds("nobody@example.com")

    assert abs(known - unknown) < 0.05


def test_v6_4_1_the_link_works_once(client, user, mailbox):
    mail = reset_mail(client, mailbox, user)

    assert reset(client, mail.token).status_code == 204
    again = reset(client, mail.token, passphrase(24, "indigo"))

    assert again.status_code == 400
    assert client.api_login(user.email, NEW_PASSWORD).status_code == 200


def test_v6_4_1_the_link_expires(client, user, mailbox, frozen_clock):
    mail = reset_mail(client, mailbox, user)
    frozen_clock.advance(client.settings.password_reset_lifetime)

    assert reset(client, mail.token).status_code == 400
    assert client.get(mail.path).status_code == 400


def test_v6_4_1_only_the_newest_link_works(client, user, mailbox):
    older = reset_mail(client, mailbox, user)
    newer = reset_mail(client, mailbox, user)

    assert reset(client, older.token).status_code == 400
    assert reset(client, newer.token).status_code == 204


def test_v6_4_1_refused_links_all_get_one_neutral_answer(client, user, mailbox, frozen_clock):
    used = reset_mail(client, mailbox, user)
    assert reset(client, used.token).status_code == 204
    expired = reset_mail(client, mailbox, user)
    frozen_clock.advance(client.settings.password_reset_lifetime)
    answers = [
        reset(client, token)
        for token in (used.token, expired.token, "made-up-token", used.token[:-1] + "x")
    ]

    assert {answer.status_code for answer in answers} == {400}
    assert len({answer.text for answer in answers}) == 1


def test_v6_4_1_the_token_is_random_and_only_its_hash_is_stored(client, user, mailbox, db):
    mail = reset_mail(client, mailbox, user)

    assert len(mail.token) >= 43  # 256 bits in base64url
    stored = db.scalar("SELECT token_hash FROM mail_tokens WHERE purpose = 'password_reset'")
    assert stored != mail.token
    assert mail.token not in str(db.rows("SELECT * FROM mail_tokens"))


def test_v6_4_1_a_confirmation_token_does_not_reset_the_password(client, user, mailbox):
    client.settle()
    confirmation = mailbox.last(user.email, "Confirm your email address")

    assert reset(client, confirmation.token).status_code == 400


def test_v7_4_3_a_reset_ends_every_sign_in(client, user, mailbox, new_browser, db):
    laptop, phone = new_browser(), new_browser()
    assert laptop.sign_in(user.email, user.password).status_code == 303
    assert phone.api_login(user.email, user.password).status_code == 200
    mail = reset_mail(client, mailbox, user)

    assert reset(client, mail.token).status_code == 204

    assert db.scalar("SELECT count(*) FROM sign_ins") == 0
    assert laptop.get("/account").status_code == 303


def test_the_new_password_follows_the_registration_rules(client, user, mailbox):
    mail = reset_mail(client, mailbox, user)

    short = reset(client, mail.token, "x" * (client.settings.password_min_length - 1))

    assert short.status_code == 400
    assert "at least" in short.json()["detail"]
    assert reset(client, mail.token).status_code == 204  # the refused try did not spend the link


def test_an_account_without_a_password_sets_its_first_one(client, user, mailbox, db):
    db.execute("UPDATE users SET password_hash = NULL")  # an account made another way
    mail = reset_mail(client, mailbox, user)

    assert reset(client, mail.token).status_code == 204
    assert client.api_login(user.email, NEW_PASSWORD).status_code == 200


def test_a_reset_confirms_the_address(client, user, mailbox):
    mail = reset_mail(client, mailbox, user)
    assert reset(client, mail.token).status_code == 204
    assert client.sign_in(user.email, NEW_PASSWORD).status_code == 303

    assert client.me().json()["email_verified"] is True


def test_v6_3_7_a_reset_is_noticed_by_mail(client, user, mailbox):
    mail = reset_mail(client, mailbox, user)
    assert reset(client, mail.token).status_code == 204
    client.settle()

    notice = mailbox.last(user.email, "Your password was reset")
    assert "Forgot your password?" in notice.text


def test_reset_mails_are_limited_per_account(client, user, mailbox):
    for _ in range(5):
        assert forgot(client, user.email).status_code == 202
    client.settle()

    assert len([mail for mail in mailbox.to(user.email) if "Reset" in mail.subject]) == 3


def test_reset_requests_are_limited_per_client(client, mailbox, new_browser):
    owners = []
    for number in range(12):
        email = f"user{number}@example.com"
        owner = new_browser(ip=f"203.0.113.{number + 1}")
        assert owner.api_register(email, passphrase(24)).status_code == 201
        owner.settle()
        owners.append(email)
    mailbox.clear()
    for email in owners:
        assert forgot(client, email).status_code == 202
    client.settle()

    assert len(mailbox.mails) == 10
