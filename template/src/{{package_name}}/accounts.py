"""Accounts: plain functions over the database, used by the pages and the JSON API alike."""

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from . import clock, passwords
from .models import SignIn, User


class AccountError(Exception):
    """A request about an account that cannot be met; the message is safe to show."""


class EmailTaken(AccountError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The normalized address, or AccountError with a message for the form."""
    try:
        valid = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise AccountError(f"That email address is not valid: {error}") from None
    return normalize_email(valid.normalized)


async def register(db: AsyncSession, email: str, password: str, min_length: int) -> User:
    address = check_email(email)
    if problem := passwords.problem_with_new_password(password, min_length):
        raise AccountError(problem)
    user = User(
        email=address,
        password_hash=await run_in_threadpool(passwords.hash_password, password),
        created_at=clock.now(),
    )
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise EmailTaken("An account with that email already exists. Sign in instead.") from None
    return user


async def authenticate(db: AsyncSession, email: str, password: str) -> User | None:
    """The active user with this email and password, or None, taking the same time either way."""
    user = await db.scalar(select(User).where(User.email == normalize_email(email)))
    stored = user.password_hash if user and user.password_hash else None
    matches = await run_in_threadpool(
        passwords.verify_password, stored or passwords.dummy_hash(), password
    )
    if user is None or stored is None or not matches or not user.is_active:
        return None
    if passwords.needs_rehash(stored):
        user.password_hash = await run_in_threadpool(passwords.hash_password, password)
        await db.commit()
    return user


async def change_password(
    db: AsyncSession, user_id: int, current: str | None, new: str, min_length: int
) -> None:
    """Replace the password, which takes the current one; an account without a password (made
    through another way of signing in) sets its first one with `current` None."""
    user = await db.get_one(User, user_id)
    if user.password_hash is not None and (
        current is None
        or not await run_in_threadpool(passwords.verify_password, user.password_hash, current)
    ):
        raise AccountError("Your current password is not right.")
    if problem := passwords.problem_with_new_password(new, min_length):
        raise AccountError(problem)
    user.password_hash = await run_in_threadpool(passwords.hash_password, new)
    await db.commit()


async def deactivate(db: AsyncSession, user_id: int) -> None:
    """Disable the account; its sign-ins stop working at their next request."""
    await db.execute(update(User).where(User.id == user_id).values(is_active=False))
    await db.execute(delete(SignIn).where(SignIn.user_id == user_id))
    await db.commit()
