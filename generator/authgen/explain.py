"""Sessions or JWTs, in plain words: what `authgen explain` prints and the interview shows.

Pure: text in, text out. `comparison(width)` is the whole page; `pictures(width)` is its first
part, shown before the interview's strategy question.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence

WIDTH = 100

TITLE = "Sessions or JWTs: how your app remembers who is signed in"

INTRODUCTION = (
    "After someone signs in, every later request has to show that it comes from them, without "
    "asking for the password again. The app hands over something at sign-in that the client "
    "shows on each request. There are two common kinds of something."
)

PICTURES = (
    (
        "Sessions work like a coat-check ticket.",
        "At sign-in the server writes a record of the sign-in in its database and gives the "
        "browser a ticket: a long random string in a cookie. The ticket says nothing about "
        "you; it only points at the record. On each request the server looks the ticket up. To "
        "end a sign-in, the server throws the record away, and from the very next request the "
        "ticket is worth nothing.",
    ),
    (
        "JWTs work like a signed badge.",
        "At sign-in the server writes who you are on a badge (a JSON Web Token, JWT) and signs "
        "it with a key. On each request the server checks the signature and the expiry time, "
        "and believes the badge without looking anything up. Any server or service that holds "
        "the key can do that check on its own. Because nobody looks the badge up, it cannot be "
        "taken back: it stays good until it expires. So the badge is short-lived (15 minutes "
        "here), and a second, long-lived refresh token, which the server does keep a record of, "
        "gets a fresh badge when the old one runs out. Ending a sign-in deletes the refresh "
        "token; the badge then dies at its expiry, or at once if every request checks.",
    ),
)

HEADINGS = ("", "Sessions (coat-check ticket)", "JWTs (signed badge)")

ROWS = (
    (
        "What the client holds",
        "A random ticket in a cookie. It means nothing by itself.",
        "A signed badge saying who you are (15 minutes), and a refresh token to get the next "
        "badge.",
    ),
    (
        "Where the state lives",
        "On the server: one database row per sign-in.",
        "In the badge itself. The server keeps only one row per sign-in for its refresh tokens.",
    ),
    (
        "Checking a request",
        "Look the ticket up: one quick read of the database.",
        "Check the signature with the key: no lookup (unless you choose that every request "
        "checks).",
    ),
    (
        "Sign out, kill switch",
        "Instant. Delete the record: sign out, sign out everywhere, a revoked device or a "
        "banned user take effect on the next request.",
        "The refresh token dies at once. The badge keeps working until it expires, unless every "
        "request checks (jwt_revocation every_request).",
    ),
    (
        "A stolen credential",
        "The thief can act as you until the sign-in is ended; you see the device in your list "
        "and end it at once.",
        "A stolen badge works until it expires and nothing stops it sooner (unless every "
        "request checks). A stolen refresh token is caught once both you and the thief have used "
        "it: the whole sign-in is ended.",
    ),
    (
        "Many servers",
        "Every server must reach the shared database (or a shared cache).",
        "Any server with the key checks badges on its own: nothing shared per request.",
    ),
    (
        "Other services",
        "They must ask this app who someone is.",
        "They check badges themselves; with EdDSA they hold only the public key, which checks "
        "badges but cannot make them.",
    ),
    (
        "Moving parts",
        "A cookie and a table.",
        "Signing keys to guard, a refresh step in every client, a short expiry to live with.",
    ),
    (
        "Server-rendered pages",
        "The natural fit: the browser sends the cookie by itself.",
        "Works the same: this project keeps both tokens in HttpOnly cookies for pages.",
    ),
    (
        "Single-page apps",
        "A good fit when served from the same site: the cookie, plus a CSRF token.",
        "Works: keep the tokens in memory, never in localStorage.",
    ),
    (
        "Mobile apps, programs",
        "Possible (they keep the cookie like a browser), but awkward.",
        "The natural fit: the badge goes in the Authorization header.",
    ),
    (
        "Several backends",
        "Each one asks this app, or reads its database, to check a request.",
        "Each one checks the badge itself.",
    ),
)

WORDS = (
    (
        "cookie",
        "a small value a site asks the browser to keep and send back with every request to that "
        "site. An HttpOnly cookie cannot be read by the page's scripts, so a script slipped into "
        "the page by an attacker cannot steal it.",
    ),
    (
        "signature",
        "a value computed from the badge's contents and a key. Change one letter of the badge "
        "and the signature no longer matches; without the key nobody can make a matching one.",
    ),
    (
        "expiry",
        "the time written on the badge after which it is refused.",
    ),
    (
        "refresh token",
        "a random ticket, kept on the server as a record, that is traded for a new badge (and a "
        "new refresh token) when the badge expires. Each one works once.",
    ),
    (
        "revoke, kill switch",
        "end a sign-in before it would end on its own: a lost phone, a fired employee, a "
        "banned account.",
    ),
    (
        "lookup",
        "reading the database to check something. Fast (one read by a unique key), but every "
        "server has to reach the database.",
    ),
    (
        "Authorization header",
        "a line a program adds to each request it sends; with JWTs it carries the badge. "
        "Browsers never add it by themselves, unlike cookies.",
    ),
    (
        "CSRF",
        "cross-site request forgery: another site making your browser send a request to this "
        "app, with your cookie attached. A secret token in every form, which other sites cannot "
        "read, stops it.",
    ),
    (
        "localStorage",
        "storage in the browser that any script on the page can read, which is why a token "
        "must never be kept there.",
    ),
    (
        "EdDSA, HS256",
        "two ways to sign badges. EdDSA: a private key signs and a public key checks. HS256: one "
        "shared secret does both.",
    ),
)

# The same for both strategies: how the person proves who they are, before either kind of
# something is handed over (the answers totp and passkeys).
STRONGER_SIGN_IN_TITLE = "Either way: a second factor and passkeys"
STRONGER_SIGN_IN = (
    "A password can be guessed, leaked by another site, or typed into a fake page. With a second "
    "factor (the answer totp), signing in also asks for a six-digit code from an app on the "
    "person's phone, which changes every 30 seconds: a stolen password alone then opens "
    "nothing. Ten one-time recovery codes stand in for a lost phone.",
    "A passkey (the answer passkeys) goes further: a key the phone, laptop or security key "
    "makes for this one site and keeps, unlocked with a fingerprint, a face or a PIN. It is "
    "both factors at once, there is nothing to type or steal from the server, and it cannot be "
    "phished, because the device only ever uses it on the real site's address.",
    "Both work the same with sessions and with JWTs, and both are on by default: people choose "
    "on their account page whether to use them.",
)

IN_SHORT = (
    "Choose sessions when this app and its database are the only ones who need to know who is "
    "signed in, above all for pages it serves itself: the simplest setup, with an instant kill "
    "switch.",
    "Choose JWTs when other services must check identity on their own, when many servers cannot "
    "share a database, or when your callers are mobile apps and other programs: checks without "
    "a lookup, at the price of badges that outlive a sign-out by up to 15 minutes (or a lookup "
    "per request after all).",
    'Not sure? Run `authgen new DEST` and pick "help me decide": four questions about your '
    "project, and a recommendation with its reasons.",
)


def terminal_width() -> int:
    """The terminal's width, kept between 60 and WIDTH columns (WIDTH with no terminal)."""
    return min(WIDTH, max(60, shutil.get_terminal_size((WIDTH, 24)).columns))


