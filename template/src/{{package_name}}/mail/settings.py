"""MAIL_URL and MAIL_FROM: where the app's mail goes, and who it is from."""

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import unquote, urlsplit

from pydantic import field_validator
from pydantic_settings import BaseSettings

# The scheme of MAIL_URL: how to talk to the server, and its usual port.
SMTP_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class MailServer:
    """An SMTP server: plain (`smtp`), upgraded with STARTTLS, or TLS from the start (`smtps`)."""

    scheme: str
    host: str
    port: int
    username: str | None
    password: str | None


def mail_server(url: str) -> MailServer | None:
    """The server MAIL_URL names, or None for `console://` (mail written to stdout)."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return None
    if parts.scheme not in SMTP_PORTS:
        raise ValueError(
            f"MAIL_URL must start with console://, {'://, '.join(SMTP_PORTS)}://, "
            f"not {parts.scheme or 'nothing'}://"
        )
    try:
        port = parts.port or SMTP_PORTS[parts.scheme]
    except ValueError:
        raise ValueError("MAIL_URL has a port that is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise ValueError("MAIL_URL names no host, e.g. smtp+starttls://user:password@host:587")
    return MailServer(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class MailSettings(BaseSettings):
    # console:// (the default: each message is written to stdout), smtp://host:port,
    # smtp+starttls://user:password@host:587 or smtps://user:password@host:465.
    mail_url: str = "console://"
    # The sender; empty: no-reply@ the host of PUBLIC_URL.
    mail_from: str = ""

    @field_validator("mail_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        mail_server(value)
        return value

    @cached_property
    def mail_server(self) -> MailServer | None:
        return mail_server(self.mail_url)
