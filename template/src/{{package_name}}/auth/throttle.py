"""Sign-in throttling, per account and per client.

Failed sign-ins are counted per email and per client address in a window that starts at the
first failure. Once a key reaches its limit, sign-in is refused (429) until that window ends, even
with the right password. The account limit's window is short, so someone guessing at another
person's account can delay them by minutes, never lock them out for long.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .. import clock
from ..models import LoginThrottle


@dataclass(frozen=True)
class Rule:
    limit: int
    window: timedelta


ACCOUNT = Rule(limit=5, window=timedelta(minutes=5))
CLIENT = Rule(limit=20, window=timedelta(minutes=15))


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; retry after {retry_after} s")
        self.retry_after = retry_after


def account_key(email: str) -> str:
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def sign_in_keys(email: str, client_ip: str) -> dict[str, Rule]:
    return {account_key(email): ACCOUNT, f"client:{client_ip}": CLIENT}


async def check(db: AsyncSession, keys: dict[str, Rule]) -> None:
    """Raise Throttled if any key is over its limit."""
    now = clock.now()
    rows = await db.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
    for row in rows:
        rule = keys[row.key]
        window_ends = row.window_started_at + rule.window
        if row.failures >= rule.limit and now < window_ends:
            raise Throttled(retry_after=math.ceil((window_ends - now).total_seconds()))


async def record_failure(db: AsyncSession, keys: dict[str, Rule]) -> None:
    now = clock.now()
    longest = max(ACCOUNT.window, CLIENT.window)
    await db.execute(delete(LoginThrottle).where(LoginThrottle.window_started_at < now - longest))
    for key, rule in keys.items():
        row = await db.get(LoginThrottle, key)
        if row is None:
            db.add(LoginThrottle(key=key, failures=1, window_started_at=now))
        elif now >= row.window_started_at + rule.window:
            row.failures, row.window_started_at = 1, now
        else:
            row.failures += 1
    try:
        await db.commit()
    except IntegrityError:
        # A concurrent failure created the same row first; its count stands for both.
        await db.rollback()


async def clear_account(db: AsyncSession, email: str) -> None:
    """Forget the account's failures after a successful sign-in (the client's count stays)."""
    await db.execute(delete(LoginThrottle).where(LoginThrottle.key == account_key(email)))
    await db.commit()
