"""Every password check, and registration, through the throttle; shared by the pages and the API.

Each attempt is counted (`throttle.attempt`) before any argon2 work, and given back when it turns
out not to be a failure. The counts go through the database's direct road (`lookups`), as every
sign-in makes them.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from .. import accounts
from ..db import Lookups
from ..models import User
from . import events, throttle

# How a sign-in made with a password is listed among the user's devices (sign_ins.method).
PASSWORD = "password"  # noqa: S105 (a way of signing in, not a password)


class WrongCredentials(Exception):
    """The same answer for an unknown email and a wrong password."""


async def _attempt(
    lookups: Lookups, keys: dict[str, throttle.Rule], refused: str, **details: object
) -> throttle.Attempt:
    try:
        return await throttle.attempt(lookups, keys)
    except throttle.Throttled:
        events.record(refused, **details)
        raise


async def _give_back(lookups: Lookups, attempt: throttle.Attempt) -> None:
    async with lookups.transaction() as statements:
        await throttle.give_back(statements, attempt)


async def check_password(
    lookups: Lookups, email: str, password: str, client_ip: str, *, purpose: str = "sign_in"
) -> accounts.Account:
    """The user these credentials belong to; raises Throttled or WrongCredentials. `purpose`
    names the events: "sign_in", or "reauthenticate" and "confirm_address" for the password of
    an account already known."""
    account = throttle.account_hash(email)
    keys = throttle.password_keys(email, client_ip)
    attempt = await _attempt(
        lookups, keys, f"{purpose}.throttled", account=account, client=client_ip
    )
    user = await accounts.authenticate(lookups, email, password)
    if user is None:
        events.record(f"{purpose}.failure", account=account, client=client_ip)
        raise WrongCredentials
    async with lookups.transaction() as statements:
        await events.keep(statements, f"{purpose}.success", user.id, client_ip)
        await throttle.give_back(statements, attempt)
    return user


async def replace_password(
    db: AsyncSession,
    lookups: Lookups,
    user_id: int,
    current: str | None,
    new: str,
    min_length: int,
    client_ip: str,
) -> None:
    """accounts.change_password; a wrong current password counts against the account's limits
    as a failed sign-in does. Raises Throttled, or AccountError (WrongPassword) for the form."""
    user = await db.get_one(User, user_id)
    if user.password_hash is None or current is None:
        # No password to check: a first password is set, or the form lacks the current one.
        await accounts.change_password(db, user_id, current, new, min_length)
        return
    keys = throttle.password_keys(user.email, client_ip)
    attempt = await _attempt(
        lookups, keys, "password.change_throttled", user_id=user_id, client=client_ip
    )
    try:
        await accounts.change_password(db, user_id, current, new, min_length)
    except accounts.WrongPassword:
        events.record("password.change_failure", user_id=user_id, client=client_ip)
        raise
    except accounts.AccountError:
        # The current password was right; only the new one was refused.
        await _give_back(lookups, attempt)
        raise
    await _give_back(lookups, attempt)


async def create_account(
    db: AsyncSession,
    lookups: Lookups,
    email: str,
    password: str,
    min_length: int,
    client_ip: str,
) -> User:
    """accounts.register, limited per client; raises Throttled or AccountError."""
    keys = throttle.registration_keys(client_ip)
    attempt = await _attempt(lookups, keys, "register.throttled", client=client_ip)
    try:
        return await accounts.register(db, email, password, min_length)
    except accounts.EmailTaken:
        raise  # the password was hashed before the address turned out to be taken: it counts
    except accounts.AccountError:
        await _give_back(lookups, attempt)  # refused by the rules, before any hashing
        raise
