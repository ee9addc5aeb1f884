"""A real SMTP server on 127.0.0.1 that keeps what it is sent, for tests that read an app's mail.

    with SmtpSink() as sink:           # serve the app with MAIL_URL=sink.mail_url
        mail = sink.take(to="ada@example.com", subject="Reset your password")
        link = action_link(mail)

aiosmtpd runs the server in a thread of its own; `take` waits (bounded) on a condition for a
message that matches, and each message is taken once, so a test that expects a second mail of
the same kind waits for that one.
"""

import email
import email.policy
import re
import socket
import threading
from email.message import EmailMessage
from types import TracebackType

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

MAIL_TIMEOUT = 15.0  # seconds: mail goes out in the background, after the response
LINK = re.compile(r"https?://\S*[?&]token=[^\s&]+")


class SmtpSink:
    def __init__(self) -> None:
        self._arrived = threading.Condition()
        self._messages: list[EmailMessage] = []
        self._taken: set[int] = set()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port: int = sock.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    @property
    def mail_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> "SmtpSink":
        self._controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._controller.stop()

    # aiosmtpd's handler hook, called in the server's thread for each message.
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._arrived:
            self._messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def take(self, to: str, subject: str, timeout: float = MAIL_TIMEOUT) -> EmailMessage:
        """The first message not yet taken that went to `to` with `subject` in its subject."""

        def first_match() -> int | None:
            for index, message in enumerate(self._messages):
                if (
                    index not in self._taken
                    and str(message["To"]) == to
                    and subject in str(message["Subject"])
                ):
                    return index
            return None

        with self._arrived:
            self._arrived.wait_for(lambda: first_match() is not None, timeout=timeout)
            index = first_match()
            if index is None:
                seen = [(str(m["To"]), str(m["Subject"])) for m in self._messages]
                raise AssertionError(
                    f"no mail to {to} about {subject!r} within {timeout}s; got: {seen}"
                )
            self._taken.add(index)
            return self._messages[index]


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None, f"no plain-text part in {message['Subject']!r}"
    text = body.get_content()
    assert isinstance(text, str)
    return text


def action_link(message: EmailMessage) -> str:
    """The one link in the plain-text part that carries a token."""
    links = LINK.findall(plain_text(message))
    assert len(links) == 1, f"expected one link with a token in {message['Subject']!r}: {links}"
    return links[0]
