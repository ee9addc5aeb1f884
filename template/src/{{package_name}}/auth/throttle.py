"""Throttling of password checks and registrations, counted in the database.

Each attempt is counted before the slow argon2 work starts: one INSERT ... ON CONFLICT DO UPDATE
per key, which refuses the attempt once the key is at its limit, committed before the password is
checked. Concurrent requests, and several app processes on one database, each see the true
count, so a limit holds exactly. An attempt that turns out not to be a failure is given back
(`give_back`), so the counts keep failures only.

Every sign-in runs these statements, so they are built once and run on the database's direct
road (db.Lookups), as the sign-in check's are.

A key's window starts at its first counted attempt; when the window is over the count starts
again. A refused attempt counts against nothing, so being refused on one key never fills another.
"""

import hashlib
import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from .. import clock
from ..accounts import normalize_email
from ..db import Lookups, Statements
from ..models import LoginThrottle


@dataclass(frozen=True)
class Rule:
    limit: int
    window: timedelta
    # A success starts this count again (otherwise a success only takes its own attempt off).
    success_clears: bool = False


# Failed password checks of one account from one client. This stops a guesser at one address,
# and it is the only account limit that address can fill: the owner elsewhere never feels it.
ACCOUNT_FROM_CLIENT = Rule(limit=5, window=timedelta(minutes=15), success_clears=True)
# Failed password checks of one account from all clients together: the ceiling on a guessing
# attack spread over many addresses. One address adds at most 25 to it in an hour (five windows
# of ACCOUNT_FROM_CLIENT), so holding an account at the ceiling takes at least four addresses.
ACCOUNT = Rule(limit=100, window=timedelta(hours=1))
# Failed password checks from one client, whatever the accounts: stops one address trying one
# password on many accounts.
CLIENT = Rule(limit=20, window=timedelta(minutes=15))
# Accounts created from one client (each costs an argon2 hash); attempts the email or password
# rules refuse before any hashing are given back.
REGISTRATION = Rule(limit=10, window=timedelta(hours=1))
# Mail an account is sent on request (password resets; confirmation links), and requests for
# it from one client: beyond these the request gets its usual answer, and no mail goes.
MAIL_TO_ACCOUNT = Rule(limit=3, window=timedelta(minutes=15))
MAIL_FROM_CLIENT = Rule(limit=10, window=timedelta(hours=1))
# Rows whose window ended this long ago are deleted (the longest window above).
FORGET_AFTER = max(
    rule.window
    for rule in (
        ACCOUNT_FROM_CLIENT,
        ACCOUNT,
        CLIENT,
        REGISTRATION,
        MAIL_TO_ACCOUNT,
        MAIL_FROM_CLIENT,
    )
)
# IPv6 clients are counted by network: one subscriber is usually given a whole /64.
IPV6_PREFIX = 64


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    """An attempt counted against `keys`, with when each key's window started."""

    keys: dict[str, Rule]
    windows: dict[str, datetime]


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def account_hash(email: str) -> str:
    """Who an email is, for throttle keys and the log, without the address itself."""
    return _digest(normalize_email(email))


def client_id(client_ip: str) -> str:
    """The client a limit counts: an IPv4 address, an IPv6 network, or a hash of anything else."""
    try:
        address = ipaddress.ip_address(client_ip)
    except ValueError:
        return _digest(client_ip)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address)


def password_keys(email: str, client_ip: str) -> dict[str, Rule]:
    """The keys a password check of `email` from `client_ip` counts against."""
    account, client = account_hash(email), client_id(client_ip)
    return {
        f"account:{account}": ACCOUNT,
        f"account-client:{account}:{_digest(client)}": ACCOUNT_FROM_CLIENT,
        f"client:{client}": CLIENT,
    }


def mail_keys(kind: str, email: str, client_ip: str | None) -> dict[str, Rule]:
    """The keys a request for mail of `kind` ("reset", "confirm") to `email` counts against;
    without a client, only the account's."""
    keys = {f"mail-{kind}:{account_hash(email)}": MAIL_TO_ACCOUNT}
    if client_ip is not None:
        keys[f"mail-{kind}-client:{client_id(client_ip)}"] = MAIL_FROM_CLIENT
    return keys


