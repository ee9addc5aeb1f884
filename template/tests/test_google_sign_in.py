"""Google sign-in, end to end against real OpenID providers on 127.0.0.1 (oidc_providers.py).

The app is pointed at the local provider through GOOGLE_DISCOVERY_URL. A test plays the browser
(the test client, talking to the app) and the person at Google (posting to the provider's
authorization page), then follows the provider's redirect back to the app's callback.
"""

import base64
import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

import httpx2
import pytest
from helpers import landing, parse_page, passphrase, set_cookie, set_cookies
from joserfc.jwk import RSAKey
from oidc_providers import ForgedProvider, MockProvider

CLIENT_ID = "authgen-tests.apps.googleusercontent.com"
CLIENT_SECRET = "authgen-tests-client-secret"
PUBLIC_URL = "https://testserver"
CALLBACK = PUBLIC_URL + "/auth/google/callback"
OFFSITE = ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"]


@dataclass(frozen=True)
class GoogleUser:
    subject: str
    email: str


@pytest.fixture(scope="module")
def provider():
    with MockProvider.running() as running:
        yield running


@pytest.fixture(scope="module")
def forged():
    with ForgedProvider.running() as running:
        yield running


@pytest.fixture
def refusals(caplog):
    """The reasons logged for refused Google callbacks so far, to check why one was refused."""
    caplog.set_level(logging.INFO)

    def reasons():
        messages = [record.getMessage() for record in caplog.records]
        return [
            m.split("reason=")[1].split()[0] for m in messages if m.startswith("google.refused")
        ]

    return reasons


def google_settings(discovery_url):
    return {
        "google_client_id": CLIENT_ID,
        "google_client_secret": CLIENT_SECRET,
        "google_discovery_url": discovery_url,
    }


@pytest.fixture
def settings(make_settings, provider):
    """Every app in these tests signs in with Google at the local mock provider."""
    return make_settings(**google_settings(provider.discovery_url))


def new_google_user(provider, email=None, **claims):
    subject = "g-" + secrets.token_hex(8)
    email = email or f"{subject}@example.com"
    provider.add_user(subject, email, **claims)
    return GoogleUser(subject, email)


@pytest.fixture
def google_user(provider):
    """A Google identity with a verified email that no account here has yet."""
    return new_google_user(provider)


def to_provider(response):
    """The authorization URL the app sends the browser to."""
    assert response.status_code in {302, 303}, response.text
    return response.headers["location"]


