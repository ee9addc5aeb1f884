"""No pre-hijacking: registering someone else's address first gains nothing (contract section
4). Whoever proves the address (the reset link from its mail, or a sign-in provider that
verified it) gets the account, and what the squatter set up is gone."""

from helpers import passphrase

OWNER_PASSWORD = passphrase(24, "saffron")


def test_the_owners_reset_removes_the_squatters_password_and_sign_ins(
    client, user, mailbox, new_browser
):
    squatter = new_browser(ip="203.0.113.66")
    assert squatter.sign_in(user.email, user.password).status_code == 303
    owner = new_browser(ip="198.51.100.1")

    owner.post_json("/api/auth/password/forgot", {"email": user.email})
    owner.settle()
    mail = mailbox.last(user.email, "Reset your password")
    reset = {"token": mail.token, "password": OWNER_PASSWORD}
    assert owner.post_json("/api/auth/password/reset", reset).status_code == 204

    assert squatter.get("/account").status_code == 303
    assert squatter.api_login(user.email, user.password).status_code == 401
    assert owner.sign_in(user.email, OWNER_PASSWORD).status_code == 303
    assert owner.me().json()["email_verified"] is True


def test_the_confirmation_link_alone_does_not_confirm_for_a_stranger(client, user, mailbox):
    """The owner of the mailbox clicks the link in a mail they never asked for: without the
    squatter's password or sign-in, the address stays unconfirmed, so the squatter cannot use
    the owner's click to make the account look trustworthy."""
    client.settle()
    mail = mailbox.last(user.email, "Confirm your email address")

    response = client.post_json("/api/auth/email/verify", {"token": mail.token})

    assert response.status_code == 401
    client.sign_in(user.email, user.password)
    assert client.me().json()["email_verified"] is False


def test_the_squatters_linked_identity_goes_with_the_reset(client, user, mailbox, db):
    db.execute(
        "INSERT INTO oauth_accounts (provider, issuer, subject, user_id, email, created_at) "
        "SELECT 'example', 'https://id.example.com', 'squatter', id, email, created_at "
        "FROM users"
    )
    client.post_json("/api/auth/password/forgot", {"email": user.email})
    client.settle()
    mail = mailbox.last(user.email, "Reset your password")
    reset = {"token": mail.token, "password": OWNER_PASSWORD}

    assert client.post_json("/api/auth/password/reset", reset).status_code == 204
    assert db.scalar("SELECT count(*) FROM oauth_accounts") == 0
