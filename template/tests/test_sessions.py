"""The session token: random enough, stored only as a hash, new at every sign-in, and
ended by idle time, by its lifetime, and by disabling the account; the JSON sign-in that sets it,
and the CSRF token that sign-in needs."""

import hashlib
import re
from datetime import timedelta

from helpers import landing, parse_page, passphrase, set_cookie, set_cookies


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def test_v7_2_3_token_has_at_least_128_random_bits(user, new_browser):
    tokens = []
    for _ in range(2):
        browser = new_browser()
        response = browser.api_login(user.email, user.password)
        tokens.append(set_cookie(response, browser.settings.cookie_name("session")).value)

    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token), token
        bits_per_character = 4 if re.fullmatch(r"[0-9a-f]+", token) else 6
        assert len(token) * bits_per_character >= 128
    assert tokens[0] != tokens[1]


def test_v7_2_3_only_a_hash_of_the_token_is_stored(signed_in, db):
    token = signed_in.sign_in_token

    stored = db.rows("SELECT * FROM sign_ins")

    assert [row.token_hash for row in stored] == [token_hash(token)]
    for table in ("users", "sign_ins", "login_throttles"):
        for row in db.rows(f"SELECT * FROM {table}"):  # noqa: S608 (fixed table names)
            assert not any(token in str(value) for value in row), table


def test_v7_2_4_new_token_at_sign_in(client, user, db):
    first = client.api_login(user.email, user.password)
    first_token = set_cookie(first, client.settings.cookie_name("session")).value

    second = client.sign_in(user.email, user.password)
    second_token = set_cookie(second, client.settings.cookie_name("session")).value

    assert second_token != first_token
    assert client.me(first_token).status_code == 401
    assert client.me(second_token).status_code == 200
    assert db.scalar("SELECT count(*) FROM sign_ins WHERE user_id = :id", id=user.id) == 1


def test_v7_2_4_pre_login_cookie_differs_and_is_refused_after_login(
    client, user, new_browser, password
):
    mallory = new_browser()
    assert mallory.api_register("mallory@example.com", password).status_code == 201
    assert mallory.api_login("mallory@example.com", password).status_code == 200
    planted = mallory.sign_in_token
    client.get("/login")
    csrf_cookie = client.cookies.get(client.settings.csrf_cookie_name)

    response = client.post(
        "/api/auth/login",
        json={"email": user.email, "password": user.password},
        headers={
            "X-CSRF-Token": client.csrf_token(),
            "cookie": f"{client.settings.csrf_cookie_name}={csrf_cookie}; "
            + client.cookie_header(planted),
        },
    )

    assert response.status_code == 200
    issued = set_cookie(response, client.settings.cookie_name("session")).value
    assert issued != planted
    assert client.me(planted).status_code == 401
    assert client.me(issued).json()["email"] == user.email


def test_v7_2_4_attacker_chosen_token_is_never_adopted(client, user):
    client.get("/login")
    csrf_cookie = client.cookies.get(client.settings.csrf_cookie_name)
    chosen = "attacker-chosen-session-value-0123456789"

    response = client.post(
        "/api/auth/login",
        json={"email": user.email, "password": user.password},
        headers={
            "X-CSRF-Token": client.csrf_token(),
            "cookie": f"{client.settings.csrf_cookie_name}={csrf_cookie}; "
            + client.cookie_header(chosen),
        },
    )

    assert response.status_code == 200
    assert set_cookie(response, client.settings.cookie_name("session")).value != chosen
    assert client.me(chosen).status_code == 401


def test_v7_3_1_idle_timeout_enforced(frozen_clock, signed_in, settings):
    idle = settings.session_idle_timeout

    frozen_clock.advance(idle - timedelta(minutes=5))
    active_again = signed_in.me()
    frozen_clock.advance(idle - timedelta(minutes=5))
    still_active = signed_in.me()
    frozen_clock.advance(idle + timedelta(seconds=1))
    idle_too_long = signed_in.me()

    assert active_again.status_code == 200
    assert still_active.status_code == 200
    assert idle_too_long.status_code == 401


def test_v7_3_2_absolute_lifetime_enforced(make_app, new_browser, user, frozen_clock):
    app = make_app(session_idle_timeout=timedelta(minutes=30), session_lifetime=timedelta(hours=2))
    browser = new_browser(app)
    assert browser.api_login(user.email, user.password).status_code == 200

    answers = []
    for _ in range(4):
        frozen_clock.advance(minutes=25)
        answers.append(browser.me().status_code)
    frozen_clock.advance(minutes=20, seconds=1)
    answers.append(browser.me().status_code)

    assert answers == [200, 200, 200, 200, 401]