def query(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


def callback_path(url):
    """The app's path in the provider's redirect back to it."""
    assert url.startswith(CALLBACK + "?"), url
    return url[len(PUBLIC_URL) :]


def sign_in_with_google(browser, provider, subject, start="/auth/google/login"):
    url = to_provider(browser.get(start))
    return browser.get(callback_path(provider.authorize(url, subject)))


def assert_refused(browser, response, status=400):
    assert response.status_code == status, response.text
    names = browser.sign_in_cookie_names
    assert not [c for c in set_cookies(response) if c.name in names and not c.cleared]
    assert browser.me().status_code == 401


def count(db, table):
    return db.scalar(f"SELECT count(*) FROM {table}")  # noqa: S608  (a fixed table name)


# Signing in


def test_v10_5_2_first_google_sign_in_creates_the_account(client, provider, google_user, db):
    response = sign_in_with_google(client, provider, google_user.subject)

    assert response.status_code == 303
    assert landing(response) == "/"
    assert client.me().json()["email"] == google_user.email
    rows = db.rows(
        "SELECT u.password_hash, o.provider, o.issuer, o.subject, o.email "
        "FROM users u JOIN oauth_accounts o ON o.user_id = u.id"
    )
    assert [tuple(row) for row in rows] == [
        (None, "google", provider.issuer, google_user.subject, google_user.email)
    ]


def test_v10_5_2_a_second_google_sign_in_finds_the_same_account(
    new_browser, provider, google_user, db
):
    laptop, phone = new_browser(), new_browser()

    sign_in_with_google(laptop, provider, google_user.subject)
    sign_in_with_google(phone, provider, google_user.subject)

    assert laptop.me().json()["id"] == phone.me().json()["id"]
    assert count(db, "users") == 1
    assert count(db, "sign_ins") == 2


def test_a_google_sign_in_is_an_ordinary_sign_in(new_browser, provider, google_user, db):
    laptop, phone = new_browser(), new_browser()
    sign_in_with_google(laptop, provider, google_user.subject)
    sign_in_with_google(phone, provider, google_user.subject)

    page = laptop.get("/account").text
    revoke = [form.action for form in parse_page(page).forms if form.action.endswith("/revoke")]
    signed_out = laptop.sign_out()
    token = phone.sign_in_token
    everywhere = phone.submit("/account", "/account/sign-out-everywhere")

    assert len(revoke) == 2
    assert page.count(" with Google</span>") == 2
    assert landing(signed_out) == "/"
    assert laptop.me().status_code == 401
    assert landing(everywhere) == "/login"
    assert phone.me(token).status_code == 401
    assert count(db, "sign_ins") == 0


def test_v10_5_2_found_by_subject_even_when_the_email_changes(new_browser, provider, google_user):
    first = new_browser()
    sign_in_with_google(first, provider, google_user.subject)
    provider.add_user(google_user.subject, "renamed@example.com")

    later = new_browser()
    sign_in_with_google(later, provider, google_user.subject)

    assert later.me().json() == first.me().json()


def test_v10_5_2_another_identity_with_the_same_email_is_not_that_account(
    new_browser, provider, google_user, db
):
    owner = new_browser()
    sign_in_with_google(owner, provider, google_user.subject)
    impostor = new_google_user(provider, email=google_user.email)

    browser = new_browser()
    response = sign_in_with_google(browser, provider, impostor.subject)

    assert_refused(browser, response, 409)
    assert count(db, "users") == 1
    assert count(db, "oauth_accounts") == 1


@pytest.mark.parametrize("variant", [str, str.upper], ids=["same", "upper-cased"])
def test_v10_5_2_email_of_a_password_account_does_not_sign_into_it(
    client, user, provider, db, variant
):
    db.execute("UPDATE users SET email_verified_at = created_at")  # its owner confirmed it
    google = new_google_user(provider, email=variant(user.email))

    response = sign_in_with_google(client, provider, google.subject)

    assert_refused(client, response, 409)
    page = parse_page(response.text)
    assert "password" in page.alert
    assert "account page" in page.alert
    form = page.form("/login")
    assert form.value("email") == user.email
    assert form.value("next") == "/account"
    assert count(db, "oauth_accounts") == 0


def test_google_proves_an_unconfirmed_address_and_removes_what_a_squatter_set_up(
    client, user, provider, db, new_browser
):
    """Someone registered the address with a password before its owner (pre-hijacking) and is
    still signed in. The owner signs in with Google, which has verified the address: the
    squatter's password and sign-ins are gone, and the account is the owner's."""
    squatter = new_browser(ip="203.0.113.66")
    assert squatter.sign_in(user.email, user.password).status_code == 303
    google = new_google_user(provider, email=user.email)

    response = sign_in_with_google(client, provider, google.subject)

    assert landing(response) == "/"
    assert client.me().json() == {"id": user.id, "email": user.email, "email_verified": True}
    assert squatter.get("/account").status_code == 303
    assert squatter.api_login(user.email, user.password).status_code == 401
    assert db.scalar("SELECT password_hash FROM users") is None
    assert count(db, "sign_ins") == 1


@pytest.mark.parametrize(
    "claims",
    [{"email_verified": False}, {"email": None}],
    ids=["unverified", "no-email"],
)
def test_an_unverified_google_email_opens_no_account(client, provider, db, claims):
    subject = "g-" + secrets.token_hex(8)
    provider.add_user(
        subject,
        None if "email" in claims else f"{subject}@example.com",
        email_verified=claims.get("email_verified", True),
    )

    response = sign_in_with_google(client, provider, subject)

    assert_refused(client, response, 403)
    assert "verified" in response.text
    assert count(db, "users") == 0


def test_v7_4_2_a_disabled_account_cannot_sign_in_with_google(
    new_browser, provider, google_user, db
):
    sign_in_with_google(new_browser(), provider, google_user.subject)
    db.execute("UPDATE users SET is_active = :no", no=False)

    browser = new_browser()
    response = sign_in_with_google(browser, provider, google_user.subject)

    assert_refused(browser, response, 403)


@pytest.mark.parametrize("target", OFFSITE)
def test_v3_7_2_offsite_next_after_google_lands_on_home(client, provider, google_user, target):
    start = f"/auth/google/login?next={quote(target)}"

    response = sign_in_with_google(client, provider, google_user.subject, start=start)

    assert response.status_code == 303
    assert landing(response) == "/"


def test_v3_7_2_same_site_next_after_google_is_honoured(client, provider, google_user):
    start = "/auth/google/login?next=/account"

    response = sign_in_with_google(client, provider, google_user.subject, start=start)

    assert landing(response) == "/account"
    assert client.get("/account").status_code == 200


def test_sign_in_pages_offer_google(client):
    login = parse_page(client.get("/login?next=/account").text)
    register = parse_page(client.get("/register").text)

    assert "/auth/google/login?next=/account" in login.urls()
    assert "/auth/google/login" in register.urls()


def test_cancelled_at_google_signs_nobody_in(client, provider):
    url = to_provider(client.get("/auth/google/login"))
    back = httpx2.post(url, data={"action": "deny"}).headers["location"]

    response = client.get(callback_path(back))

    assert landing(response) == "/login"
    assert not [c for c in set_cookies(response) if c.name in client.sign_in_cookie_names]
    assert "Signing in with Google was cancelled" in client.get("/login").text
    assert client.me().status_code == 401


# State (ASVS 10.1.2): unguessable, single use, bound to the browser that started


def test_v10_1_2_state_missing_refused(client, provider, google_user, db, refusals):
    url = to_provider(client.get("/auth/google/login"))
    params = query(provider.authorize(url, google_user.subject))
    del params["state"]

    response = client.get("/auth/google/callback", params=params)

    assert_refused(client, response)
    assert refusals() == ["state"]
    assert count(db, "users") == 0


def test_v10_1_2_forged_state_refused(client, provider, google_user, db, refusals):
    url = to_provider(client.get("/auth/google/login"))
    params = query(provider.authorize(url, google_user.subject))
    params["state"] = secrets.token_urlsafe(22)

    response = client.get("/auth/google/callback", params=params)

    assert_refused(client, response)
    assert refusals() == ["state"]
    assert count(db, "users") == 0


def test_v10_1_2_state_from_another_browser_refused(
    new_browser, provider, google_user, db, refusals
):
    attacker, victim = new_browser(), new_browser()
    url = to_provider(attacker.get("/auth/google/login"))
    planted = callback_path(provider.authorize(url, google_user.subject))

    without_a_flow = victim.get(planted)
    victim.get("/auth/google/login")  # a flow of the victim's own does not make it theirs
    with_its_own_flow = victim.get(planted)

    assert_refused(victim, without_a_flow)
    assert_refused(victim, with_its_own_flow)
    assert refusals() == ["state", "state"]
    assert count(db, "users") == 0


def test_v10_1_2_replayed_callback_refused(
    client, new_browser, provider, google_user, db, refusals
):
    url = to_provider(client.get("/auth/google/login"))
    back = callback_path(provider.authorize(url, google_user.subject))
    old_cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in client.cookies.jar)
    assert client.get(back).status_code == 303
    asked = len(provider.token_requests)

    same_browser = client.get(back)
    copy = new_browser()
    with_the_old_cookie = copy.get(back, headers={"cookie": old_cookies})

    assert same_browser.status_code == 400
    assert not [c for c in set_cookies(same_browser) if c.name in client.sign_in_cookie_names]
    assert_refused(copy, with_the_old_cookie)
    assert refusals() == ["state", "state"]
    assert len(provider.token_requests) == asked  # refused before the provider was asked
    assert count(db, "sign_ins") == 1


