"""Password hashing (argon2id) and the rules a new password must meet."""

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar, TypeVarTuple

import anyio
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from .characters import unusable_character

# OWASP's argon2id row "m=19456 KiB, t=2, p=1". Raise these as hardware allows: stored hashes are
# upgraded at the next sign-in (see accounts.authenticate).
HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID)

# Long passphrases are welcome; the cap only keeps hashing cheap enough to survive abuse.
MAX_LENGTH = 1024

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")

T = TypeVar("T")
Args = TypeVarTuple("Args")


def _cores() -> int:
    """The CPU cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# Hashing keeps a core busy and holds HASHER.memory_cost KiB while it runs. More hashes at once
# than there are cores would only take turns, pushing each other's memory out of the CPU's
# cache, and a crowd of sign-ins would hold all that memory at once: the rest wait their turn.
AT_ONCE = anyio.CapacityLimiter(_cores())


async def in_turn(work: Callable[[*Args], T], *args: *Args) -> T:
    """`work(*args)` (a hash or a verification) on a worker thread, off the event loop, once a
    core is free for it."""
    return await anyio.to_thread.run_sync(work, *args, limiter=AT_ONCE)


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return HASHER.check_needs_rehash(password_hash)


@cache
def dummy_hash() -> str:
    """A real hash to verify against for unknown emails, so they take as long as known ones."""
    return HASHER.hash("an unused password that keeps the timing even")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def problem_with_new_password(password: str, min_length: int) -> str | None:
    """What is wrong with a password someone wants to set, or None. No composition rules."""
    if len(password) < min_length:
        return f"Use at least {min_length} characters. A few unrelated words make a good one."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if character := unusable_character(password):
        return f"The password contains {character}, which cannot be used. Please choose another."
    if password.lower() in common_passwords():
        return "That password is too common and easy to guess. Please choose another."
    return None
