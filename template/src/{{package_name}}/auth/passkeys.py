"""Passkeys (WebAuthn), with the `webauthn` package: adding one to an account, signing in with
one, listing and removing them.

Each ceremony is a challenge and its answer. The server hands out options with 32 random bytes
of challenge, kept (as a SHA-256) for CHALLENGE_LIFETIME; the browser has the authenticator sign
over them, for this site only; the answer must name a challenge still kept, which it uses up.
The relying party is PUBLIC_URL: its host is the rp id, and it is the one origin accepted.

Signing in asks for a discoverable passkey (no email first) with user verification (the
phone's unlock, a fingerprint, a PIN), so one passkey is both factors. The answer names its
passkey; the server checks that the user handle it carries is that passkey's, that the
signature verifies with the passkey's public key, and that the signature counter moved on. A
counter that did not (where the authenticator keeps one) means a copy of the key is in use: the
sign-in is refused and the event logged.
"""

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from .. import clock
from ..db import Lookups, Read
from ..models import Passkey, PasskeyChallenge, SignIn, User
from ..settings import Settings
from . import events
from .identity import SignedIn

# How a sign-in made with a passkey is listed among the user's devices (sign_ins.method).
METHOD = "passkey"
CHALLENGE_LIFETIME = timedelta(minutes=5)
NAME_LENGTH = 60
_ADD, _SIGN_IN = "add", "sign_in"


class Refused(Exception):
    """An answer that adds no passkey or signs nobody in; the message is safe to show."""


@dataclass(frozen=True)
class ListedPasskey:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _relying_party(settings: Settings) -> tuple[str, str]:
    """The rp id (PUBLIC_URL's host) and the one origin accepted."""
    parts = urlsplit(settings.public_url)
    return parts.hostname or "", f"{parts.scheme}://{parts.netloc}"


def _hash(challenge: bytes) -> str:
    return hashlib.sha256(challenge).hexdigest()


async def _new_challenge(
    db: AsyncSession, purpose: str, user_id: int | None = None, user_handle: str | None = None
) -> bytes:
    now = clock.now()
    await db.execute(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at <= now))
    challenge = secrets.token_bytes(32)
    db.add(
        PasskeyChallenge(
            challenge_hash=_hash(challenge),
            purpose=purpose,
            user_id=user_id,
            user_handle=user_handle,
            expires_at=now + CHALLENGE_LIFETIME,
        )
    )
    await db.commit()
    return challenge


async def _use_challenge(
    db: AsyncSession, credential: dict[str, Any], purpose: str, user_id: int | None = None
) -> tuple[bytes, PasskeyChallenge]:
    """The challenge the answer signed, if it is one handed out for `purpose` (and `user_id`)
    and still kept: it is deleted (not committed). Raises Refused."""
    try:
        client_data = json.loads(_unb64url(credential["response"]["clientDataJSON"]))
        challenge = _unb64url(client_data["challenge"])
    except (KeyError, TypeError, ValueError):
        raise Refused("That answer from the authenticator is not one this site can read.") from None
    kept = await db.scalar(
        delete(PasskeyChallenge)
        .where(
            PasskeyChallenge.challenge_hash == _hash(challenge),
            PasskeyChallenge.purpose == purpose,
            PasskeyChallenge.user_id == user_id if user_id else PasskeyChallenge.user_id.is_(None),
            PasskeyChallenge.expires_at > clock.now(),
        )
        .returning(PasskeyChallenge)
    )
    if kept is None:
        raise Refused("That request has expired or was answered already. Please try again.")
    return challenge, kept


async def registration_options(
    db: AsyncSession, settings: Settings, user_id: int, email: str
) -> str:
    """The options for adding a passkey to the account, as JSON for the browser."""
    rp_id, _ = _relying_party(settings)
    existing = (await db.scalars(select(Passkey).where(Passkey.user_id == user_id))).all()
    # Every passkey of a user carries the same handle, so an authenticator keeps one per account.
    handle = existing[0].user_handle if existing else _b64url(secrets.token_bytes(32))
    challenge = await _new_challenge(db, _ADD, user_id, handle)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=settings.app_name,
        user_id=_unb64url(handle),
        user_name=email,
        user_display_name=email,
        challenge=challenge,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=_unb64url(passkey.credential_id))
            for passkey in existing
        ],
    )
    return options_to_json(options)


