"""A real SMTP server for the tests (aiosmtpd, on localhost) and the mailbox it fills."""

from __future__ import annotations

import re
import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope

LINK = re.compile(r"https://testserver/[^\s\"<>]+")


@dataclass(frozen=True)
class Mail:
    """One received message."""

    to: str
    subject: str
    text: str
    html: str
    message: EmailMessage

    @property
    def link(self) -> str:
        """The action link: the one link to this site that carries a token."""
        links = [url for url in LINK.findall(self.text) if "token=" in url]
        assert len(links) == 1, f"expected one link with a token in {self.subject!r}: {links}"
        return links[0]

    @property
    def path(self) -> str:
        """The link as a path on this site, for the test client."""
        parts = urlsplit(self.link)
        return f"{parts.path}?{parts.query}"

    @property
    def token(self) -> str:
        return parse_qs(urlsplit(self.link).query)["token"][0]


class Mailbox:
    """Everything the server received, in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mails: list[Mail] = []

    def add(self, raw: bytes, recipients: list[str]) -> None:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
        mail = Mail(
            to=", ".join(recipients),
            subject=str(message["Subject"]),
            text=text_part.get_content() if text_part else "",
            html=html_part.get_content() if html_part else "",
            message=message,
        )
        with self._lock:
            self._mails.append(mail)

    def clear(self) -> None:
        with self._lock:
            self._mails.clear()

    @property
    def mails(self) -> list[Mail]:
        with self._lock:
            return list(self._mails)

    def to(self, address: str) -> list[Mail]:
        return [mail for mail in self.mails if mail.to == address]

    def last(self, address: str, subject: str = "") -> Mail:
        """The newest mail to `address` whose subject contains `subject`."""
        matches = [mail for mail in self.to(address) if subject in mail.subject]
        assert matches, f"no mail to {address} about {subject!r}; got {self.summary()}"
        return matches[-1]

    def summary(self) -> list[tuple[str, str]]:
        return [(mail.to, mail.subject) for mail in self.mails]


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: SMTP, conversation: object, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        self.mailbox.add(content, list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class MailServer:
    """An SMTP server on 127.0.0.1 that keeps what it receives; `with` starts and stops it."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self._controller = Controller(_Handler(self.mailbox), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> MailServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._controller.stop()
