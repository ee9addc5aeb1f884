"""The account's life beyond signing in: a forgotten password, confirming the address, changing
it, re-authenticating, and the owner's export and deletion of the account.

Plain functions, shared by the pages and the JSON API. Each one commits what it changes and then
posts its mail, so a send that fails never undoes a change (and the user can ask again).
"""

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from . import accounts, clock, passwords
from .auth import devices, events, mail_links, throttle
from .auth.identity import SignedIn
from .auth.login import WrongCredentials, check_password
from .auth.mail_links import Purpose
from .db import Lookups
from .mail import messages
from .mail.postbox import Postbox
from .models import AccountEvent, OAuthAccount, SignIn, User
from .settings import Settings


class InvalidLink(Exception):
    """The one answer for a link that is expired, used, replaced, unknown or not for this."""

    def __init__(self) -> None:
        super().__init__(
            "That link is not valid: it may have expired, been used already, or been replaced "
            "by a newer one. Please ask for a new one."
        )


class ProofNeeded(Exception):
    """A confirmation link was opened by someone not signed in to its account, without the
    account's password."""


class AddressTaken(accounts.AccountError):
    def __init__(self) -> None:
        super().__init__(
            "That address belongs to another account now, so it cannot be yours.", field="email"
        )


class AddressNotConfirmed(Exception):
    """A password sign-in of an account whose address is not confirmed, while
    EMAIL_VERIFICATION is mandatory; a new link has been mailed."""


class NoPassword(accounts.AccountError):
    """Re-authentication asked of an account that signs in only through another provider."""

    def __init__(self) -> None:
        super().__init__(
            "Your account has no password. Sign out and sign in again to continue, or set a "
            'password through "Forgot your password?".',
            field="password",
        )


def link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_url}{path}?{urlencode({'token': token})}"


def notify(postbox: Postbox, settings: Settings, to: str, message: messages.Message) -> None:
    """Mail `message` to `to`, after the request's answer."""
    postbox.post(messages.compose(settings, to, message))


async def _may_mail(lookups: Lookups, kind: str, email: str, client_ip: str | None) -> bool:
    """Count a request for mail; False (and nothing sent) beyond the limits."""
    try:
        await throttle.attempt(lookups, throttle.mail_keys(kind, email, client_ip))
    except throttle.Throttled:
        events.record(f"mail.{kind}_throttled", account=throttle.account_hash(email))
        return False
    return True


# Forgotten passwords


async def request_password_reset(
    open_db: async_sessionmaker[AsyncSession],
    lookups: Lookups,
    postbox: Postbox,
    settings: Settings,
    email: str,
    client_ip: str,
) -> None:
    """Mail a reset link if the address has an account. The caller answers the same either way,
    at once: whether there is an account is looked up after the answer, in the background."""
    postbox.later(_mail_reset_link(open_db, lookups, postbox, settings, email, client_ip))


async def _mail_reset_link(
    open_db: async_sessionmaker[AsyncSession],
    lookups: Lookups,
    postbox: Postbox,
    settings: Settings,
    email: str,
    client_ip: str,
) -> None:
    async with open_db() as db:
        if not await _may_mail(lookups, "reset", email, client_ip):
            return
        user = await db.scalar(
            select(User).where(User.email == accounts.normalize_email(email), User.is_active)
        )
        if user is None:
            return
        token = await mail_links.issue(
            db, user.id, Purpose.PASSWORD_RESET, user.email, settings.password_reset_lifetime
        )
        events.remember(db, "password.reset_requested", user.id, client_ip)
        await db.commit()
        reset_link = link(settings, "/password/reset", token)
        notify(
            postbox,
            settings,
            user.email,
            messages.password_reset(reset_link, settings.password_reset_lifetime),
        )


async def reset_link_address(db: AsyncSession, token: str) -> str | None:
    """The address a live reset link was sent to (its page shows the form), without using it."""
    found = await mail_links.find(db, Purpose.PASSWORD_RESET, token)
    return found.email if found else None


