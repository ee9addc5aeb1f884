"""Where the app's log goes unless you say otherwise: stderr, one line per record, key=value.

Security events (auth/events.py: sign-ins, failures, throttling, sign-outs, ...) are INFO records
of the `auth` logger below this package. Uvicorn sets up only its own loggers, so without this
nothing would write them. A line looks like this (here cut in two):

    time=2025-01-31T09:30:00.123Z level=info logger=app.auth event=sign_in.failure
    account=3f9c0a... client=203.0.113.9

A value that is not plain printable ASCII is quoted, with escapes, so a record never spans two
lines (only an error's traceback follows its line).
"""

import json
import logging
import re
import sys
from datetime import UTC, datetime

PACKAGE = __name__.rpartition(".")[0]

# Printable ASCII except space, '"', '=' and '\': written as it is; anything else is quoted.
_BARE = re.compile(r"[!#-<>-\[\]-~]+")


def logfmt_value(value: object) -> str:
    text = str(value)
    return text if _BARE.fullmatch(text) else json.dumps(text)


def logfmt(fields: dict[str, object]) -> str:
    """`fields` as one line of key=value pairs."""
    return " ".join(f"{key}={logfmt_value(value)}" for key, value in fields.items())


class LogfmtFormatter(logging.Formatter):
    """Time (UTC), level, logger, then the event and its details, or the message."""

    def format(self, record: logging.LogRecord) -> str:
        created = datetime.fromtimestamp(record.created, UTC)
        fields: dict[str, object] = {
            "time": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        event = getattr(record, "event", None)
        details = getattr(record, "details", None)
        if isinstance(event, str) and isinstance(details, dict):
            fields |= {"event": event, **details}
        else:
            fields["message"] = record.getMessage()
        line = logfmt(fields)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is when a record comes (a redirected or captured stream)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:
            self.handleError(record)


def configure() -> None:
    """Write the app's log, from INFO up, to stderr: unless logging is set up already, with a
    handler on the root logger or a handler or level on this package's (e.g. by uvicorn's
    --log-config, or logging.basicConfig), which then decides. Calling it again does nothing."""
    logger = logging.getLogger(PACKAGE)
    if logger.handlers or logger.level != logging.NOTSET or logging.getLogger().handlers:
        return
    handler = StderrHandler()
    handler.setFormatter(LogfmtFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
