"""Forged and broken access tokens are refused (RFC 8725; ASVS 9.1 and 9.2), each one next to a
control: the same token made honestly is taken, so a refusal is about what was changed."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import forge
import pytest


@pytest.fixture
def api_client(client, user):
    """An API client signed in as `user`: the browser holds no cookie, only the JSON tokens."""
    tokens = client.api_tokens(user.email, user.password)
    client.tokens = tokens
    return client


def refused(client, token):
    response = client.me_with(token)
    assert response.headers["content-type"].startswith("application/json")
    return response.status_code == 401


def test_control_an_honest_token_made_by_hand_is_taken(api_client, settings, user):
    token = forge.honest(settings, api_client.tokens["access_token"])

    response = api_client.me_with(token)

    assert response.status_code == 200
    assert response.json() == {"id": user.id, "email": user.email, "email_verified": False}


def test_v9_1_1_tampered_payload_refused(api_client):
    token = api_client.tokens["access_token"]
    header, _, signature = token.split(".")
    _, claims = forge.unverified(token)
    other = forge.signing_input({}, claims | {"sub": "999", "email": "eve@example.com"})

    tampered = f"{header}.{other.split('.')[1]}.{signature}"

    assert refused(api_client, tampered)
    assert api_client.me_with(token).status_code == 200


@pytest.mark.parametrize("cut", ["empty", "missing", "truncated", "one character changed"])
def test_v9_1_1_broken_signature_refused(api_client, cut):
    token = api_client.tokens["access_token"]
    data, _, signature = token.rpartition(".")
    broken = {
        "empty": f"{data}.",
        "missing": data,
        "truncated": f"{data}.{signature[: len(signature) // 2]}",
        "one character changed": f"{data}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}"
        + signature[-1],
    }[cut]

    assert refused(api_client, broken)


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
def test_v9_1_2_alg_none_refused_in_any_casing(api_client, settings, alg):
    honest_token = api_client.tokens["access_token"]
    header = forge.header(settings, alg=alg)
    claims = forge.claims(honest_token)

    for signature in (b"", b"x"):
        assert refused(api_client, forge.compose(header, claims, signature)), signature


def test_v9_1_2_hs256_with_an_empty_key_refused(api_client, settings):
    honest_token = api_client.tokens["access_token"]
    claims = forge.claims(honest_token)

    for kid in (settings.token_keys.signing_kid, None):
        header = forge.header(settings, alg="HS256", kid=kid)
        assert refused(api_client, forge.hmac_sign(header, claims, b"")), kid


def test_v9_1_3_embedded_jwk_is_ignored(api_client, settings):
    honest_token = api_client.tokens["access_token"]
    made, key = forge.attacker_key()
    for kid in (made["kid"], settings.token_keys.signing_kid):
        header = forge.header(settings, kid=kid, jwk=forge.public_part(made))
        token = forge.sign(header, forge.claims(honest_token), key)
        assert refused(api_client, token), kid


class KeyServer(BaseHTTPRequestHandler):
    """An attacker's web server handing out its keys; it notes every request it gets."""

    requests: list[str]
    jwks: dict

    def do_GET(self):
        self.requests.append(self.path)
        body = json.dumps(self.jwks).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def attacker_server():
    made, key = forge.attacker_key()
    handler = type("Handler", (KeyServer,), {"requests": [], "jwks": {"keys": [made]}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", made, key, handler.requests
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("parameter", ["jku", "x5u"])
def test_v9_1_3_jku_and_x5u_are_never_fetched(api_client, settings, attacker_server, parameter):
    url, made, key, requests = attacker_server
    honest_token = api_client.tokens["access_token"]

    answers = []
    for kid in (made["kid"], settings.token_keys.signing_kid):
        header = forge.header(settings, kid=kid, **{parameter: f"{url}/jwks.json"})
        answers.append(refused(api_client, forge.sign(header, forge.claims(honest_token), key)))

    assert answers == [True, True]
    assert requests == []


KID_ATTACKS = [
    "../../../../../../dev/null",
    "/etc/passwd",
    "..\\..\\windows\\win.ini",
    "' OR '1'='1",
    "x'; DROP TABLE users; --",
    "",
]


@pytest.mark.parametrize("kid", KID_ATTACKS)
def test_v9_1_3_kid_is_only_a_lookup_key(api_client, settings, db, kid):
    honest_token = api_client.tokens["access_token"]
    _, key = forge.attacker_key()
    claims = forge.claims(honest_token)

    attacker_signed = forge.sign(forge.header(settings, kid=kid), claims, key)
    empty_hmac = forge.hmac_sign(forge.header(settings, alg="HS256", kid=kid), claims, b"")
    real_key = forge.sign(forge.header(settings, kid=kid), claims, settings.token_keys.signing_key)

    assert refused(api_client, attacker_signed)
    assert refused(api_client, empty_hmac)
    assert refused(api_client, real_key)
    assert db.scalar("SELECT count(*) FROM users") == 1


def test_v9_1_3_unknown_crit_refused(api_client, settings):
    honest_token = api_client.tokens["access_token"]
    header = forge.header(settings, crit=["exp-check"])
    header["exp-check"] = True

    token = forge.sign(header, forge.claims(honest_token), settings.token_keys.signing_key)

    assert refused(api_client, token)


@pytest.mark.parametrize("typ", [None, "JWT", "refresh+jwt", "AT+JWT "])
def test_v9_2_2_access_tokens_need_their_typ(api_client, settings, typ):
    token = forge.honest(settings, api_client.tokens["access_token"], {"typ": typ})

    assert refused(api_client, token)


def test_v9_2_1_expired_token_refused(frozen_clock, api_client, settings):
    now = int(frozen_clock.now.timestamp())
    honest_token = api_client.tokens["access_token"]

    expired = forge.honest(settings, honest_token, iat=now - 1000, exp=now - 60)
    within_leeway = forge.honest(settings, honest_token, iat=now - 1000, exp=now - 5)

    assert refused(api_client, expired)
    assert api_client.me_with(within_leeway).status_code == 200


def test_v9_2_1_token_dies_at_its_own_expiry(frozen_clock, api_client, settings):
    token = api_client.tokens["access_token"]
    lifetime = settings.access_token_lifetime

    frozen_clock.advance(lifetime)
    at_expiry = api_client.me_with(token)
    frozen_clock.advance(minutes=1)
    after = api_client.me_with(token)

    assert at_expiry.status_code == 200  # within the leeway
    assert after.status_code == 401


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "sid", "jti"])
def test_v9_2_1_missing_claims_refused(api_client, settings, claim):
    token = forge.honest(settings, api_client.tokens["access_token"], **{claim: None})

    assert refused(api_client, token)