async def forget_account(db: AsyncSession, email: str) -> None:
    """Delete every count kept for the account (not committed): every key naming it holds its
    hash as the part after the first colon."""
    account = account_hash(email)
    await db.execute(
        delete(LoginThrottle).where(
            or_(
                LoginThrottle.key.like(f"%:{account}"),
                LoginThrottle.key.like(f"%:{account}:%"),
            )
        )
    )


def registration_keys(client_ip: str) -> dict[str, Rule]:
    return {f"register:{client_id(client_ip)}": REGISTRATION}


def _count(into: postgresql.Insert | sqlite.Insert) -> ReturningInsert[tuple[datetime]]:
    """Add one to the key's count and return its window's start, or return nothing if the key
    is at its limit (`limit`). A window that started at `window_over` or before is over: it
    starts again at one."""
    insert = into.values(key=bindparam("key"), failures=1, window_started_at=bindparam("now"))
    over = LoginThrottle.window_started_at <= bindparam("window_over")
    return insert.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={
            "failures": case((over, 1), else_=LoginThrottle.failures + 1),
            "window_started_at": case(
                (over, insert.excluded.window_started_at), else_=LoginThrottle.window_started_at
            ),
        },
        where=or_(over, LoginThrottle.failures < bindparam("limit")),
    ).returning(LoginThrottle.window_started_at)


# In the SQL of each database (both have the upsert).
_COUNT = {
    "postgresql": _count(postgresql.insert(LoginThrottle)),
    "sqlite": _count(sqlite.insert(LoginThrottle)),
}
# Last, and never waiting for a lock (SKIP LOCKED on PostgreSQL), so it cannot deadlock.
_FORGET_STALE = delete(LoginThrottle).where(
    LoginThrottle.key.in_(
        select(LoginThrottle.key)
        .where(LoginThrottle.window_started_at < bindparam("forget_before"))
        .with_for_update(skip_locked=True)
    )
)
_KEY = select(LoginThrottle.failures, LoginThrottle.window_started_at).where(
    LoginThrottle.key == bindparam("key")
)
_SAME_WINDOW = (LoginThrottle.key == bindparam("key")) & (
    LoginThrottle.window_started_at == bindparam("started")
)
_CLEAR = delete(LoginThrottle).where(_SAME_WINDOW)
_TAKE_ONE_OFF = (
    update(LoginThrottle)
    .where(_SAME_WINDOW, LoginThrottle.failures > 0)
    .values(failures=LoginThrottle.failures - 1)
)


async def attempt(lookups: Lookups, keys: dict[str, Rule]) -> Attempt:
    """Count an attempt against every key, committed; or raise Throttled, counting nothing."""
    now = clock.now()
    count = _COUNT[lookups.engine.dialect.name]
    windows = {}
    try:
        async with lookups.transaction() as statements:
            # Always in the same order, so two requests never wait for each other's row locks
            # in a ring.
            for key in sorted(keys):
                rule = keys[key]
                params = {"key": key, "now": now, "window_over": now - rule.window}
                row = await statements.first(count, params | {"limit": rule.limit})
                if row is None:
                    raise Throttled(0)
                windows[key] = row[0]
            await statements.run(_FORGET_STALE, {"forget_before": now - FORGET_AFTER})
    except Throttled:
        raise Throttled(await _retry_after(lookups, keys, now)) from None
    return Attempt(keys, windows)


async def _retry_after(lookups: Lookups, keys: dict[str, Rule], now: datetime) -> int:
    """Seconds until every key that is at its limit has its window over."""
    waits = []
    for key, rule in keys.items():
        row = await lookups.first(_KEY, {"key": key})
        if row is not None and row[0] >= rule.limit:
            waits.append((row[1] + rule.window - now).total_seconds())
    return max(1, math.ceil(max(waits, default=1)))


async def give_back(statements: Statements, attempt: Attempt) -> None:
    """The attempt was no failure (a right password, or a form refused before any hashing): take
    it off every count still in its window, and start again the counts a success clears. In the
    caller's transaction (`Lookups.transaction`)."""
    for key in sorted(attempt.keys):
        params = {"key": key, "started": attempt.windows[key]}
        await statements.run(_CLEAR if attempt.keys[key].success_clears else _TAKE_ONE_OFF, params)
