"""The second step of signing in to an account with an authenticator app.

The first step (a password, or a sign-in provider) proves one factor; instead of a sign-in it
yields a pending one (`hold`): a random token, kept as its SHA-256 for PENDING_LIFETIME, that the
API hands back as `mfa_token` and the pages keep in a short-lived cookie. Nothing that signs a
request in exists until `finish` accepts a code for it; that deletes the pending row, so each
token is used once. A wrong code leaves the token usable, but counts against the account's and
the client's limits, as a wrong password does.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import clock
from ..db import Lookups
from ..models import PendingSignIn, SignIn, User
from . import events, throttle, totp
from .identity import SignedIn

# Time to find the phone and type a code.
PENDING_LIFETIME = timedelta(minutes=10)

# Wrong codes for one account, from every client together. A code has a million values and
# about three are right at any moment: at this rate a guesser needs decades. A right code
# starts the count again.
CODES_FOR_ACCOUNT = throttle.Rule(limit=10, window=timedelta(hours=1), success_clears=True)


@dataclass(frozen=True)
class Passed:
    """A second step that passed: whose sign-in, and how it was made ("password+code")."""

    user_id: int
    method: str
    used_recovery_code: bool


class Expired(Exception):
    """The pending sign-in is unknown, used, or older than PENDING_LIFETIME."""


def code_keys(email: str, client_ip: str) -> dict[str, throttle.Rule]:
    """The limits a code for `email`'s account from `client_ip` counts against: the account's
    own, and the client's limit on wrong passwords."""
    client = throttle.client_id(client_ip)
    return {
        f"code:{throttle.account_hash(email)}": CODES_FOR_ACCOUNT,
        f"client:{client}": throttle.CLIENT,
    }


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_HOLD = insert(PendingSignIn).values(
    token_hash=bindparam("token_hash"),
    user_id=bindparam("user_id"),
    method=bindparam("method"),
    expires_at=bindparam("expires_at"),
)
_FORGET_EXPIRED = delete(PendingSignIn).where(PendingSignIn.expires_at <= bindparam("now"))
_PENDING = (
    select(PendingSignIn.user_id, PendingSignIn.method, User.email)
    .join(User, User.id == PendingSignIn.user_id)
    .where(PendingSignIn.token_hash == bindparam("token_hash"))
    .where(PendingSignIn.expires_at > bindparam("now"), User.is_active)
)


async def hold(lookups: Lookups, user_id: int, method: str) -> str:
    """A pending sign-in for the user, whose first step was `method`; returns its token."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    params = {
        "token_hash": _hash(token),
        "user_id": user_id,
        "method": method,
        "expires_at": now + PENDING_LIFETIME,
    }
    async with lookups.transaction() as statements:
        await statements.run(_FORGET_EXPIRED, {"now": now})
        await statements.run(_HOLD, params)
    return token


async def is_pending(lookups: Lookups, token: str) -> bool:
    """Whether `token` still stands for a pending sign-in."""
    params = {"token_hash": _hash(token), "now": clock.now()}
    return await lookups.first(_PENDING, params) is not None


async def _count(
    lookups: Lookups, user_id: int, email: str, client_ip: str, purpose: str
) -> throttle.Attempt:
    try:
        return await throttle.attempt(lookups, code_keys(email, client_ip))
    except throttle.Throttled:
        events.record(f"{purpose}.code_throttled", user_id=user_id, client=client_ip)
        raise


async def _give_back(lookups: Lookups, attempt: throttle.Attempt) -> None:
    async with lookups.transaction() as statements:
        await throttle.give_back(statements, attempt)


async def finish(
    db: AsyncSession, lookups: Lookups, token: str, code: str, client_ip: str
) -> Passed:
    """Accept a code for the pending sign-in `token` and use the token up. Raises Expired,
    Throttled or WrongCode; the last two leave the token as it was."""
    token_hash = _hash(token)
    found = await lookups.first(_PENDING, {"token_hash": token_hash, "now": clock.now()})
    if found is None:
        raise Expired
    user_id, method, email = found
    # Counted first, committed, before the code is looked at; given back if it is right.
    attempt = await _count(lookups, user_id, email, client_ip, "second_step")
    used = await db.scalar(
        delete(PendingSignIn)
        .where(PendingSignIn.token_hash == token_hash)
        .returning(PendingSignIn.user_id)
    )
    if used is None:
        await db.rollback()
        raise Expired  # used a moment ago by another request
    try:
        kind = await totp.check_code(db, user_id, code)
    except totp.WrongCode:
        await db.rollback()  # the pending sign-in stays as it was
        events.record("second_step.code_failure", user_id=user_id, client=client_ip)
        raise
    except totp.NotOn:
        await db.commit()  # turned off since the first step: that step is to be made again
        raise Expired from None
    if kind == totp.WITH_RECOVERY_CODE:
        events.remember(db, "second_factor.recovery_code_used", user_id, client_ip)
    await db.commit()
    await _give_back(lookups, attempt)
    return Passed(
        user_id=user_id,
        method=f"{method}+{kind}",
        used_recovery_code=kind == totp.WITH_RECOVERY_CODE,
    )


async def reauthenticate(
    db: AsyncSession, lookups: Lookups, signed_in: SignedIn, code: str, client_ip: str
) -> str:
    """Prove again, with a code of the account's authenticator app (or a recovery code), that
    the signed-in user is at the keyboard: this sign-in counts as fresh for REAUTH_LIFETIME.
    Throttled as sign-in codes are. Returns what was used (totp.WITH_CODE, ...); raises
    Throttled or WrongCode."""
    user_id = signed_in.user_id
    email = (await db.get_one(User, user_id)).email  # as it is now, whatever a token says
    attempt = await _count(lookups, user_id, email, client_ip, "reauthenticate")
    try:
        kind = await totp.check_code(db, user_id, code)
    except (totp.WrongCode, totp.NotOn):  # NotOn: turned off a moment ago, elsewhere
        await db.rollback()
        events.record("reauthenticate.code_failure", user_id=user_id, client=client_ip)
        raise totp.WrongCode from None
    await db.execute(
        update(SignIn)
        .where(SignIn.id == signed_in.sign_in_id, SignIn.user_id == user_id)
        .values(authenticated_at=clock.now())
    )
    if kind == totp.WITH_RECOVERY_CODE:
        events.remember(db, "second_factor.recovery_code_used", user_id, client_ip)
    await db.commit()
    await _give_back(lookups, attempt)
    return kind