async def reset_password(
    db: AsyncSession,
    postbox: Postbox,
    settings: Settings,
    token: str,
    new_password: str,
    client_ip: str,
) -> User:
    """Set the password from a reset link; every sign-in of the account ends.

    The link proves the address, so it is marked confirmed. If it was not confirmed before,
    whoever registered it may not be its owner: what they could have set up goes first (their
    password is replaced here anyway, their sign-ins end, and identities linked from other
    providers are removed).
    """
    if problem := passwords.problem_with_new_password(new_password, settings.password_min_length):
        raise accounts.AccountError(problem, field="password")
    found = await mail_links.find(db, Purpose.PASSWORD_RESET, token)
    user = await db.get(User, found.user_id) if found else None
    if found is None or user is None or not user.is_active or user.email != found.email:
        raise InvalidLink
    new_hash = await passwords.in_turn(passwords.hash_password, new_password)
    if await mail_links.use(db, Purpose.PASSWORD_RESET, token) is None:
        raise InvalidLink  # used at the same moment by another request
    if user.email_verified_at is None:
        await db.execute(delete(OAuthAccount).where(OAuthAccount.user_id == user.id))
        user.email_verified_at = clock.now()
    user.password_hash = new_hash
    await mail_links.forget_all(db, user.id)
    await db.execute(delete(SignIn).where(SignIn.user_id == user.id))
    events.remember(db, "password.reset", user.id, client_ip)
    await db.commit()
    notify(postbox, settings, user.email, messages.password_changed(reset=True))
    return user


async def password_changed(
    db: AsyncSession, postbox: Postbox, settings: Settings, signed_in: SignedIn, client_ip: str
) -> None:
    """After the owner changed the password: the other sign-ins end, and a notice goes out."""
    await devices.end_other_sign_ins(db, signed_in)
    events.remember(db, "password.changed", signed_in.user_id, client_ip)
    await db.commit()
    user = await db.get_one(User, signed_in.user_id)
    notify(postbox, settings, user.email, messages.password_changed(reset=False))


# Confirming an address


async def send_confirmation(
    db: AsyncSession,
    lookups: Lookups,
    postbox: Postbox,
    settings: Settings,
    user_id: int,
    address: str,
    client_ip: str | None,
) -> None:
    """Mail a link confirming the account's address. Quietly sends nothing beyond the
    account's limit of confirmation mails."""
    if await _may_mail(lookups, "confirm", address, client_ip):
        await _mail_confirmation_link(db, postbox, settings, user_id, address, new_address=False)


async def resend_confirmation(
    db: AsyncSession,
    lookups: Lookups,
    postbox: Postbox,
    settings: Settings,
    user_id: int,
    client_ip: str,
) -> None:
    """A new confirmation link, asked for by the signed-in owner, unless the address is
    confirmed already."""
    user = await db.get_one(User, user_id)
    if user.email_verified_at is None:
        await send_confirmation(db, lookups, postbox, settings, user.id, user.email, client_ip)


async def _mail_confirmation_link(
    db: AsyncSession,
    postbox: Postbox,
    settings: Settings,
    user_id: int,
    address: str,
    *,
    new_address: bool,
) -> None:
    token = await mail_links.issue(
        db, user_id, Purpose.CONFIRM_ADDRESS, address, settings.email_verification_lifetime
    )
    await db.commit()
    message = messages.confirm_address(
        link(settings, "/verify-email", token),
        settings.email_verification_lifetime,
        new_address=new_address,
    )
    notify(postbox, settings, address, message)


async def check_confirmed(
    db: AsyncSession,
    lookups: Lookups,
    postbox: Postbox,
    settings: Settings,
    user: accounts.Account,
    client_ip: str,
) -> None:
    """With EMAIL_VERIFICATION mandatory, an unconfirmed account may not sign in with its
    password: a new link is mailed and AddressNotConfirmed raised."""
    if settings.email_verification == "mandatory" and not user.email_verified:
        await send_confirmation(db, lookups, postbox, settings, user.id, user.email, client_ip)
        events.record("sign_in.unconfirmed", user_id=user.id, client=client_ip)
        raise AddressNotConfirmed


async def confirmation_link(db: AsyncSession, token: str) -> tuple[int, str]:
    """The account a live confirmation link belongs to and the address it confirms, or
    InvalidLink; the link stays usable."""
    found = await mail_links.find(db, Purpose.CONFIRM_ADDRESS, token)
    if found is None:
        raise InvalidLink
    return found.user_id, found.email


async def confirm_address(
    db: AsyncSession,
    lookups: Lookups,
    token: str,
    signed_in: SignedIn | None,
    password: str | None,
    client_ip: str,
) -> User:
    """Confirm the address a link was sent to, for a visitor signed in to the account or one
    who gives its password (raises ProofNeeded, WrongCredentials or Throttled otherwise). For a
    new address, this is when the account's address changes."""
    found = await mail_links.find(db, Purpose.CONFIRM_ADDRESS, token)
    user = await db.get(User, found.user_id) if found else None
    if found is None or user is None or not user.is_active:
        raise InvalidLink
    if signed_in is None or signed_in.user_id != user.id:
        if not password:
            raise ProofNeeded
        owner = await check_password(
            lookups, user.email, password, client_ip, purpose="confirm_address"
        )
        if owner.id != user.id:
            raise WrongCredentials
    used = await mail_links.use(db, Purpose.CONFIRM_ADDRESS, token)
    if used is None:
        raise InvalidLink
    if used.email != user.email:
        if await db.scalar(select(User.id).where(User.email == used.email)) is not None:
            await db.rollback()
            raise AddressTaken
        events.remember(db, "email.changed", user.id, client_ip)
        user.email = used.email
    user.email_verified_at = clock.now()
    events.remember(db, "email.confirmed", user.id, client_ip)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise AddressTaken from None
    return user