def test_v10_1_2_state_expires_after_ten_minutes(
    client, provider, google_user, frozen_clock, refusals
):
    url = to_provider(client.get("/auth/google/login"))
    back = callback_path(provider.authorize(url, google_user.subject))
    frozen_clock.advance(minutes=11)

    response = client.get(back)

    assert_refused(client, response)
    assert refusals() == ["state"]


def test_v10_1_2_state_is_unguessable_and_its_secrets_stay_on_the_server(client, settings, db):
    response = client.get("/auth/google/login")
    params = query(to_provider(response))
    cookie = set_cookie(response, settings.cookie_name("oauth_state"))
    carried = base64.b64decode(cookie.value.split(".")[0]).decode()

    assert len(params["state"]) >= 22
    assert len(params["nonce"]) >= 20
    assert params["state"] in carried  # a marker of the flow this browser started
    for secret in (params["nonce"], "code_verifier", "redirect_uri"):
        assert secret not in carried
    assert count(db, "oauth_states") == 1


def test_v3_3_state_cookie_is_short_lived_and_locked_down(client, settings):
    response = client.get("/auth/google/login")

    cookie = set_cookie(response, settings.cookie_name("oauth_state"))
    assert cookie.name == "__Host-oauth_state"
    assert "secure" in cookie.attributes
    assert "httponly" in cookie.attributes
    assert cookie.attributes.get("samesite", "").lower() == "lax"
    assert cookie.attributes.get("path") == "/"
    assert "domain" not in cookie.attributes
    assert 0 < int(cookie.attributes["max-age"]) <= 600


