"""Security events, logged without secrets: who (a user id or an email hash) and what."""

import logging

log = logging.getLogger(__package__)


def record(event: str, **details: object) -> None:
    """Log `event` (e.g. "sign_in.failure") with details; never pass a password or a token."""
    log.info("%s %s", event, " ".join(f"{key}={value}" for key, value in details.items()))
