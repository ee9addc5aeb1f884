"""A user's signed-in devices: each is one `sign_ins` row, listed on the account page and ended
one by one, all but the current one, or all at once."""

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import clock
from ..db import Read, Statements
from ..models import SignIn
from . import events
from .identity import SignedIn

# Read through db.Lookups (no ORM): the account page lists these on every visit.
_ACTIVE = (
    select(
        SignIn.id,
        SignIn.user_agent,
        SignIn.ip_address,
        SignIn.method,
        SignIn.created_at,
        SignIn.last_seen_at,
    )
    .where(SignIn.user_id == bindparam("user_id"))
    .where(SignIn.expires_at > bindparam("now"), SignIn.idle_expires_at > bindparam("now"))
    .order_by(SignIn.last_seen_at.desc())
)


def active_sign_ins(user_id: int) -> Read:
    """The read (db.Lookups) of the user's sign-ins that have not ended, the most recently used
    first, each as (id, user_agent, ip_address, method, created_at, last_seen_at)."""
    return _ACTIVE, {"user_id": user_id, "now": clock.now()}


async def revoke_sign_in(db: AsyncSession, user_id: int, sign_in_id: int) -> bool:
    """End one of the user's own sign-ins; False if it is not theirs or has already ended."""
    ended = await db.scalar(
        delete(SignIn)
        .where(SignIn.id == sign_in_id, SignIn.user_id == user_id)
        .returning(SignIn.id)
    )
    await db.commit()
    if ended is None:
        return False
    events.record("sign_out.device", user_id=user_id, sign_in_id=sign_in_id)
    return True


async def end_other_sign_ins(db: AsyncSession, signed_in: SignedIn) -> None:
    """End every sign-in of this user except the one making the request."""
    await db.execute(
        delete(SignIn).where(SignIn.user_id == signed_in.user_id, SignIn.id != signed_in.sign_in_id)
    )
    await db.commit()
    events.record("sign_out.others", user_id=signed_in.user_id)


async def end_all_sign_ins(db: AsyncSession, user_id: int) -> None:
    await db.execute(delete(SignIn).where(SignIn.user_id == user_id))
    await db.commit()
    events.record("sign_out.everywhere", user_id=user_id)


async def end_sign_in_row(db: AsyncSession, signed_in: SignedIn) -> None:
    """Delete the row of the sign-in making the request (its cookies are the caller's to clear)."""
    await db.execute(
        delete(SignIn).where(SignIn.id == signed_in.sign_in_id, SignIn.user_id == signed_in.user_id)
    )
    await db.commit()
    events.record("sign_out", user_id=signed_in.user_id, sign_in_id=signed_in.sign_in_id)


# Signing in runs these through db.Lookups too: see start.
_PRUNE = delete(SignIn).where(
    or_(SignIn.expires_at <= bindparam("now"), SignIn.idle_expires_at <= bindparam("now"))
)
_START = (
    insert(SignIn)
    .values(
        user_id=bindparam("user_id"),
        token_hash=bindparam("token_hash"),
        created_at=bindparam("now"),
        authenticated_at=bindparam("now"),
        last_seen_at=bindparam("now"),
        idle_expires_at=bindparam("idle_until"),
        expires_at=bindparam("ends"),
        user_agent=bindparam("user_agent"),
        ip_address=bindparam("ip_address"),
        method=bindparam("method"),
    )
    .returning(SignIn.id)
)


async def start(
    statements: Statements,
    *,
    user_id: int,
    token_hash: str,
    now: datetime,
    idle_until: datetime,
    ends: datetime,
    user_agent: str,
    ip_address: str,
    method: str,
) -> int:
    """A new sign-in row, in the caller's transaction, after deleting every sign-in that has
    expired or idled out; returns its id. `method` says how the user signed in."""
    await statements.run(_PRUNE, {"now": now})
    params = {
        "user_id": user_id,
        "token_hash": token_hash,
        "now": now,
        "idle_until": idle_until,
        "ends": ends,
        "user_agent": user_agent[:400],
        "ip_address": ip_address,
        "method": method,
    }
    sign_in_id: int = (await statements.one(_START, params))[0]
    return sign_in_id