def test_state_cookie_is_neither_read_nor_set_off_the_google_routes(client, settings):
    client.get("/auth/google/login")
    name = settings.cookie_name("oauth_state")

    for path in ("/", "/login", "/api/auth/csrf", "/healthz"):
        response = client.get(path)
        assert name not in {cookie.name for cookie in set_cookies(response)}, path
        assert "cookie" not in response.headers.get("vary", "").lower(), path


# The ID token (ASVS 10.5.1, 10.5.3, 10.5.4) and the code exchange


def test_v10_5_1_a_code_from_another_flow_is_refused_by_the_nonce(
    new_browser, provider, google_user, db, refusals
):
    victim, attacker = new_browser(), new_browser()
    victims_flow = query(to_provider(victim.get("/auth/google/login")))
    url = to_provider(attacker.get("/auth/google/login"))
    attackers_code = query(provider.authorize(url, google_user.subject))["code"]

    response = victim.get(
        "/auth/google/callback", params={"state": victims_flow["state"], "code": attackers_code}
    )

    assert_refused(victim, response)
    assert refusals() == ["callback:InvalidClaimError"]
    assert count(db, "users") == 0


@pytest.fixture
def forged_browser(make_app, new_browser, forged):
    """A browser on an app whose "Google" is the forged provider."""
    return new_browser(make_app(**google_settings(forged.discovery_url)))


def callback_with(browser, forged, **id_token):
    """Start a sign-in, have the forged provider answer with this ID token, call back."""
    flow = query(to_provider(browser.get("/auth/google/login")))
    id_token.setdefault("nonce", flow["nonce"])
    forged.will_issue(CLIENT_ID, **id_token)
    return browser.get("/auth/google/callback", params={"state": flow["state"], "code": "c0de"})


def test_the_forged_provider_signs_in_when_nothing_is_wrong(forged_browser, forged):
    response = callback_with(forged_browser, forged)

    assert response.status_code == 303
    assert forged_browser.me().json()["email"] == "forged@example.com"


INVALID, MISSING = "callback:InvalidClaimError", "callback:MissingClaimError"


@pytest.mark.parametrize(
    ("nonce", "reason"), [("another-nonce", INVALID), (None, MISSING)], ids=["wrong", "missing"]
)
def test_v10_5_1_nonce_checked(forged_browser, forged, refusals, nonce, reason):
    assert_refused(forged_browser, callback_with(forged_browser, forged, nonce=nonce))
    assert refusals() == [reason]


@pytest.mark.parametrize(
    "claims",
    [
        {"aud": "another-client.apps.googleusercontent.com"},
        {"aud": "another-client.apps.googleusercontent.com", "azp": CLIENT_ID},
        {"aud": ["another-client.apps.googleusercontent.com"]},
        {"aud": CLIENT_ID[:-1]},
        {"aud": None},
    ],
    ids=["other", "other-with-our-azp", "other-in-a-list", "prefix", "missing"],
)
def test_v10_5_3_audience_must_be_our_client_id(forged_browser, forged, refusals, claims):
    assert_refused(forged_browser, callback_with(forged_browser, forged, **claims))
    assert refusals() == [MISSING if claims["aud"] is None else INVALID]


@pytest.mark.parametrize(
    "issuer",
    [
        lambda real: "https://accounts.evil.example",
        lambda real: real + "/",
        lambda real: real[:-1],
        lambda real: None,
    ],
    ids=["other", "trailing-slash", "prefix", "missing"],
)
def test_v10_5_3_issuer_must_match_exactly(forged_browser, forged, refusals, issuer):
    iss = issuer(forged.issuer)

    response = callback_with(forged_browser, forged, iss=iss)

    assert_refused(forged_browser, response)
    assert refusals() == [MISSING if iss is None else INVALID]


