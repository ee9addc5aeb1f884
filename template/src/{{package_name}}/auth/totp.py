"""An authenticator app as a second factor (TOTP, RFC 6238), and its recovery codes.

Turning it on takes two steps: `begin_setup` keeps a new secret, not yet in force, for the user
to scan into their app (the otpauth:// URI, drawn as a QR code); `confirm` checks a first code
from the app, puts the secret in force and hands out ten recovery codes, shown once. From then on
every sign-in of the account needs a code (second_step.py), and so does re-authentication.

A code works once: the 30-second step of the last code accepted is kept, and a code of that step
or an earlier one is refused, so a code seen over someone's shoulder cannot be used again. Codes
of the steps just before and after the server's count too, for a phone's clock a little off.

Recovery codes are for a lost phone. Each has about 50 random bits: short enough to type, too few
to keep as a plain hash, so they are kept as argon2 hashes, like passwords. Using one deletes it.
"""

import hmac
import secrets
from dataclasses import dataclass

import pyotp
from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import clock, passwords
from ..db import Lookups
from ..models import AuthenticatorApp, RecoveryCode
from . import events

# Codes of this many steps before and after the server's current step are accepted.
DRIFT_STEPS = 1
CODE_DIGITS = 6

RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits, without the easily confused 0, 1, i, l and o.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10

# How a sign-in's method (sign_ins.method) says which second factor passed: "password+code".
WITH_CODE = "code"
WITH_RECOVERY_CODE = "recovery"


class WrongCode(Exception):
    """Neither the app's code of the moment (unused) nor one of the account's recovery codes."""


class NotOn(Exception):
    """The account has no authenticator app in force."""


class AlreadyOn(Exception):
    """The account has an authenticator app in force already: turn it off first."""


class NothingToConfirm(Exception):
    """No authenticator app is being set up (begin_setup first)."""


@dataclass(frozen=True)
class Setup:
    """A new secret, not in force yet, and the otpauth:// URI that carries it to the app."""

    secret: str
    uri: str


_IN_FORCE = select(AuthenticatorApp.user_id).where(
    AuthenticatorApp.user_id == bindparam("user_id"), AuthenticatorApp.confirmed_at.is_not(None)
)


async def is_on(lookups: Lookups, user_id: int) -> bool:
    """Whether signing in to the account needs a code. Every password sign-in asks, through the
    database's direct road (db.Lookups)."""
    return await lookups.first(_IN_FORCE, {"user_id": user_id}) is not None


def setup_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// URI that carries the secret to the app (Key URI Format)."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


async def begin_setup(db: AsyncSession, user_id: int, email: str, issuer: str) -> Setup:
    """Keep a new secret for the account, not in force until `confirm`; it replaces a setup
    left unfinished. Raises AlreadyOn."""
    app = await db.get(AuthenticatorApp, user_id)
    if app is not None and app.confirmed_at is not None:
        raise AlreadyOn
    secret = pyotp.random_base32()  # 160 bits from the secrets module
    if app is None:
        db.add(AuthenticatorApp(user_id=user_id, secret=secret, created_at=clock.now()))
    else:
        app.secret, app.created_at = secret, clock.now()
    await db.commit()
    return Setup(secret, setup_uri(secret, email, issuer))


def _clean(code: str) -> str:
    """A code as typed, without the spaces and dashes people add."""
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(secret: str, code: str) -> int | None:
    """The step whose code `code` is, among the steps around now; None if none."""
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS)
    current = totp.timecode(clock.now())
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _new_recovery_code() -> str:
    code = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


async def _replace_recovery_codes(db: AsyncSession, user_id: int) -> list[str]:
    """New recovery codes for the account, the old ones gone (not committed)."""
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    now = clock.now()
    for code in codes:
        code_hash = await passwords.in_turn(passwords.hash_password, _clean(code))
        db.add(RecoveryCode(user_id=user_id, code_hash=code_hash, created_at=now))
    return codes


async def confirm(db: AsyncSession, user_id: int, code: str, client_ip: str) -> list[str]:
    """Put the secret being set up in force with a first code from the app (that code counts
    as used), and return the account's ten recovery codes. Raises NothingToConfirm or
    WrongCode."""
    app = await db.get(AuthenticatorApp, user_id)
    if app is None or app.confirmed_at is not None:
        raise NothingToConfirm
    step = _matching_step(app.secret, _clean(code))
    if step is None:
        raise WrongCode
    app.confirmed_at, app.last_used_step = clock.now(), step
    codes = await _replace_recovery_codes(db, user_id)
    events.remember(db, "second_factor.added", user_id, client_ip)
    await db.commit()
    return codes


async def new_recovery_codes(db: AsyncSession, user_id: int, client_ip: str) -> list[str]:
    """Ten new recovery codes in place of the account's old ones. Raises NotOn."""
    app = await db.get(AuthenticatorApp, user_id)
    if app is None or app.confirmed_at is None:
        raise NotOn
    codes = await _replace_recovery_codes(db, user_id)
    events.remember(db, "second_factor.recovery_codes_replaced", user_id, client_ip)
    await db.commit()
    return codes


async def turn_off(db: AsyncSession, user_id: int, client_ip: str) -> bool:
    """Remove the account's authenticator app and recovery codes; False if it had none in
    force (a setup under way is dropped too)."""
    app = await db.get(AuthenticatorApp, user_id)
    if app is None:
        return False
    was_on = app.confirmed_at is not None
    await db.delete(app)
    await db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    if was_on:
        events.remember(db, "second_factor.removed", user_id, client_ip)
    await db.commit()
    return was_on


async def check_code(db: AsyncSession, user_id: int, code: str) -> str:
    """Accept a code of the account's authenticator app, or one of its recovery codes, once:
    the app's code is marked used, a recovery code deleted (not committed). Returns WITH_CODE
    or WITH_RECOVERY_CODE; raises WrongCode (or NotOn)."""
    app = await db.get(AuthenticatorApp, user_id)
    if app is None or app.confirmed_at is None:
        raise NotOn
    cleaned = _clean(code)
    if len(cleaned) == CODE_DIGITS and cleaned.isdigit():
        step = _matching_step(app.secret, cleaned)
        if step is None:
            raise WrongCode
        # Compare and set: of two requests with the same code, only one moves the step on.
        used = await db.scalar(
            update(AuthenticatorApp)
            .where(AuthenticatorApp.user_id == user_id)
            .where(
                or_(
                    AuthenticatorApp.last_used_step.is_(None),
                    AuthenticatorApp.last_used_step < step,
                )
            )
            .values(last_used_step=step)
            .returning(AuthenticatorApp.user_id)
        )
        if used is None:
            raise WrongCode
        return WITH_CODE
    if len(cleaned) == RECOVERY_CODE_LENGTH:
        rows = await db.execute(
            select(RecoveryCode.id, RecoveryCode.code_hash).where(RecoveryCode.user_id == user_id)
        )
        for code_id, code_hash in rows.all():
            if await passwords.in_turn(passwords.verify_password, code_hash, cleaned):
                spent = await db.scalar(
                    delete(RecoveryCode)
                    .where(RecoveryCode.id == code_id)
                    .returning(RecoveryCode.id)
                )
                if spent is None:
                    break  # another request spent it a moment ago
                return WITH_RECOVERY_CODE
    raise WrongCode