def test_v7_4_2_disabling_an_account_ends_its_sign_ins(signed_in, user, db):
    db.execute("UPDATE users SET is_active = :off WHERE id = :id", off=False, id=user.id)

    api = signed_in.me()
    page = signed_in.get("/account")

    assert api.status_code == 401
    assert page.status_code == 303
    assert landing(page).startswith("/login")


def test_expired_sign_ins_are_pruned(frozen_clock, user, new_browser, settings, db):
    old = new_browser()
    assert old.api_login(user.email, user.password).status_code == 200
    frozen_clock.advance(settings.session_lifetime + timedelta(seconds=1))

    assert new_browser().api_login(user.email, user.password).status_code == 200

    remaining = db.scalar("SELECT count(*) FROM sign_ins WHERE user_id = :id", id=user.id)
    assert remaining == 1


def test_v14_2_1_tokens_never_in_urls(client, user, db):
    secrets_seen = set()
    locations = []

    def visit(response):
        if "location" in response.headers:
            locations.append(response.headers["location"])
        for cookie in response.headers.get_list("set-cookie"):
            secrets_seen.add(cookie.split(";")[0].partition("=")[2].strip('"'))
        if response.headers.get("content-type", "").startswith("text/html"):
            page = parse_page(response.text)
            for form in page.forms:
                for field in form.inputs:
                    if field.get("name") == "csrf_token":
                        secrets_seen.add(field["value"])
                        assert form.method == "post", form.action
            locations.extend(page.urls())
        return response

    visit(client.get("/account"))
    visit(client.get("/login?next=/account"))
    visit(client.sign_in(user.email, user.password, page="/login?next=/account"))
    visit(client.get("/account"))
    visit(client.get("/"))
    sign_in_token = client.sign_in_token
    secrets_seen.add(client.cookies.get(client.settings.csrf_cookie_name))
    visit(client.sign_out())
    visit(client.get("/register"))

    secrets_seen.discard("")
    assert sign_in_token in secrets_seen
    assert len(secrets_seen) >= 3
    for url in locations:
        for secret in secrets_seen:
            assert secret not in url, url


def test_v14_2_1_token_in_the_query_string_is_ignored(signed_in, new_browser):
    token = signed_in.sign_in_token
    name = signed_in.settings.cookie_name("session")
    stranger = new_browser()

    for parameter in ("session", name, "token", "session_token"):
        assert stranger.get(f"/api/me?{parameter}={token}").status_code == 401
        page = stranger.get(f"/account?{parameter}={token}")
        assert page.status_code == 303
        assert landing(page).startswith("/login")


def test_login_answers_200_with_the_user_and_sets_the_session_cookie(client, user):
    response = client.api_login(user.email, user.password)

    assert response.status_code == 200
    assert response.json() == {"user": {"id": user.id, "email": user.email}}
    names = {cookie.name for cookie in set_cookies(response)}
    assert client.settings.cookie_name("session") in names
    assert client.sign_in_token


def test_session_cookie_lasts_no_longer_than_the_sign_in(client, user, settings):
    response = client.api_login(user.email, user.password)

    cookie = set_cookie(response, settings.cookie_name("session"))
    if "max-age" in cookie.attributes:
        lifetime = timedelta(seconds=int(cookie.attributes["max-age"]))
        assert timedelta(0) < lifetime <= settings.session_lifetime
    else:
        assert "expires" not in cookie.attributes, "a fixed expiry without Max-Age"


def test_v3_5_1_json_login_and_register_need_the_token(client, new_browser, user, db):
    credentials = {"email": user.email, "password": user.password}
    newcomer = {"email": "grace@example.com", "password": passphrase(len(user.password), "g")}
    client.csrf_token()
    foreign = {"X-CSRF-Token": new_browser().csrf_token()}

    refused = [
        client.post("/api/auth/login", json=credentials),
        client.post("/api/auth/login", json=credentials, headers=foreign),
        client.post("/api/auth/register", json=newcomer),
        client.post("/api/auth/register", json=newcomer, headers=foreign),
    ]

    assert [response.status_code for response in refused] == [403, 403, 403, 403]
    assert all(isinstance(response.json()["detail"], str) for response in refused)
    assert client.sign_in_token is None
    assert db.scalar("SELECT count(*) FROM users") == 1
    assert client.api_login(user.email, user.password).status_code == 200
