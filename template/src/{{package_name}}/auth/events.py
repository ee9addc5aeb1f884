"""Security events, logged without secrets: who (a user id or an email hash) and what.

Each is an INFO record of this module's package logger, with the event's name and details as
the record's `event` and `details` too, so logging_config writes it as one key=value line.
"""

import logging

from ..logging_config import logfmt

log = logging.getLogger(__package__)


def record(event: str, **details: object) -> None:
    """Log `event` (e.g. "sign_in.failure") with details; never pass a password or a token."""
    log.info("%s %s", event, logfmt(details), extra={"event": event, "details": details})
