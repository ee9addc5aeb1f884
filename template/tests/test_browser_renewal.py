"""Browsers on the pages: both tokens in HttpOnly cookies, renewed on the way when the access
token expires, so nobody is signed out every 15 minutes; never in a URL, never in the page."""

import hashlib
from datetime import timedelta

import pytest
from helpers import landing, parse_page, set_cookie, set_cookies


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def names(browser):
    access = browser.settings.cookie_name("access")
    return access, browser.settings.cookie_name("refresh")


def cookie_header(browser, access, refresh):
    access_name, refresh_name = names(browser)
    return f"{access_name}={access}; {refresh_name}={refresh}"


def test_v3_3_sign_in_sets_both_tokens_in_host_only_secure_http_only_cookies(client, user):
    response = client.sign_in(user.email, user.password)

    for name in names(client):
        cookie = set_cookie(response, name)
        assert name.startswith("__Host-")
        assert "secure" in cookie.attributes
        assert "httponly" in cookie.attributes
        assert cookie.attributes["samesite"].lower() == "lax"
        assert cookie.attributes["path"] == "/"
        assert "domain" not in cookie.attributes


def test_cookies_last_no_longer_than_their_tokens(client, user, settings):
    response = client.sign_in(user.email, user.password)

    access_name, refresh_name = names(client)
    access_age = int(set_cookie(response, access_name).attributes["max-age"])
    refresh_age = int(set_cookie(response, refresh_name).attributes["max-age"])
    assert 0 < access_age <= settings.access_token_lifetime.total_seconds()
    assert 0 < refresh_age <= settings.sign_in_lifetime.total_seconds()


def test_browser_stays_signed_in_past_the_access_token_lifetime(frozen_clock, signed_in, db):
    old_access, old_refresh = signed_in.access_token, signed_in.sign_in_token

    frozen_clock.advance(minutes=16)
    response = signed_in.get("/account")

    assert response.status_code == 200
    renewed = {cookie.name: cookie for cookie in set_cookies(response)}
    access_name, refresh_name = names(signed_in)
    assert renewed[access_name].value == signed_in.access_token != old_access
    assert renewed[refresh_name].value == signed_in.sign_in_token != old_refresh
    for cookie in renewed.values():
        assert {"secure", "httponly"} <= set(cookie.attributes)
    row = db.rows("SELECT token_hash, previous_token_hash FROM sign_ins")[0]
    assert (row.token_hash, row.previous_token_hash) == (
        token_hash(signed_in.sign_in_token),
        token_hash(old_refresh),
    )
    assert set_cookies(signed_in.get("/account")) == []


def test_a_day_of_use_with_pauses_keeps_the_browser_signed_in(frozen_clock, signed_in, user):
    for _ in range(24):
        frozen_clock.advance(minutes=50)
        assert signed_in.get("/").status_code == 200
        assert user.email in signed_in.get("/").text

    assert signed_in.me().json()["id"] == user.id


def test_a_form_posted_after_the_access_token_expired_still_works(frozen_clock, signed_in, user):
    page = parse_page(signed_in.get("/account").text)
    token = page.form("/account/email/resend").value("csrf_token")

    frozen_clock.advance(minutes=20)
    response = signed_in.post("/account/email/resend", data={"csrf_token": token})

    assert response.status_code == 303
    assert landing(response) == "/account"
    assert signed_in.me().status_code == 200


def test_a_route_that_sets_the_cookies_itself_has_the_last_word(frozen_clock, signed_in, db):
    frozen_clock.advance(minutes=20)

    response = signed_in.sign_out()

    access_name, refresh_name = names(signed_in)
    assert set_cookie(response, access_name).cleared
    assert set_cookie(response, refresh_name).cleared
    assert db.scalar("SELECT count(*) FROM sign_ins") == 0


def test_two_tabs_renewing_at_once_stay_signed_in(frozen_clock, signed_in, db):
    old = cookie_header(signed_in, signed_in.access_token, signed_in.sign_in_token)
    only_refresh = signed_in.cookie_header(signed_in.sign_in_token)
    _, refresh_name = names(signed_in)
    frozen_clock.advance(minutes=16)

    first_tab = signed_in.get("/account", headers={"cookie": only_refresh})
    frozen_clock.advance(seconds=2)
    second_tab = signed_in.get("/account", headers={"cookie": old})

    assert first_tab.status_code == second_tab.status_code == 200
    assert set_cookie(first_tab, refresh_name).value == set_cookie(second_tab, refresh_name).value
    assert db.scalar("SELECT count(*) FROM sign_ins") == 1
    frozen_clock.advance(minutes=16)
    assert signed_in.get("/account").status_code == 200