@pytest.mark.parametrize(
    "times",
    [{"exp": -3600, "iat": -7200}, {"exp": None}],
    ids=["expired", "no-exp"],
)
def test_v10_5_4_expired_id_token_refused(forged_browser, forged, refusals, times):
    now = int(time.time())
    claims = {name: None if value is None else now + value for name, value in times.items()}

    assert_refused(forged_browser, callback_with(forged_browser, forged, **claims))
    assert refusals() == ["callback:ExpiredTokenError" if times["exp"] else MISSING]


def test_v10_5_3_a_token_answer_without_an_id_token_is_refused(forged_browser, forged, refusals):
    response = callback_with(forged_browser, forged, without_id_token=True)

    assert_refused(forged_browser, response)
    assert refusals() == ["no_id_token"]


def unsigned(claims):
    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


@pytest.mark.parametrize("attack", ["another-key", "alg-none", "tampered"])
def test_v10_5_3_id_token_signed_by_the_providers_keys(forged_browser, forged, refusals, attack):
    flow = query(to_provider(forged_browser.get("/auth/google/login")))
    forged.will_issue(CLIENT_ID, flow["nonce"])
    if attack == "another-key":
        # Same key id as the provider's real key, but not its key.
        impostor = RSAKey.generate_key(2048, parameters={"kid": forged.key.kid})
        forged.will_issue(CLIENT_ID, flow["nonce"], signing_key=impostor)
    elif attack == "alg-none":
        forged.will_issue(CLIENT_ID, flow["nonce"], raw_id_token=unsigned(forged.claims))
    else:
        header, _, signature = forged.id_token().split(".")
        claims = dict(forged.claims, sub="someone-else")
        payload = unsigned(claims).split(".")[1]
        forged.will_issue(CLIENT_ID, flow["nonce"], raw_id_token=f"{header}.{payload}.{signature}")

    response = forged_browser.get(
        "/auth/google/callback", params={"state": flow["state"], "code": "c0de"}
    )

    assert_refused(forged_browser, response)
    assert refusals()[0] in {"callback:BadSignatureError", "callback:UnsupportedAlgorithmError"}


def test_rfc9700_2_1_1_pkce_s256(client, provider, google_user):
    url = to_provider(client.get("/auth/google/login"))
    params = query(url)
    asked = len(provider.token_requests)

    client.get(callback_path(provider.authorize(url, google_user.subject)))

    assert params["code_challenge_method"] == "S256"
    assert params["response_type"] == "code"
    assert "openid" in params["scope"].split()
    verifier = provider.token_requests[asked]["code_verifier"]
    assert 43 <= len(verifier) <= 128
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    assert challenge.rstrip(b"=").decode() == params["code_challenge"]


@pytest.mark.parametrize(
    "headers",
    [{"host": "evil.example"}, {"x-forwarded-host": "evil.example", "forwarded": "host=evil"}],
    ids=["host", "forwarded"],
)
def test_v10_1_1_redirect_uri_comes_from_public_url(client, provider, google_user, headers):
    url = to_provider(client.get("/auth/google/login", headers=headers))
    back = provider.authorize(url, google_user.subject)

    response = client.get(callback_path(back))

    assert query(url)["redirect_uri"] == CALLBACK
    assert back.startswith(CALLBACK + "?")
    assert provider.token_requests[-1]["redirect_uri"] == CALLBACK
    assert response.status_code == 303


def test_v10_1_1_provider_tokens_never_reach_the_browser(client, provider, google_user, db):
    issued_before = len(provider.issued_tokens)
    responses = [client.get("/auth/google/login")]
    back = provider.authorize(to_provider(responses[0]), google_user.subject)
    responses.append(client.get(callback_path(back)))
    responses += [client.get(path) for path in ("/", "/account", "/api/me")]

    tokens = provider.issued_tokens[issued_before:]
    assert len(tokens) >= 2  # an access token and an ID token at least
    for response in responses:
        seen = response.text + " ".join(f"{k}: {v}" for k, v in response.headers.multi_items())
        assert not [token for token in tokens if token in seen], response.url
    assert count(db, "oauth_states") == 0


# Connecting and disconnecting on the account page


def connect(browser, provider, subject):
    url = to_provider(browser.get("/auth/google/connect"))
    return browser.get(callback_path(provider.authorize(url, subject)))


