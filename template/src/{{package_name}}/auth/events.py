"""Security events, logged without secrets: who (a user id or an email hash) and what. The ones
that concern an account are also kept with it (`remember`), for its owner's data export.

Each is an INFO record of this module's package logger, with the event's name and details as
the record's `event` and `details` too, so logging_config writes it as one key=value line.
"""

import logging

from sqlalchemy import bindparam, insert
from sqlalchemy.ext.asyncio import AsyncSession

from .. import clock
from ..db import Statements
from ..logging_config import logfmt
from ..models import AccountEvent

log = logging.getLogger(__package__)


def record(event: str, **details: object) -> None:
    """Log `event` (e.g. "sign_in.failure") with details; never pass a password or a token."""
    log.info("%s %s", event, logfmt(details), extra={"event": event, "details": details})


def remember(
    db: AsyncSession, event: str, user_id: int, client: str = "", **details: object
) -> None:
    """Log `event` as `record` does, and keep it with the account (for its owner's data
    export); added to `db`, committed by the caller."""
    record(event, user_id=user_id, client=client, **details)
    db.add(AccountEvent(user_id=user_id, event=event, ip_address=client, created_at=clock.now()))


_KEEP = insert(AccountEvent).values(
    user_id=bindparam("user_id"),
    event=bindparam("event"),
    ip_address=bindparam("client"),
    created_at=bindparam("now"),
)


async def keep(statements: Statements, event: str, user_id: int, client: str = "") -> None:
    """`remember`, in a transaction of the direct road (db.Lookups) rather than the ORM's."""
    record(event, user_id=user_id, client=client)
    params = {"user_id": user_id, "event": event, "client": client, "now": clock.now()}
    await statements.run(_KEEP, params)
