"""Signing in with email and password, shared by the pages and the JSON API."""

from sqlalchemy.ext.asyncio import AsyncSession

from .. import accounts
from ..models import User
from . import events, throttle


class WrongCredentials(Exception):
    """The same answer for an unknown email and a wrong password."""


async def check_password(db: AsyncSession, email: str, password: str, client_ip: str) -> User:
    """The user these credentials belong to; raises Throttled or WrongCredentials."""
    keys = throttle.sign_in_keys(email, client_ip)
    email_hash = throttle.account_key(email)
    try:
        await throttle.check(db, keys)
    except throttle.Throttled:
        events.record("sign_in.throttled", account=email_hash, client=client_ip)
        raise
    user = await accounts.authenticate(db, email, password)
    if user is None:
        await throttle.record_failure(db, keys)
        events.record("sign_in.failure", account=email_hash, client=client_ip)
        raise WrongCredentials
    await throttle.clear_account(db, email)
    events.record("sign_in.success", user_id=user.id, client=client_ip)
    return user
