"""The JSON API as the contract states it: status codes, bodies, and what sets a cookie."""

from helpers import passphrase, set_cookies


def test_healthz(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_csrf_endpoint_gives_a_token_and_its_cookie(client):
    response = client.get("/api/auth/csrf")

    assert response.status_code == 200
    token = response.json()["csrf_token"]
    assert isinstance(token, str)
    assert len(token) >= 32
    assert client.settings.csrf_cookie_name in {cookie.name for cookie in set_cookies(response)}


def test_register_answers_201_and_does_not_sign_in(client, password):
    response = client.api_register("grace@example.com", password)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "email"}
    assert body["email"] == "grace@example.com"
    assert isinstance(body["id"], int)
    assert not client.sign_in_cookie_names & {c.name for c in set_cookies(response)}
    assert client.me().status_code == 401


def test_register_answers_409_when_the_email_is_taken(client, user):
    response = client.api_register(user.email.upper(), passphrase(len(user.password), "other"))

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert "already" in detail.lower()


def test_register_answers_400_for_a_bad_email_or_password(client, password, db):
    bad_email = client.api_register("not-an-email", password)
    short = client.api_register("grace@example.com", "short")

    assert bad_email.status_code in {400, 422}
    assert short.status_code in {400, 422}
    assert "detail" in bad_email.json()
    assert "detail" in short.json()
    assert db.scalar("SELECT count(*) FROM users") == 0


def test_me_answers_the_signed_in_user(signed_in, user):
    response = signed_in.me()

    assert response.status_code == 200
    assert response.json() == {"id": user.id, "email": user.email, "email_verified": False}


def test_me_answers_401_json_when_not_signed_in(client):
    response = client.me()

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(response.json()["detail"], str)


def test_routes_for_signed_in_users_refuse_before_reading_the_body(client):
    # Someone not signed in learns nothing of what the route expects of its body.
    headers = {"Content-Type": "application/json", "X-CSRF-Token": client.csrf_token()}
    response = client.post("/api/account/password", content=b"{not json", headers=headers)

    assert response.status_code == 401
    assert response.json()["detail"] == "Not signed in."


def test_login_with_a_wrong_password_answers_401(client, user):
    response = client.api_login(user.email, user.password + "!")

    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)
    assert client.sign_in_token is None


def test_logout_answers_204_and_signs_out(signed_in):
    response = signed_in.api_logout()

    assert response.status_code == 204
    assert response.content == b""
    assert signed_in.me().status_code == 401


def test_logout_without_a_sign_in_answers_401(client):
    response = client.api_logout()

    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


def test_bearer_header_alone_decides_and_cookies_are_ignored(signed_in):
    response = signed_in.get("/api/me", headers={"Authorization": "Bearer not-a-real-token"})

    assert response.status_code == 401
    assert signed_in.me().status_code == 200