def test_connect_google_from_the_account_page(signed_in, user, provider, new_browser, db):
    google = new_google_user(provider, email=user.email)
    assert "/auth/google/connect" in parse_page(signed_in.get("/account").text).urls()
    url = to_provider(signed_in.get("/auth/google/connect"))

    response = signed_in.get(callback_path(provider.authorize(url, google.subject)))

    assert query(url)["prompt"] == "select_account"
    assert landing(response) == "/account"
    assert db.scalar("SELECT user_id FROM oauth_accounts") == user.id
    page = parse_page(signed_in.get("/account").text)
    assert page.form("/auth/google/disconnect")
    phone = new_browser()
    assert sign_in_with_google(phone, provider, google.subject).status_code == 303
    assert phone.me().json()["id"] == user.id


def test_connect_needs_a_sign_in(client):
    response = client.get("/auth/google/connect")

    assert landing(response) == "/login?next=/auth/google/connect"


def test_connect_refused_when_that_google_account_has_another_account(
    signed_in, user, new_browser, provider, google_user, db
):
    sign_in_with_google(new_browser(), provider, google_user.subject)

    response = connect(signed_in, provider, google_user.subject)

    assert response.status_code == 409
    assert db.scalar("SELECT user_id FROM oauth_accounts") != user.id
    assert signed_in.me().json()["id"] == user.id


def test_connect_links_nobody_after_signing_out_midway(signed_in, provider, google_user, db):
    url = to_provider(signed_in.get("/auth/google/connect"))
    signed_in.sign_out()

    response = signed_in.get(callback_path(provider.authorize(url, google_user.subject)))

    assert_refused(signed_in, response)
    assert count(db, "oauth_accounts") == 0


def test_disconnect_google(signed_in, user, provider, new_browser, db):
    google = new_google_user(provider, email=user.email)
    connect(signed_in, provider, google.subject)

    response = signed_in.submit("/account", "/auth/google/disconnect")

    assert landing(response) == "/account"
    assert count(db, "oauth_accounts") == 0
    assert signed_in.me().status_code == 200
    # Disconnected, the Google account is only an email matching a password account again
    # (whose owner has confirmed it).
    db.execute("UPDATE users SET email_verified_at = created_at")
    browser = new_browser()
    assert_refused(browser, sign_in_with_google(browser, provider, google.subject), 409)


def test_v6_3_7_connecting_and_disconnecting_google_are_noticed_by_mail(
    signed_in, user, provider, mailbox
):
    google = new_google_user(provider, email=user.email)
    connect(signed_in, provider, google.subject)
    signed_in.submit("/account", "/auth/google/disconnect")
    signed_in.settle()

    assert mailbox.last(user.email, "Google was connected to your account")
    assert mailbox.last(user.email, "Google was disconnected from your account")


def test_v7_5_1_connecting_and_disconnecting_google_need_a_fresh_sign_in(
    frozen_clock, signed_in, user, provider, db
):
    connect(signed_in, provider, new_google_user(provider, email=user.email).subject)
    frozen_clock.advance(signed_in.settings.reauth_lifetime)

    assert landing(signed_in.get("/auth/google/connect")) == (
        "/reauthenticate?next=/auth/google/connect"
    )
    disconnect = signed_in.submit("/account", "/auth/google/disconnect")
    assert landing(disconnect) == "/reauthenticate?next=/account"
    assert count(db, "oauth_accounts") == 1


def test_v7_4_3_a_revoked_device_can_neither_connect_nor_disconnect_google(
    new_browser, user, provider, db
):
    laptop, phone = new_browser(), new_browser()
    for browser in (laptop, phone):
        assert browser.sign_in(user.email, user.password).status_code == 303
    started = to_provider(phone.get("/auth/google/connect"))
    csrf_token = phone.csrf_token()
    # Every cookie the phone holds, for a tab left open to send again later.
    held = {"cookie": "; ".join(f"{name}={value}" for name, value in phone.cookies.items())}
    phone_id = max(row.id for row in db.rows("SELECT id FROM sign_ins"))
    laptop.submit("/account", f"/account/sign-ins/{phone_id}/revoke")

    intruder = new_google_user(provider)
    finished = phone.get(callback_path(provider.authorize(started, intruder.subject)), headers=held)
    connecting = phone.get("/auth/google/connect", headers=held)
    own = new_google_user(provider, email=user.email)
    connect(laptop, provider, own.subject)
    disconnecting = phone.post(
        "/auth/google/disconnect", headers=held, data={"csrf_token": csrf_token}
    )

    assert finished.status_code == 400
    assert landing(connecting) == "/login?next=/auth/google/connect"
    assert landing(disconnecting) == "/login"
    linked = db.rows("SELECT user_id, subject FROM oauth_accounts")
    assert [(row.user_id, row.subject) for row in linked] == [(user.id, own.subject)]
    assert laptop.get("/account").status_code == 200