async def add(
    db: AsyncSession,
    settings: Settings,
    user_id: int,
    credential: dict[str, Any],
    name: str,
    client_ip: str,
) -> ListedPasskey:
    """Add the passkey the browser's answer to registration_options describes. Raises
    Refused."""
    name = " ".join(name.split())[:NAME_LENGTH] or "Passkey"
    challenge, kept = await _use_challenge(db, credential, _ADD, user_id)
    rp_id, origin = _relying_party(settings)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except InvalidRegistrationResponse:
        await db.commit()  # the challenge is spent all the same
        events.record("passkey.add_refused", user_id=user_id, client=client_ip)
        raise Refused(
            "The authenticator's answer could not be verified. Please try again."
        ) from None
    passkey = Passkey(
        user_id=user_id,
        credential_id=_b64url(verified.credential_id),
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        user_handle=kept.user_handle or "",
        name=name,
        created_at=clock.now(),
    )
    db.add(passkey)
    events.remember(db, "passkey.added", user_id, client_ip)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise Refused("That passkey is registered already.") from None
    return ListedPasskey(passkey.id, passkey.name, passkey.created_at, None)


async def sign_in_options(db: AsyncSession, settings: Settings) -> str:
    """The options for signing in with a passkey the authenticator finds itself (no email
    first), with user verification, as JSON for the browser."""
    rp_id, _ = _relying_party(settings)
    challenge = await _new_challenge(db, _SIGN_IN)
    options = generate_authentication_options(
        rp_id=rp_id,
        challenge=challenge,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return options_to_json(options)


async def sign_in(
    db: AsyncSession, settings: Settings, credential: dict[str, Any], client_ip: str
) -> int:
    """The user whose passkey signed the answer to sign_in_options; raises Refused."""
    refused = Refused("That passkey could not sign you in. Please try again, or use your password.")
    challenge, _ = await _use_challenge(db, credential, _SIGN_IN)
    await db.commit()  # spent, whatever comes next
    credential_id, handle = credential.get("id"), credential["response"].get("userHandle")
    if not isinstance(credential_id, str) or not isinstance(handle, str):
        raise refused
    passkey = await db.scalar(select(Passkey).where(Passkey.credential_id == credential_id))
    if passkey is None or handle != passkey.user_handle:
        events.record("passkey.sign_in_refused", reason="unknown", client=client_ip)
        raise refused
    user = await db.get(User, passkey.user_id)
    if user is None or not user.is_active:
        raise refused
    rp_id, origin = _relying_party(settings)
    try:
        # The counter is checked below, where a copied key can be named as such.
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except InvalidAuthenticationResponse:
        events.record(
            "passkey.sign_in_refused", reason="invalid", user_id=user.id, client=client_ip
        )
        raise refused from None
    # An authenticator that keeps no counter sends 0 every time; one that keeps one must move on.
    keeps_a_counter = verified.new_sign_count > 0 or passkey.sign_count > 0
    if keeps_a_counter and verified.new_sign_count <= passkey.sign_count:
        events.record("passkey.cloned", user_id=user.id, passkey_id=passkey.id, client=client_ip)
        raise refused
    # Compare and set: of two answers with the same counter, only one moves it on.
    moved = await db.scalar(
        update(Passkey)
        .where(Passkey.id == passkey.id, Passkey.sign_count == passkey.sign_count)
        .values(sign_count=verified.new_sign_count, last_used_at=clock.now())
        .returning(Passkey.id)
    )
    await db.commit()
    if moved is None:
        raise refused
    return user.id


async def reauthenticate(
    db: AsyncSession,
    settings: Settings,
    signed_in: SignedIn,
    credential: dict[str, Any],
    client_ip: str,
) -> None:
    """Prove again, with one of the account's passkeys (the answer to sign_in_options), that
    the signed-in user is at the keyboard: this sign-in counts as fresh for REAUTH_LIFETIME.
    Raises Refused."""
    if await sign_in(db, settings, credential, client_ip) != signed_in.user_id:
        raise Refused("That passkey belongs to another account.")
    await db.execute(
        update(SignIn)
        .where(SignIn.id == signed_in.sign_in_id, SignIn.user_id == signed_in.user_id)
        .values(authenticated_at=clock.now())
    )
    await db.commit()


_ANY = select(Passkey.id).where(Passkey.user_id == bindparam("user_id")).limit(1)


async def has_any(lookups: Lookups, user_id: int) -> bool:
    return await lookups.first(_ANY, {"user_id": user_id}) is not None


# The account page lists them through db.Lookups, as it reads the account's devices.
_LISTED = (
    select(Passkey.id, Passkey.name, Passkey.created_at, Passkey.last_used_at)
    .where(Passkey.user_id == bindparam("user_id"))
    .order_by(Passkey.id)
)


def listed(user_id: int) -> Read:
    """The read (db.Lookups) of the account's passkeys, oldest first, each as the fields of a
    ListedPasskey."""
    return _LISTED, {"user_id": user_id}


async def remove(db: AsyncSession, user_id: int, passkey_id: int, client_ip: str) -> str | None:
    """Remove one of the account's passkeys; its name, or None if it is not theirs."""
    name: str | None = await db.scalar(
        delete(Passkey)
        .where(Passkey.id == passkey_id, Passkey.user_id == user_id)
        .returning(Passkey.name)
    )
    if name is None:
        return None
    events.remember(db, "passkey.removed", user_id, client_ip)
    await db.commit()
    return name
