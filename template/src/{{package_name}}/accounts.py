"""Accounts: plain functions over the database, used by the pages and the JSON API alike."""

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from . import characters, clock, passwords
from .db import Lookups
from .models import SignIn, User


class AccountError(Exception):
    """A request about an account that cannot be met; the message is safe to show, next to the
    form field `field` when it is about one ("email", "password")."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class EmailTaken(AccountError):
    def __init__(self) -> None:
        super().__init__("An account with that email already exists.", field="email")


class WrongPassword(AccountError):
    """The current password given to change the password is not the account's."""

    def __init__(self) -> None:
        super().__init__("Your current password is not right.", field="current_password")


def check_email(email: str) -> str:
    """The address in the one form accounts are stored and looked up in, or AccountError with a
    message for the form. Registration and every way of signing in go through here.

    Every way of typing one address gives one form: compatibility characters become plain ones
    (Unicode NFKC: a fullwidth letter is the plain letter, a decomposed "é" one character), the
    domain goes through IDNA (UTS #46, by email_validator) in its Unicode form, and all is
    lower-cased.
    """
    if not email.strip():
        raise AccountError("Enter your email address.", field="email")
    try:
        valid = validate_email(
            unicodedata.normalize("NFKC", email).strip(), check_deliverability=False
        )
    except EmailNotValidError as error:
        raise AccountError(f"That email address is not valid: {error}", field="email") from None
    return unicodedata.normalize("NFKC", valid.normalized.lower())


def normalize_email(email: str) -> str:
    """The form `email` is looked up in: check_email's. Text that is no valid address (so no
    account's) is NFKC-normalised and lower-cased, and written as escapes if it holds a
    character no database takes, so that it finds nothing and breaks nothing."""
    try:
        return check_email(email)
    except AccountError:
        text = unicodedata.normalize("NFKC", email).strip().lower()
        return text if characters.unusable_character(text) is None else ascii(text)


async def register(db: AsyncSession, email: str, password: str, min_length: int) -> User:
    address = check_email(email)
    if problem := passwords.problem_with_new_password(password, min_length):
        raise AccountError(problem, field="password")
    user = User(
        email=address,
        password_hash=await passwords.in_turn(passwords.hash_password, password),
        created_at=clock.now(),
    )
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise EmailTaken from None
    return user


@dataclass(frozen=True)
class Account:
    """The account a password opened."""

    id: int
    email: str
    email_verified: bool


# Every sign-in runs these, through db.Lookups rather than the ORM.
_CREDENTIALS = select(
    User.id, User.email, User.password_hash, User.email_verified_at.is_not(None), User.is_active
).where(User.email == bindparam("email"))
_REHASHED = (
    update(User)
    .where(User.id == bindparam("user_id"), User.password_hash == bindparam("old"))
    .values(password_hash=bindparam("new"))
)


async def authenticate(lookups: Lookups, email: str, password: str) -> Account | None:
    """The active account with this email and password, or None, taking the same time either
    way. A hash made with older parameters than passwords.HASHER's is replaced."""
    row = await lookups.first(_CREDENTIALS, {"email": normalize_email(email)})
    user_id, address, stored, email_verified, is_active = row or (None, None, None, None, None)
    matches = await passwords.in_turn(
        passwords.verify_password, stored or passwords.dummy_hash(), password
    )
    if user_id is None or stored is None or not matches or not is_active:
        return None
    if passwords.needs_rehash(stored):
        new = await passwords.in_turn(passwords.hash_password, password)
        async with lookups.transaction() as statements:
            await statements.run(_REHASHED, {"user_id": user_id, "old": stored, "new": new})
    return Account(id=user_id, email=address, email_verified=bool(email_verified))


async def change_password(
    db: AsyncSession, user_id: int, current: str | None, new: str, min_length: int
) -> None:
    """Replace the password, which takes the current one; an account without a password (made
    through another way of signing in) sets its first one with `current` None."""
    user = await db.get_one(User, user_id)
    if user.password_hash is not None and (
        current is None
        or not await passwords.in_turn(passwords.verify_password, user.password_hash, current)
    ):
        raise WrongPassword
    if problem := passwords.problem_with_new_password(new, min_length):
        raise AccountError(problem, field="new_password")
    user.password_hash = await passwords.in_turn(passwords.hash_password, new)
    await db.commit()


async def deactivate(db: AsyncSession, user_id: int) -> None:
    """Disable the account; its sign-ins stop working at their next request."""
    await db.execute(update(User).where(User.id == user_id).values(is_active=False))
    await db.execute(delete(SignIn).where(SignIn.user_id == user_id))
    await db.commit()
