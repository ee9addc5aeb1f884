"""The owner's data export and deletion of the account, behind a fresh sign-in (contract
section 4)."""

import json

from helpers import landing, parse_page

ACCOUNT_TABLES = ["sign_ins", "oauth_accounts", "mail_tokens", "account_events"]


def delete_account(browser):
    return browser.request("DELETE", "/api/account", headers={"X-CSRF-Token": browser.csrf_token()})


def test_export_holds_the_profile_sign_ins_identities_and_events(signed_in, user):
    response = signed_in.get("/api/account/export")

    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    data = response.json()
    assert data["profile"]["email"] == user.email
    assert data["profile"]["email_verified"] is False
    assert len(data["sign_ins"]) == 1
    assert data["linked_identities"] == []
    assert "sign_in.success" in [event["event"] for event in data["security_events"]]
    text = json.dumps(data)
    assert user.password not in text
    assert "argon2" not in text


def test_the_account_page_offers_the_export(signed_in, user):
    page = parse_page(signed_in.get("/account").text)

    assert "/account/export" in page.urls()
    assert signed_in.get("/account/export").json()["profile"]["id"] == user.id


def test_deleting_removes_every_row_of_the_account(signed_in, user, mailbox, new_browser, db):
    phone = new_browser()
    assert phone.sign_in(user.email, user.password).status_code == 303
    signed_in.post_json("/api/auth/password/forgot", {"email": user.email})
    for _ in range(2):
        signed_in.api_login(user.email, "a wrong password, twice")
    signed_in.settle()
    assert db.scalar("SELECT count(*) FROM login_throttles") > 0

    assert delete_account(signed_in).status_code == 204

    assert db.scalar("SELECT count(*) FROM users") == 0
    for table in ACCOUNT_TABLES:
        assert db.scalar(f"SELECT count(*) FROM {table}") == 0, table  # noqa: S608
    keys = [row.key for row in db.rows("SELECT key FROM login_throttles")]
    assert all(not key.startswith(("account", "mail-confirm:", "mail-reset:")) for key in keys)
    assert phone.get("/account").status_code == 303
    assert signed_in.api_login(user.email, user.password).status_code == 401


def test_deletion_is_noticed_by_mail(signed_in, user, mailbox):
    assert delete_account(signed_in).status_code == 204
    signed_in.settle()

    assert mailbox.last(user.email, "Your account was deleted")


def test_the_address_can_register_again_after_deletion(signed_in, user):
    assert delete_account(signed_in).status_code == 204

    assert signed_in.api_register(user.email, user.password).status_code == 201


def test_deleting_through_the_account_page(signed_in, user, db):
    unticked = signed_in.submit("/account", "/account/delete")
    assert unticked.status_code == 400
    assert db.scalar("SELECT count(*) FROM users") == 1

    done = signed_in.submit("/account", "/account/delete", confirm="yes")

    assert landing(done) == "/"
    assert "deleted" in signed_in.get(landing(done)).text
    assert db.scalar("SELECT count(*) FROM users") == 0
    assert signed_in.get("/account").status_code == 303


def test_another_accounts_rows_are_kept(signed_in, user, new_browser, password, db):
    other = new_browser(ip="203.0.113.5")
    assert other.api_register("grace@example.com", password).status_code == 201
    assert other.sign_in("grace@example.com", password).status_code == 303

    assert delete_account(signed_in).status_code == 204

    assert db.scalar("SELECT count(*) FROM users") == 1
    assert other.get("/account").status_code == 200
