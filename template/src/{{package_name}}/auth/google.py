"""Google sign-in: OpenID Connect through Authlib's Starlette client, and who it signs in.

`start` sends the browser to Google with a `state`, a `nonce` and a PKCE S256 challenge, the
redirect URI built from PUBLIC_URL. `finish` takes Google's callback: the state must be one this
browser started and nobody used yet; the code is swapped for tokens on the server; the ID token
must be signed by the issuer's published keys, with the exact issuer, our client id as audience,
no expiry passed and our nonce. Google's tokens stop here: only the identity they prove goes on.

An identity is a user by (issuer, subject) alone, never by email: an unknown identity gets a new
account only when Google has verified its email and no account has confirmed that email yet. An
account that has the email but never confirmed it may have been registered by someone else ahead
of its owner: Google's proof of the address wins, and what that someone set up is removed.
"""

import hashlib
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, Literal

import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from joserfc.errors import JoseError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from .. import accounts, clock
from ..app_state import settings_of
from ..models import MailToken, OAuthAccount, OAuthState, SignIn, User
from ..settings import Settings
from . import events

PROVIDER = "google"
CALLBACK_PATH = "/auth/google/callback"
SCOPE = "openid email"
# How long a started sign-in may take to come back from Google.
STATE_LIFETIME = timedelta(minutes=10)
# Clock skew allowed on the ID token's `exp` and `iat`, in seconds.
LEEWAY = 60

COULD_NOT_FINISH = (
    "This Google sign-in could not be completed: it may have expired, been used already or been "
    "started in another browser. Please try again."
)
UNAVAILABLE = "Google sign-in is not available right now. Please try again later."

# What talking to the provider and checking its answers can raise: Authlib's and joserfc's errors
# (a refused code, a bad ID token), network errors, malformed JSON, a document lacking a field.
PROVIDER_ERRORS = (
    AuthlibBaseError,
    JoseError,
    httpx2.HTTPError,
    ValueError,
    KeyError,
    RuntimeError,
)


