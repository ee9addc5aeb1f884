"""The JSON API for an authenticator app (TOTP): set it up, confirm it with a first code (which
hands out the recovery codes), replace the recovery codes, turn it off. Each needs a fresh
sign-in (FreshSignIn), as every change to how the account signs in does."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from .. import lifecycle
from ..app_state import AppPostbox, AppSettings
from ..auth import totp
from ..auth.dependencies import FreshSignIn, SignInRequired
from ..db import DB
from ..mail import messages
from ..models import User
from .request_info import client_ip

router = APIRouter(prefix="/api/account/totp", route_class=SignInRequired)

# A code as people type it: six digits, or a recovery code, with spaces or dashes.
Code = Annotated[str, Field(min_length=1, max_length=40)]


class SetupOut(BaseModel):
    secret: str
    otpauth_uri: str


class CodeIn(BaseModel):
    code: Code


class RecoveryCodesOut(BaseModel):
    recovery_codes: list[str]


@router.post("")
async def begin_setup(db: DB, settings: AppSettings, user: FreshSignIn) -> SetupOut:
    """A new secret for the app, not in force until a code from it confirms it."""
    email = (await db.get_one(User, user.user_id)).email
    try:
        setup = await totp.begin_setup(db, user.user_id, email, settings.app_name)
    except totp.AlreadyOn:
        raise HTTPException(
            409, "An authenticator app is on already. Turn it off first to set up another."
        ) from None
    return SetupOut(secret=setup.secret, otpauth_uri=setup.uri)


@router.post("/confirm")
async def confirm(
    request: Request,
    db: DB,
    settings: AppSettings,
    postbox: AppPostbox,
    user: FreshSignIn,
    body: CodeIn,
) -> RecoveryCodesOut:
    """Turn the app on with a first code from it; the answer holds the recovery codes, which
    are shown this once."""
    try:
        codes = await totp.confirm(db, user.user_id, body.code, client_ip(request))
    except totp.NothingToConfirm:
        raise HTTPException(409, "No authenticator app is being set up: start again.") from None
    except totp.WrongCode:
        raise HTTPException(400, "That code is not the app's current one.") from None
    message = messages.second_factor_changed(added=True)
    await lifecycle.notify_owner(db, postbox, settings, user.user_id, message)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/recovery-codes")
async def replace_recovery_codes(request: Request, db: DB, user: FreshSignIn) -> RecoveryCodesOut:
    """Ten new recovery codes; the old ones stop working."""
    try:
        codes = await totp.new_recovery_codes(db, user.user_id, client_ip(request))
    except totp.NotOn:
        raise HTTPException(409, "No authenticator app is on.") from None
    return RecoveryCodesOut(recovery_codes=codes)


@router.delete("", status_code=204)
async def turn_off(
    request: Request, db: DB, settings: AppSettings, postbox: AppPostbox, user: FreshSignIn
) -> Response:
    """Remove the app and the recovery codes: the password alone signs in again."""
    if await totp.turn_off(db, user.user_id, client_ip(request)):
        message = messages.second_factor_changed(added=False)
        await lifecycle.notify_owner(db, postbox, settings, user.user_id, message)
    return Response(status_code=204)
