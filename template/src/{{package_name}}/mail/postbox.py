"""Sending mail in the background: a request posts a message and answers at once.

`console://` writes each message to stdout, links included, so a newcomer finds the link in the
terminal that runs the app. An SMTP server gets it through aiosmtplib. A send that fails is
logged and changes nothing else: the user can ask for the mail again.
"""

import asyncio
import logging
import sys
from collections.abc import Coroutine
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from .settings import MailServer

log = logging.getLogger(__name__)

# How long one send may take (connecting, TLS, the transfer) before it counts as failed.
SEND_TIMEOUT = 30


class Postbox:
    """Mail to send once the request has its answer."""

    def __init__(self, server: MailServer | None) -> None:
        self.server = server
        self._sending: set[asyncio.Task[None]] = set()

    def post(self, message: EmailMessage) -> None:
        """Send `message` after this returns; never raises for a failed send."""
        self.later(self._send(message))

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` (which decides what to send) after this returns; a failure is logged."""
        task = asyncio.get_running_loop().create_task(self._logged(work))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception:
            log.exception("mail work failed")

    async def drain(self) -> None:
        """Wait for every message posted so far (at shutdown, and in tests)."""
        while self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)

    async def _send(self, message: EmailMessage) -> None:
        try:
            if self.server is None:
                write_to_console(message)
            else:
                await aiosmtplib.send(
                    message,
                    hostname=self.server.host,
                    port=self.server.port,
                    username=self.server.username,
                    password=self.server.password,
                    use_tls=self.server.scheme == "smtps",
                    start_tls=self.server.scheme == "smtp+starttls",
                    timeout=SEND_TIMEOUT,
                )
        except Exception as error:
            log.warning(
                "mail.failed subject=%r error=%r",
                message["Subject"],
                str(error),
                extra={
                    "event": "mail.failed",
                    "details": {"subject": message["Subject"], "error": str(error)},
                },
            )


def write_to_console(message: EmailMessage) -> None:
    """The message's headers and plain text, between two rules, on stdout."""
    body = message.get_body(preferencelist=("plain",))
    text = body.get_content() if body is not None else ""
    rule = "-" * 72
    headers = "\n".join(f"{name}: {message[name]}" for name in ("From", "To", "Subject"))
    sys.stdout.write(f"{rule}\n{headers}\n\n{text.rstrip()}\n{rule}\n")
    sys.stdout.flush()
