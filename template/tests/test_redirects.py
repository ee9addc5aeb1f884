"""Where people land: `next=` only ever sends them to a path on this site."""

from urllib.parse import quote

import pytest
from helpers import landing, parse_page

OFFSITE = [
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "evil.example",
]


def post_login(browser, user, next_value):
    token = parse_page(browser.get("/login").text).form("/login").value("csrf_token")
    return browser.post(
        "/login",
        data={
            "email": user.email,
            "password": user.password,
            "csrf_token": token,
            "next": next_value,
        },
    )


@pytest.mark.parametrize("target", OFFSITE)
def test_v3_7_2_offsite_next_lands_on_home(client, user, target):
    response = post_login(client, user, target)

    assert response.status_code == 303
    assert landing(response) == "/"


@pytest.mark.parametrize("target", OFFSITE)
def test_v3_7_2_sign_in_page_does_not_carry_an_offsite_next(client, target):
    form = parse_page(client.get(f"/login?next={quote(target)}").text).form("/login")

    assert form.value("next") in {"", "/"}


@pytest.mark.parametrize("target", ["/account", "/account?tab=devices"])
def test_v3_7_2_same_site_next_is_honoured(client, user, target):
    response = post_login(client, user, target)

    assert response.status_code == 303
    assert landing(response) == target


def test_anonymous_account_visit_returns_there_after_sign_in(client, user):
    to_login = client.get("/account")
    assert landing(to_login) == "/login?next=/account"

    response = client.sign_in(user.email, user.password, page=landing(to_login))

    assert response.status_code == 303
    assert landing(response) == "/account"
    assert client.get("/account").status_code == 200


def test_signed_in_pages_land_where_expected(client, password):
    registered = client.register("grace@example.com", password)
    signed_out = client.sign_out()

    assert landing(registered) == "/"
    assert landing(signed_out) == "/"