async def request_address_change(
    db: AsyncSession,
    lookups: Lookups,
    postbox: Postbox,
    settings: Settings,
    user_id: int,
    new_email: str,
    client_ip: str,
) -> str:
    """Mail a confirmation link to the new address and a notice to the old one; the address
    changes when the link is used. Returns the new address in its stored form.

    If the new address already has an account, it gets a mail saying so instead of a link, and
    the answer is the same, so this cannot be used to find out who has an account.
    """
    address = accounts.check_email(new_email)
    current = (await db.get_one(User, user_id)).email
    if address == current:
        raise accounts.AccountError("That is already your address.", field="email")
    if not await _may_mail(lookups, "confirm", current, client_ip):
        return address
    events.remember(db, "email.change_requested", user_id, client_ip)
    await db.commit()
    if await db.scalar(select(User.id).where(User.email == address)) is not None:
        notify(postbox, settings, address, messages.address_already_used())
    else:
        await _mail_confirmation_link(db, postbox, settings, user_id, address, new_address=True)
    notify(postbox, settings, current, messages.address_change_requested(address))
    return address


# Re-authentication


async def reauthenticate(
    db: AsyncSession, lookups: Lookups, signed_in: SignedIn, password: str, client_ip: str
) -> None:
    """Prove again, with the password, that the signed-in user is at the keyboard: this sign-in
    counts as fresh for REAUTH_LIFETIME. Raises NoPassword, WrongCredentials or Throttled."""
    user = await db.get_one(User, signed_in.user_id)
    if user.password_hash is None:
        raise NoPassword
    owner = await check_password(lookups, user.email, password, client_ip, purpose="reauthenticate")
    if owner.id != signed_in.user_id:
        raise WrongCredentials
    await db.execute(
        update(SignIn)
        .where(SignIn.id == signed_in.sign_in_id, SignIn.user_id == signed_in.user_id)
        .values(authenticated_at=clock.now())
    )
    await db.commit()


# Export and deletion


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export(db: AsyncSession, user_id: int) -> dict[str, Any]:
    """Everything kept about the account, as JSON-ready data (no password hash, no token)."""
    user = await db.get_one(User, user_id)
    sign_ins = await db.scalars(select(SignIn).where(SignIn.user_id == user_id).order_by(SignIn.id))
    identities = await db.scalars(
        select(OAuthAccount).where(OAuthAccount.user_id == user_id).order_by(OAuthAccount.id)
    )
    account_events = await db.scalars(
        select(AccountEvent).where(AccountEvent.user_id == user_id).order_by(AccountEvent.id)
    )
    return {
        "profile": {
            "id": user.id,
            "email": user.email,
            "email_verified": user.email_verified_at is not None,
            "email_verified_at": _time(user.email_verified_at),
            "has_password": user.password_hash is not None,
            "created_at": _time(user.created_at),
        },
        "sign_ins": [
            {
                "id": row.id,
                "created_at": _time(row.created_at),
                "last_seen_at": _time(row.last_seen_at),
                "expires_at": _time(row.expires_at),
                "user_agent": row.user_agent,
                "ip_address": row.ip_address,
            }
            for row in sign_ins
        ],
        "linked_identities": [
            {
                "provider": row.provider,
                "issuer": row.issuer,
                "subject": row.subject,
                "email": row.email,
                "created_at": _time(row.created_at),
            }
            for row in identities
        ],
        "security_events": [
            {"event": row.event, "ip_address": row.ip_address, "created_at": _time(row.created_at)}
            for row in account_events
        ],
    }


async def delete_account(
    db: AsyncSession, postbox: Postbox, settings: Settings, user_id: int, client_ip: str
) -> None:
    """Delete the account and every row that belongs to it, in one transaction, then mail a
    notice to its address."""
    user = await db.get_one(User, user_id)
    email = user.email
    for table in (SignIn, OAuthAccount, AccountEvent):
        await db.execute(delete(table).where(table.user_id == user_id))
    await mail_links.forget_all(db, user_id)
    await throttle.forget_account(db, email)
    await db.execute(delete(User).where(User.id == user_id))
    await db.commit()
    events.record("account.deleted", user_id=user_id, client=client_ip)
    notify(postbox, settings, email, messages.account_deleted())
