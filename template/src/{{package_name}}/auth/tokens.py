"""Access tokens (signed JWTs) and refresh tokens (random strings, stored only as hashes).

An access token is checked the strict way RFC 8725 asks: only the configured algorithm; a key
picked from the configured set by `kid` alone (`jwk`, `jku` and `x5u` headers are never used, and
nothing is ever fetched); the signature before any claim; then `typ`, `exp` (required), `nbf`,
`iat`, and `iss` and `aud` exactly. A `crit` header is refused: this app understands no
extensions. The time checks use the app's clock with a small leeway for clock skew.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

import jwt
from fastapi import Request

from .. import clock
from ..app_state import settings_of
from ..settings import Settings
from .identity import SignedIn
from .keys import ALGORITHM

# RFC 9068's media type for JWT access tokens, set in the header and required when checking.
ACCESS_TYP = "at+jwt"
# Clock skew tolerated between the servers that make and check tokens.
LEEWAY = timedelta(seconds=30)
CLAIMS = ["sub", "email", "email_verified", "sid", "iss", "aud", "iat", "exp", "jti"]

# The cookies a browser holds them in (both HttpOnly, never readable by scripts).
ACCESS_COOKIE = "access"
REFRESH_COOKIE = "refresh"


def issue_access_token(
    settings: Settings, signed_in: SignedIn, issued_at: datetime, lifetime: timedelta
) -> str:
    """A signed access token for `signed_in`, valid for `lifetime` from `issued_at`."""
    keys = settings.token_keys
    iat = int(issued_at.timestamp())
    claims = {
        "iss": settings.public_url,
        "aud": settings.public_url,
        "sub": str(signed_in.user_id),
        "email": signed_in.email,
        "email_verified": signed_in.email_verified,
        "sid": str(signed_in.sign_in_id),
        "iat": iat,
        "exp": iat + int(lifetime.total_seconds()),
        "jti": secrets.token_urlsafe(16),
    }
    headers = {"kid": keys.signing_kid, "typ": ACCESS_TYP}
    return jwt.encode(claims, keys.signing_key, algorithm=ALGORITHM, headers=headers)


def read_access_token(settings: Settings, token: str) -> SignedIn | None:
    """Who `token` speaks for, if it is a genuine, current access token of this app."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        return None
    kid = header.get("kid")
    key = settings.token_keys.verification_keys.get(kid) if isinstance(kid, str) else None
    if key is None or header.get("typ") != ACCESS_TYP or "crit" in header:
        return None
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=settings.public_url,
            issuer=settings.public_url,
            options={
                "require": CLAIMS,
                "strict_aud": True,
                # Checked below against the app's clock, which the tests can move.
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError:
        return None
    if not in_time(claims):
        return None
    user_id, sign_in_id, email = number(claims["sub"]), number(claims["sid"]), claims["email"]
    verified = claims["email_verified"]
    if user_id is None or sign_in_id is None or not isinstance(email, str):
        return None
    if not isinstance(verified, bool):
        return None
    return SignedIn(sign_in_id=sign_in_id, user_id=user_id, email=email, email_verified=verified)


def number(value: Any) -> int | None:
    """A database id written as a string of digits (as `sub` and `sid` are), or None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def in_time(claims: dict[str, Any]) -> bool:
    """Whether now is within the token's `nbf` (if any) and `exp`, and after its `iat`."""
    now = clock.now().timestamp()
    leeway = LEEWAY.total_seconds()
    times = [claims["exp"], claims["iat"], claims.get("nbf", claims["iat"])]
    if not all(isinstance(value, int | float) and not isinstance(value, bool) for value in times):
        return False
    expires, issued, not_before = times
    return bool(now < expires + leeway and issued - leeway <= now and not_before - leeway <= now)


def bearer_token(request: Request) -> str | None:
    """The token of the request's `Authorization: Bearer` header ("" if it names none), or None
    when it has no such header."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def access_token_of(request: Request) -> str | None:
    """The access token a request carries: its bearer header, else the browser's cookie.

    A request with a bearer header is judged by that header alone; its cookies are ignored.
    """
    bearer = bearer_token(request)
    if bearer is not None:
        return bearer or None
    settings = settings_of(request)
    return request.cookies.get(settings.cookie_name(ACCESS_COOKIE)) or None


def new_refresh_token() -> str:
    """The first refresh token of a sign-in: 256 random bits."""
    return secrets.token_urlsafe(32)


def next_refresh_token(settings: Settings, sign_in_id: int, spent: str) -> str:
    """The refresh token that replaces `spent`: an HMAC of it under SECRET_KEY.

    Deriving it (rather than drawing it at random) gives every request that spends the same
    token the same successor, so racing refreshes never fork the sign-in into two chains. It is
    as unguessable as a random token without SECRET_KEY and `spent`, and the database holds
    neither: it keeps only hashes.
    """
    key = settings.secret_key.get_secret_value().encode()
    message = f"refresh:{sign_in_id}:{spent}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    """What the database keeps of a refresh token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()