def pictures(width: int = WIDTH) -> str:
    """The two pictures: what a session is and what a JWT is."""
    parts = []
    for heading, text in PICTURES:
        parts.append(heading + "\n" + _wrap(text, width, indent="  "))
    return "\n\n".join(parts)


def comparison(width: int = WIDTH) -> str:
    """The whole comparison: the pictures, a table, what a second factor and passkeys add
    whichever is chosen, the words used, and when to choose which."""
    sections = [
        TITLE + "\n" + "=" * len(TITLE),
        _wrap(INTRODUCTION, width),
        pictures(width),
        table(HEADINGS, ROWS, width),
        STRONGER_SIGN_IN_TITLE
        + "\n"
        + "\n\n".join(_wrap(text, width) for text in STRONGER_SIGN_IN),
        "Words used here\n"
        + "\n".join(_wrap(f"{word}: {text}", width, hang="  ") for word, text in WORDS),
        "In short\n" + "\n".join(_wrap(f"- {text}", width, hang="  ") for text in IN_SHORT),
    ]
    return "\n\n".join(sections) + "\n"


def table(headings: Sequence[str], rows: Sequence[Sequence[str]], width: int = WIDTH) -> str:
    """Rows of wrapped cells in plain text, no wider than `width`.

    The first column is as wide as its longest word-wrapped label needs (at most a quarter of
    the width); the others share the rest equally.
    """
    separator = " | "
    count = len(headings)
    first = min(max(len(row[0]) for row in [headings, *rows]), width // 4)
    rest = (width - first - len(separator) * (count - 1)) // (count - 1)
    widths = [first, *[rest] * (count - 1)]
    rule = "-+-".join("-" * column for column in widths)
    lines = [*_row(headings, widths, separator), rule]
    for row in rows:
        lines += _row(row, widths, separator)
        lines.append(rule)
    return "\n".join(line.rstrip() for line in lines[:-1])


def _row(cells: Sequence[str], widths: Sequence[int], separator: str) -> list[str]:
    wrapped = [
        textwrap.wrap(cell, column) or [""] for cell, column in zip(cells, widths, strict=True)
    ]
    height = max(len(lines) for lines in wrapped)
    return [
        separator.join(
            (lines[index] if index < len(lines) else "").ljust(column)
            for lines, column in zip(wrapped, widths, strict=True)
        )
        for index in range(height)
    ]


def _wrap(text: str, width: int, *, indent: str = "", hang: str = "") -> str:
    return textwrap.fill(
        text, width, initial_indent=indent, subsequent_indent=indent + hang, break_on_hyphens=False
    )