class Refused(Exception):
    """Google's callback signs nobody in. `reason` is for the log, `message` for the person."""

    def __init__(self, reason: str, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.status_code = status_code


class EmailTaken(Refused):
    """An unknown Google identity whose email already belongs to an account here."""

    def __init__(self, email: str) -> None:
        super().__init__(
            "email_taken",
            f"An account with {email} already exists. Sign in with your password, then connect "
            "Google on your account page.",
            status_code=409,
        )
        self.email = email


class Unavailable(Exception):
    """Google (its OpenID configuration or keys) could not be reached."""


@dataclass(frozen=True)
class Flow:
    """What a sign-in started here is for; kept on the server with its state."""

    intent: Literal["sign_in", "connect"]
    next: str = "/"
    user_id: int | None = None


@dataclass(frozen=True)
class Identity:
    """Who Google says this is, from a verified ID token."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool


class StateStore:
    """Authlib's cache for sign-ins in progress, kept in the database.

    Authlib puts only a marker in the browser's state cookie, which binds the flow to that
    browser, and the flow's data (PKCE verifier, nonce, redirect URI, intent) here. The callback
    deletes it, so a state works once: a replayed callback, even one carrying an old copy of the
    cookie, finds nothing.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def get(self, key: str) -> str | None:
        async with self.sessions() as db:
            row = await db.get(OAuthState, _hash(key))
            if row is None or row.expires_at <= clock.now():
                return None
            return row.data

    async def set(self, key: str, value: str, expires: int | None = None) -> None:
        now = clock.now()
        async with self.sessions() as db:
            await db.execute(delete(OAuthState).where(OAuthState.expires_at <= now))
            db.add(OAuthState(key=_hash(key), data=value, expires_at=now + STATE_LIFETIME))
            await db.commit()

    async def delete(self, key: str) -> None:
        async with self.sessions() as db:
            await db.execute(delete(OAuthState).where(OAuthState.key == _hash(key)))
            await db.commit()


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_client(
    settings: Settings, sessions: async_sessionmaker[AsyncSession]
) -> StarletteOAuth2App | None:
    """The OpenID client for Google, or None while no client id is configured."""
    if not settings.google_client_id:
        return None
    oauth = OAuth(cache=StateStore(sessions))
    client: StarletteOAuth2App = oauth.register(
        PROVIDER,
        client_id=settings.google_client_id,
        client_secret=settings.google_client_secret.get_secret_value(),
        server_metadata_url=settings.google_discovery_url,
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": 10},
    )
    return client


async def start(client: StarletteOAuth2App, request: Request, flow: Flow) -> str:
    """Remember a new flow for this browser; the URL of Google's authorization page."""
    settings = settings_of(request)
    redirect_uri = settings.public_url + CALLBACK_PATH
    # Connecting an account: let the person choose which Google account.
    extra = {"prompt": "select_account"} if flow.intent == "connect" else {}
    try:
        authorization = await client.create_authorization_url(redirect_uri, **extra)
    except PROVIDER_ERRORS as error:
        raise Unavailable from error
    url: str = authorization.pop("url")
    await client.save_authorize_data(
        request, redirect_uri=redirect_uri, flow=asdict(flow), **authorization
    )
    return url


async def finish(client: StarletteOAuth2App, request: Request) -> tuple[Flow, Identity]:
    """Check Google's callback and its ID token; the flow it finishes and who signed in."""
    state = request.query_params.get("state")
    data = await client.framework.get_state_data(request.session, state) if state else None
    if request.query_params.get("error"):
        # Cancelled or refused at Google (which may leave the state out): nothing happens here,
        # whoever sent the browser back.
        if data:
            await client.framework.clear_state_data(request.session, state)
        raise Refused("denied", "Google sign-in was cancelled. Nothing has changed.")
    if not data:
        raise Refused("state", COULD_NOT_FINISH)
    try:
        # Checks the state again and deletes it, swaps the code (with the PKCE verifier) for
        # tokens, then verifies the ID token's signature and the claims below.
        token = await client.authorize_access_token(
            request, claims_options=await _claims_options(client), leeway=LEEWAY
        )
    except PROVIDER_ERRORS as error:
        raise Refused(f"callback:{type(error).__name__}", COULD_NOT_FINISH) from None
    claims = token.get("userinfo")
    if not claims:
        # No ID token: Authlib would skip its checks, so nothing here is proven.
        raise Refused("no_id_token", COULD_NOT_FINISH)
    identity = Identity(
        issuer=claims["iss"],
        subject=claims["sub"],
        email=claims.get("email"),
        email_verified=claims.get("email_verified") in (True, "true"),
    )
    return Flow(**data["flow"]), identity


async def _claims_options(client: StarletteOAuth2App) -> dict[str, Any]:
    """Exact issuer and audience, and the claims that must be there (fresh for each check)."""
    metadata = await client.load_server_metadata()
    return {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": client.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


async def _link_of(db: AsyncSession, identity: Identity) -> OAuthAccount | None:
    return await db.scalar(
        select(OAuthAccount).where(
            OAuthAccount.issuer == identity.issuer, OAuthAccount.subject == identity.subject
        )
    )


def _new_link(user_id: int, identity: Identity) -> OAuthAccount:
    return OAuthAccount(
        provider=PROVIDER,
        issuer=identity.issuer,
        subject=identity.subject,
        user_id=user_id,
        email=identity.email,
        created_at=clock.now(),
    )


async def user_for_sign_in(db: AsyncSession, identity: Identity) -> tuple[User, bool]:
    """The user this identity signs in as, and whether their account was just created."""
    link = await _link_of(db, identity)
    if link is not None:
        user = await db.get_one(User, link.user_id)
        if not user.is_active:
            raise Refused("disabled", "This account is disabled.", status_code=403)
        return user, False
    if not identity.email or not identity.email_verified:
        raise Refused(
            "unverified_email",
            "Google has not verified the email address of that Google account, so it cannot "
            "open an account here. Verify it with Google, or create an account with a password.",
            status_code=403,
        )
    try:
        address = accounts.check_email(identity.email)
    except accounts.AccountError as error:
        raise Refused("invalid_email", str(error)) from None
    existing = await db.scalar(select(User).where(User.email == address))
    if existing is not None:
        if existing.email_verified_at is not None or not existing.is_active:
            raise EmailTaken(address)
        return await _take_over_unconfirmed(db, existing, identity), False
    now = clock.now()
    user = User(email=address, password_hash=None, email_verified_at=now, created_at=now)
    db.add(user)
    try:
        await db.flush()
        db.add(_new_link(user.id, identity))
        await db.commit()
    except IntegrityError:
        # The same identity or email signed up at the same moment in another request.
        await db.rollback()
        raise Refused("conflict", COULD_NOT_FINISH, status_code=409) from None
    return user, True


async def _take_over_unconfirmed(db: AsyncSession, user: User, identity: Identity) -> User:
    """Google has verified this address and nobody has confirmed it here, so whoever registered
    it may not own it: what they set up goes (the password, every sign-in, links sent by mail,
    other linked identities) and the account is the Google identity's, its address confirmed."""
    user.password_hash = None
    user.email_verified_at = clock.now()
    await db.execute(delete(SignIn).where(SignIn.user_id == user.id))
    await db.execute(delete(MailToken).where(MailToken.user_id == user.id))
    await db.execute(delete(OAuthAccount).where(OAuthAccount.user_id == user.id))
    db.add(_new_link(user.id, identity))
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise Refused("conflict", COULD_NOT_FINISH, status_code=409) from None
    events.record("google.took_over_unconfirmed", user_id=user.id)
    return user


async def link(db: AsyncSession, user_id: int, identity: Identity) -> bool:
    """Connect this identity to the user; False if it already was."""
    existing = await _link_of(db, identity)
    if existing is not None:
        if existing.user_id == user_id:
            return False
        raise Refused(
            "linked_elsewhere",
            "That Google account is already connected to another account here.",
            status_code=409,
        )
    if await linked_account(db, user_id) is not None:
        raise Refused(
            "already_connected",
            "Your account is already connected to a Google account. Disconnect that one first.",
            status_code=409,
        )
    db.add(_new_link(user_id, identity))
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise Refused("conflict", COULD_NOT_FINISH, status_code=409) from None
    return True


async def linked_account(db: AsyncSession, user_id: int) -> OAuthAccount | None:
    return await db.scalar(
        select(OAuthAccount).where(
            OAuthAccount.user_id == user_id, OAuthAccount.provider == PROVIDER
        )
    )


async def unlink(db: AsyncSession, user_id: int) -> bool:
    """Disconnect the user's Google account, unless it is their last way to sign in."""
    user = await db.get_one(User, user_id)
    links = list(await db.scalars(select(OAuthAccount).where(OAuthAccount.user_id == user_id)))
    google = [row for row in links if row.provider == PROVIDER]
    if not google:
        return False
    if user.password_hash is None and len(google) == len(links):
        raise Refused(
            "last_method",
            "Google is your only way to sign in. Set a password first, then disconnect Google.",
        )
    for row in google:
        await db.delete(row)
    await db.commit()
    return True