def test_v10_4_5_a_copied_refresh_cookie_used_later_ends_the_sign_in(
    frozen_clock, signed_in, new_browser, db
):
    copied = signed_in.sign_in_token
    frozen_clock.advance(minutes=16)
    assert signed_in.get("/account").status_code == 200
    frozen_clock.advance(seconds=signed_in.settings.refresh_reuse_interval + 1)
    thief = new_browser()

    stolen = thief.get("/account", headers={"cookie": signed_in.cookie_header(copied)})

    assert stolen.status_code == 303
    assert landing(stolen).startswith("/login")
    for name in names(thief):
        assert set_cookie(stolen, name).cleared
    assert db.scalar("SELECT count(*) FROM sign_ins") == 0
    assert signed_in.me(signed_in.sign_in_token).status_code == 401


def test_v7_3_1_an_idle_browser_is_signed_out(frozen_clock, signed_in, settings):
    frozen_clock.advance(settings.refresh_idle_timeout + timedelta(seconds=1))

    response = signed_in.get("/account")

    assert response.status_code == 303
    assert landing(response) == "/login?next=/account"
    for name in names(signed_in):
        assert set_cookie(response, name).cleared
    assert signed_in.sign_in_token is None


def test_a_bearer_request_is_never_renewed_from_cookies(frozen_clock, signed_in, db):
    frozen_clock.advance(minutes=16)
    before = db.scalar("SELECT token_hash FROM sign_ins")

    response = signed_in.get("/api/me", headers={"authorization": "Bearer expired"})

    assert response.status_code == 401
    assert set_cookies(response) == []
    assert db.scalar("SELECT token_hash FROM sign_ins") == before


def test_static_files_renew_nothing(frozen_clock, signed_in):
    frozen_clock.advance(minutes=16)

    response = signed_in.get("/static/app.css")

    assert response.status_code == 200
    assert set_cookies(response) == []


def test_v7_2_4_new_tokens_at_every_sign_in(client, user, db):
    client.sign_in(user.email, user.password)
    first = client.sign_in_token

    client.sign_in(user.email, user.password)

    assert client.sign_in_token != first
    assert client.me(first).status_code == 401
    assert db.scalar("SELECT count(*) FROM sign_ins WHERE user_id = :id", id=user.id) == 1


def test_v7_2_4_a_planted_refresh_cookie_is_not_adopted(user, new_browser, password):
    mallory = new_browser()
    assert mallory.api_register("mallory@example.com", password).status_code == 201
    assert mallory.sign_in("mallory@example.com", password).status_code == 303
    planted = mallory.sign_in_token
    chosen = "attacker-chosen-refresh-value-0123456789abcdef"

    for value in (planted, chosen):
        victim = new_browser()
        form = parse_page(victim.get("/login").text).form("/login")
        csrf_name = victim.settings.csrf_cookie_name
        csrf_cookie = f"{csrf_name}={victim.cookies.get(csrf_name)}"
        _, refresh_name = names(victim)
        response = victim.post(
            "/login",
            data={
                "email": user.email,
                "password": user.password,
                "csrf_token": form.value("csrf_token"),
            },
            headers={"cookie": f"{csrf_cookie}; {refresh_name}={value}"},
        )
        assert response.status_code == 303
        assert set_cookie(response, refresh_name).value != value
        assert victim.me().json()["email"] == user.email
        assert victim.me(value).status_code == 401
    assert mallory.me(mallory.sign_in_token).status_code == 401


def test_v14_2_1_tokens_never_in_urls_or_pages(frozen_clock, client, user):
    seen_tokens, urls, bodies = set(), [], []

    def visit(response):
        urls.extend([response.headers.get("location", "")])
        seen_tokens.update(cookie.value for cookie in set_cookies(response) if cookie.value)
        if response.headers.get("content-type", "").startswith("text/html"):
            urls.extend(parse_page(response.text).urls())
            bodies.append(response.text)
        return response

    visit(client.get("/account"))
    visit(client.sign_in(user.email, user.password, page="/login?next=/account"))
    visit(client.get("/account"))
    frozen_clock.advance(minutes=16)
    visit(client.get("/account"))
    visit(client.get("/"))
    seen_tokens.update({client.access_token, client.sign_in_token})
    visit(client.sign_out())

    assert len(seen_tokens) >= 4
    for token in seen_tokens:
        assert not any(token in url for url in urls)
        assert not any(token in body for body in bodies)
    # No inline script: only the app's own files, which hold no token.
    scripts = [
        attrs for body in bodies for tag, attrs in parse_page(body).elements if tag == "script"
    ]
    assert all(attrs.get("src", "").startswith("/static/") for attrs in scripts)


@pytest.mark.parametrize("parameter", ["access_token", "refresh_token", "token", "access"])
def test_v14_2_1_tokens_in_the_query_string_are_ignored(signed_in, new_browser, parameter):
    stranger = new_browser()

    for token in (signed_in.access_token, signed_in.sign_in_token):
        assert stranger.get(f"/api/me?{parameter}={token}").status_code == 401
        page = stranger.get(f"/account?{parameter}={token}")
        assert page.status_code == 303
        assert landing(page).startswith("/login")
