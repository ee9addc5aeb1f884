"""Creating an account: the register page signs in, the API does not, emails are normalised."""

from helpers import landing, parse_page, passphrase


def test_register_page_creates_the_account_and_signs_in(client, password, db):
    response = client.register("grace@example.com", password)

    assert response.status_code == 303
    assert landing(response) == "/"
    assert client.sign_in_token
    assert client.me().json()["email"] == "grace@example.com"
    assert db.scalar("SELECT count(*) FROM users WHERE email = 'grace@example.com'") == 1


def test_register_page_shows_the_form_again_with_a_plain_message(client, db):
    short = passphrase(client.settings.password_min_length - 1)

    response = client.register("grace@example.com", short)

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    form = parse_page(response.text).form("/register")
    assert form.value("email") == "grace@example.com"
    assert form.input("password").get("value", "") == ""
    assert short not in response.text
    assert str(client.settings.password_min_length) in parse_page(response.text).alert
    assert client.sign_in_token is None
    assert db.scalar("SELECT count(*) FROM users") == 0


def test_register_page_says_when_the_email_is_taken(client, user):
    other = passphrase(len(user.password), "other")

    response = client.register(user.email, other)

    assert response.status_code == 409
    assert "already" in parse_page(response.text).alert.lower()
    assert other not in response.text
    assert client.sign_in_token is None


def test_register_page_refuses_an_invalid_email(client, password, db):
    response = client.register("not-an-email", password)

    assert response.status_code == 400
    page = parse_page(response.text)
    assert page.form("/register").value("email") == "not-an-email"
    assert "email" in page.alert.lower()
    assert db.scalar("SELECT count(*) FROM users") == 0


def test_emails_are_stored_lower_case_and_unique_whatever_the_case(client, password, db):
    created = client.api_register("  Grace.Hopper@Example.COM ", password)
    again = client.api_register("grace.hopper@example.com", passphrase(len(password), "other"))
    signed_in = client.sign_in("GRACE.HOPPER@example.com", password)

    assert created.status_code == 201
    assert created.json()["email"] == "grace.hopper@example.com"
    assert again.status_code == 409
    assert db.scalar("SELECT email FROM users") == "grace.hopper@example.com"
    assert db.scalar("SELECT count(*) FROM users") == 1
    assert signed_in.status_code == 303
    assert client.me().json()["email"] == "grace.hopper@example.com"


def test_new_accounts_are_active_with_a_hashed_password(client, user, db):
    row = db.rows("SELECT is_active, password_hash FROM users WHERE id = :id", id=user.id)[0]

    assert row.is_active
    assert row.password_hash.startswith("$argon2id$")
    assert user.password not in row.password_hash


def fullwidth(text):
    """`text` in the fullwidth forms of its ASCII characters ("a" U+FF41, "@" U+FF20, ...)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_an_address_signs_in_however_it_was_typed(client, password, db):
    fullwidth_domain = "grace@" + fullwidth("example.com")
    decomposed = "jose\u0301@example.com"  # "e" and a combining accent
    punycode = "ada@xn--bcher-kva.de"

    for email in (fullwidth_domain, decomposed, punycode):
        assert client.api_register(email, password).status_code == 201, email

    assert {row.email for row in db.rows("SELECT email FROM users")} == {
        "grace@example.com",
        "jos\u00e9@example.com",
        "ada@b\u00fccher.de",
    }
    for email in (fullwidth_domain, "GRACE@example.com", decomposed, "JOS\u00c9@example.com"):
        assert client.api_login(email, password).status_code == 200, email
    for email in (punycode, "ada@B\u00dcCHER.de"):
        assert client.api_login(email, password).status_code == 200, email
    assert client.sign_in(fullwidth_domain, password).status_code == 303


def test_look_alike_spellings_of_an_address_are_one_account(client, password, db):
    assert client.api_register("grace@example.com", password).status_code == 201
    other = passphrase(len(password), "other")

    for look_alike in (
        fullwidth("grace") + "@example.com",
        fullwidth("G") + "race@example.com",
        "grace" + fullwidth("@") + "example.com",
    ):
        assert client.api_register(look_alike, other).status_code == 409, look_alike
    assert client.register(fullwidth("grace@example.com"), other).status_code == 409
    assert db.scalar("SELECT count(*) FROM users") == 1


def test_an_address_that_cannot_be_normalised_is_refused_with_a_reason(client, password, db):
    response = client.register("grace@exa\u00admple.com", password)  # a soft hyphen

    assert response.status_code == 400
    assert "email address is not valid" in parse_page(response.text).alert
    assert db.scalar("SELECT count(*) FROM users") == 0
