"""Links sent by mail, and the tokens they carry: a password reset, or the confirmation of an
address.

A token is 256 random bits; only its SHA-256 is stored. An account holds at most one token of
each purpose, so issuing one ends the one before (only the newest link works), and using one
deletes it. Expired, used, replaced and unknown tokens all look the same to the caller: None.
"""

import hashlib
import secrets
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import clock
from ..db import upsert_into
from ..models import MailToken


class Purpose(StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a purpose, not a password)
    CONFIRM_ADDRESS = "confirm_address"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue(
    db: AsyncSession, user_id: int, purpose: Purpose, email: str, lifetime: timedelta
) -> str:
    """A new token for `email`, replacing the account's earlier one of this purpose; added to
    `db` but not committed."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    await db.execute(delete(MailToken).where(MailToken.expires_at <= now))
    row = {
        "user_id": user_id,
        "purpose": purpose,
        "token_hash": _hash(token),
        "email": email,
        "created_at": now,
        "expires_at": now + lifetime,
    }
    insert = upsert_into(db, MailToken, row)
    # One statement, so two requests at once each leave a whole token (the later one wins).
    replaced = ("token_hash", "email", "created_at", "expires_at")
    await db.execute(
        insert.on_conflict_do_update(
            index_elements=[MailToken.user_id, MailToken.purpose],
            set_={column: insert.excluded[column] for column in replaced},
        )
    )
    return token


async def find(db: AsyncSession, purpose: Purpose, token: str) -> MailToken | None:
    """The live token, without using it up."""
    row = await db.scalar(
        select(MailToken).where(MailToken.token_hash == _hash(token), MailToken.purpose == purpose)
    )
    if row is None or clock.now() >= row.expires_at:
        return None
    return row


async def use(db: AsyncSession, purpose: Purpose, token: str) -> MailToken | None:
    """The live token, deleted so it cannot be used again (not committed: the caller commits
    with the change the token allows, so a failure leaves the token usable)."""
    now = clock.now()
    row = await db.scalar(
        delete(MailToken)
        .where(
            MailToken.token_hash == _hash(token),
            MailToken.purpose == purpose,
            MailToken.expires_at > now,
        )
        .returning(MailToken)
    )
    return row


async def forget_all(db: AsyncSession, user_id: int) -> None:
    """End every token of the account (not committed)."""
    await db.execute(delete(MailToken).where(MailToken.user_id == user_id))
