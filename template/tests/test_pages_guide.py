"""Pages that guide a person: what went wrong is said next to the field, each action is followed
by a word on what happened, and every dead end offers a way on."""

import base64

import pytest
from helpers import landing, parse_page, passphrase


def element(page, element_id):
    matches = [attrs for _, attrs in page.elements if attrs.get("id") == element_id]
    assert len(matches) == 1, f"expected one element with id {element_id!r}"
    return matches[0]


def title(html):
    return html.split("<title>", 1)[1].split("</title>", 1)[0]


# Errors at the field


def test_a_refused_field_is_marked_described_and_focused(client, user):
    short = "x" * (client.settings.password_min_length - 1)

    response = client.register("grace@example.com", short)

    assert response.status_code == 400
    page = parse_page(response.text)
    field = page.form("/register").input("password")
    assert field["aria-invalid"] == "true"
    assert "password-error" in field["aria-describedby"].split()
    assert "autofocus" in field
    assert "at least" in page.alert
    assert "Error:" in page.alert  # said in words, not by colour alone
    assert page.form("/register").value("email") == "grace@example.com"  # kept
    assert "value" not in field  # never a password
    assert title(response.text).startswith("Error: ")


def test_an_email_already_taken_offers_to_sign_in(client, user, password):
    response = client.register(user.email, password)

    assert response.status_code == 409
    page = parse_page(response.text)
    assert page.form("/register").input("email")["aria-invalid"] == "true"
    assert "/login" in page.urls()
    assert "/password/forgot" in page.urls()


def test_a_form_sent_without_the_browsers_checks_keeps_what_was_typed(client):
    token = client.csrf_token()

    response = client.post("/register", data={"csrf_token": token, "email": "grace@example.com"})

    assert response.status_code == 400
    page = parse_page(response.text)
    assert page.form("/register").value("email") == "grace@example.com"
    assert page.form("/register").input("password")["aria-invalid"] == "true"


def test_account_form_errors_show_in_their_own_section(signed_in, user):
    page_html = signed_in.submit(
        "/account",
        "/account/password",
        current_password="not it at all",
        new_password=passphrase(24),
    ).text

    page = parse_page(page_html)
    field = page.form("/account/password").input("current_password")
    assert field["aria-invalid"] == "true"
    section = page_html.split('id="password"', 1)[1].split("</section>", 1)[0]
    assert 'id="current_password-error"' in section
    assert 'class="message error"' not in page_html  # no banner at the top, far from the form
    assert "autofocus" in field  # the browser scrolls to the form, and the field has the focus
    nav_account = [attrs for tag, attrs in page.elements if attrs.get("href") == "/account"]
    assert nav_account[0].get("aria-current") == "page"


# A word after every action


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("sign-out", "You are signed out."),
        ("everywhere", "You are signed out on every device."),
    ],
)
def test_signing_out_says_so_once(signed_in, action, message):
    if action == "sign-out":
        done = signed_in.sign_out()
    else:
        done = signed_in.submit("/account", "/account/sign-out-everywhere")

    shown = signed_in.get(landing(done)).text
    assert message in shown
    assert message not in signed_in.get(landing(done)).text


def test_a_changed_password_says_so(signed_in, user):
    done = signed_in.submit(
        "/account",
        "/account/password",
        current_password=user.password,
        new_password=passphrase(24, "ochre"),
    )

    assert landing(done) == "/account"
    assert "Your password is changed." in signed_in.get("/account").text


def test_a_revoked_device_says_so(signed_in, user, new_browser, db):
    other = new_browser()
    assert other.sign_in(user.email, user.password).status_code == 303
    other_id = max(row.id for row in db.rows("SELECT id FROM sign_ins"))

    done = signed_in.submit("/account", f"/account/sign-ins/{other_id}/revoke")

    assert "That device is signed out." in signed_in.get(landing(done)).text


def test_being_sent_to_sign_in_says_why(client):
    sent = client.get("/account")

    assert landing(sent) == "/login?next=/account"
    assert "Please sign in to continue." in client.get(landing(sent)).text


def test_a_message_cannot_be_forged(client, settings):
    fake = base64.urlsafe_b64encode(b"You won a prize").decode().rstrip("=")
    client.cookies.set(settings.cookie_name("flash"), f"{fake}.{'0' * 32}")

    assert "You won a prize" not in client.get("/").text
    assert "prize" not in client.get("/?notice=You+won+a+prize").text


# Dead ends with a way on


def test_an_expired_sign_in_form_comes_back_with_a_word(client, user):
    client.get("/login")
    client.cookies.clear()  # cookies cleared, or a tab restored after a browser restart

    response = client.post("/login", data={"email": user.email, "password": user.password})

    assert response.status_code == 403
    page = parse_page(response.text)
    assert "The page had expired" in page.alert
    assert page.form("/login").value("csrf_token")  # a fresh token: posting again works


def test_an_expired_account_form_links_back(signed_in, user):
    response = signed_in.post("/account/password", data={"new_password": passphrase(24)})

    assert response.status_code == 403
    assert "The page had expired" in response.text
    assert "/account" in parse_page(response.text).urls()


def test_too_many_attempts_say_how_long_to_wait(client, user):
    for number in range(5):
        client.sign_in(user.email, f"wrong password number {number}")

    response = client.sign_in(user.email, user.password)

    assert response.status_code == 429
    assert "try again in 15 minutes" in parse_page(response.text).alert


def test_a_missing_page_offers_the_way_home(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "There is no page at this address" in response.text
    assert "/" in parse_page(response.text).urls()


@pytest.mark.parametrize(("path", "status"), [("/", 200), ("/login", 200), ("/account", 303)])
def test_head_works_wherever_get_does(client, path, status):
    response = client.head(path)

    assert response.status_code == status
    assert response.content == b""


@pytest.mark.parametrize("path", ["/login", "/register"])
def test_a_signed_in_visit_to_sign_in_or_register_goes_to_the_account(signed_in, path):
    assert landing(signed_in.get(path)) == "/account"


def test_this_device_is_listed_first(signed_in, user, new_browser):
    for _ in range(2):
        assert new_browser().sign_in(user.email, user.password).status_code == 303

    page = signed_in.get("/account").text

    first_device = page.split('class="device', 1)[1].split("</li>", 1)[0]
    assert "This device" in first_device