def test_v3_5_1_disconnect_needs_the_csrf_token_and_a_post(signed_in, user, provider, db):
    connect(signed_in, provider, new_google_user(provider, email=user.email).subject)

    without_token = signed_in.post("/auth/google/disconnect")
    by_get = signed_in.get("/auth/google/disconnect")

    assert without_token.status_code == 403
    assert by_get.status_code == 405
    assert count(db, "oauth_accounts") == 1


def test_the_last_way_to_sign_in_cannot_be_removed(client, provider, google_user, new_browser, db):
    sign_in_with_google(client, provider, google_user.subject)
    page = parse_page(client.get("/account").text)
    token = page.form("/account/password").value("csrf_token")

    refused = client.post("/auth/google/disconnect", data={"csrf_token": token})

    assert "/auth/google/disconnect" not in [form.action for form in page.forms]
    assert refused.status_code == 400
    assert "password" in parse_page(refused.text).alert
    assert count(db, "oauth_accounts") == 1
    assert client.me().status_code == 200


def test_an_account_made_with_google_sets_a_password_without_a_current_one(
    client, provider, google_user, new_browser, settings, db
):
    sign_in_with_google(client, provider, google_user.subject)
    form = parse_page(client.get("/account").text).form("/account/password")
    new_password = passphrase(max(settings.password_min_length, 24), "set")

    response = client.submit("/account", "/account/password", new_password=new_password)
    disconnected = client.submit("/account", "/auth/google/disconnect")

    assert "current_password" not in {attrs.get("name") for attrs in form.inputs}
    assert landing(response) == "/account"
    assert landing(disconnected) == "/account"
    assert new_browser().api_login(google_user.email, new_password).status_code == 200
    # From now on a change takes the current password, like any account's.
    again = client.post(
        "/account/password",
        data={"csrf_token": client.csrf_token(), "new_password": passphrase(30, "again")},
    )
    assert again.status_code == 400


# Without a client id, and when the provider is away


def test_without_a_client_id_google_is_hidden_and_its_routes_are_404(make_app, new_browser):
    browser = new_browser(make_app(google_client_id="", google_client_secret=""))
    routes = ["/auth/google/login", "/auth/google/callback?state=s&code=c", "/auth/google/connect"]

    answers = [browser.get(path) for path in routes]
    disconnect = browser.post("/auth/google/disconnect", data={"csrf_token": browser.csrf_token()})
    pages = [parse_page(browser.get(path).text) for path in ("/login", "/register")]

    for response in [*answers, disconnect]:
        assert response.status_code == 404, response.request.url
        assert "Google sign-in is not set up" in response.text
    for page in pages:
        assert not [url for url in page.urls() if url.startswith("/auth/google")]


def test_an_unreachable_provider_is_a_plain_503(make_app, new_browser):
    closed_port = "http://127.0.0.1:9/.well-known/openid-configuration"
    browser = new_browser(make_app(**google_settings(closed_port)))

    response = browser.get("/auth/google/login")

    assert response.status_code == 503
    assert "not available right now" in response.text


def test_v3_4_security_headers_on_the_google_routes(client):
    for response in (client.get("/auth/google/login"), client.get("/auth/google/callback")):
        assert "object-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"


# Logging


def test_v16_3_1_google_events_logged_without_tokens(
    caplog, signed_in, user, new_browser, provider, google_user
):
    caplog.set_level(logging.INFO)
    sign_in_with_google(new_browser(), provider, google_user.subject)
    signed_in.get("/auth/google/callback?state=forged&code=forged")
    connect(signed_in, provider, new_google_user(provider, email=user.email).subject)
    signed_in.submit("/account", "/auth/google/disconnect")

    package = type(signed_in.settings).__module__.split(".")[0]
    lines = [r.getMessage() for r in caplog.records if r.name.startswith(package + ".auth")]
    names = [line.split()[0] for line in lines]
    assert "google.sign_in" in names
    assert "google.refused" in names
    assert "google.linked" in names
    assert "google.unlinked" in names
    text = "\n".join(lines)
    for secret in [*provider.issued_tokens, google_user.email, user.email]:
        assert secret not in text