@pytest.mark.parametrize("exp", ["soon", "99999999999", True, [99999999999], {"at": 1}])
def test_v9_2_1_exp_must_be_a_time(api_client, settings, exp):
    token = forge.honest(settings, api_client.tokens["access_token"], exp=exp)

    assert refused(api_client, token)


def test_v9_2_1_future_nbf_refused(frozen_clock, api_client, settings):
    now = int(frozen_clock.now.timestamp())
    honest_token = api_client.tokens["access_token"]

    not_yet = forge.honest(settings, honest_token, nbf=now + 300)
    already = forge.honest(settings, honest_token, nbf=now - 10)
    issued_in_the_future = forge.honest(settings, honest_token, iat=now + 300, exp=now + 900)

    assert refused(api_client, not_yet)
    assert api_client.me_with(already).status_code == 200
    assert refused(api_client, issued_in_the_future)


@pytest.mark.parametrize(
    "iss",
    ["https://evil.example", "https://testserve", "https://testserver.evil", "http://testserver"],
)
def test_v9_2_3_issuer_must_match_exactly(api_client, settings, iss):
    assert settings.public_url == "https://testserver"
    token = forge.honest(settings, api_client.tokens["access_token"], iss=iss)

    assert refused(api_client, token)


@pytest.mark.parametrize(
    "aud",
    ["https://evil.example", "https://testserve", ["https://testserver", "https://evil.example"]],
)
def test_v9_2_3_audience_must_match_exactly(api_client, settings, aud):
    token = forge.honest(settings, api_client.tokens["access_token"], aud=aud)

    assert refused(api_client, token)


def test_v9_2_2_refresh_token_is_no_access_token(api_client):
    refresh_token = api_client.tokens["refresh_token"]

    as_bearer = api_client.me_with(refresh_token)
    as_cookie = api_client.get(
        "/api/me",
        headers={"cookie": f"{api_client.settings.cookie_name('access')}={refresh_token}"},
    )

    assert as_bearer.status_code == 401
    assert as_cookie.status_code == 401


def test_v9_2_2_access_token_is_no_refresh_token(api_client, db):
    access_token = api_client.tokens["access_token"]

    response = api_client.refresh_with(access_token)

    assert response.status_code == 401
    assert db.scalar("SELECT count(*) FROM sign_ins") == 1
    assert api_client.refresh_with(api_client.tokens["refresh_token"]).status_code == 200


def test_forged_access_cookie_signs_nobody_in(client, user, settings):
    browser_token = client.api_tokens(user.email, user.password)["access_token"]
    _, key = forge.attacker_key()
    forged = forge.sign(forge.header(settings), forge.claims(browser_token), key)
    cookie = {"cookie": f"{settings.cookie_name('access')}={forged}"}

    page = client.get("/account", headers=cookie)
    api = client.get("/api/me", headers=cookie)

    assert page.status_code == 303
    assert api.status_code == 401
