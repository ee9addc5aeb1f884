"""The account page's authenticator app: set it up (the page then shows its QR code), turn it on
with a first code, make new recovery codes, turn it off. Each needs a fresh sign-in, as every
change to how the account signs in does; no step needs JavaScript."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from .. import lifecycle
from ..app_state import AppPostbox, AppSettings
from ..auth import totp
from ..auth.dependencies import FreshSignIn, SignInRequired
from ..db import DB
from ..mail import messages
from ..models import User
from . import flash
from .pages import account_page
from .rendering import render
from .request_info import client_ip

router = APIRouter(prefix="/account/totp", route_class=SignInRequired, include_in_schema=False)

SECTION = "/account#authenticator-app"


@router.post("")
async def begin_setup(
    request: Request, db: DB, settings: AppSettings, user: FreshSignIn
) -> Response:
    email = (await db.get_one(User, user.user_id)).email
    try:
        await totp.begin_setup(db, user.user_id, email, settings.app_name)
    except totp.AlreadyOn:
        return flash.redirect(request, SECTION, "Your authenticator app is on already.")
    return flash.redirect(request, SECTION, "Scan the QR code with your authenticator app.")


@router.post("/confirm")
async def confirm(
    request: Request,
    db: DB,
    settings: AppSettings,
    postbox: AppPostbox,
    user: FreshSignIn,
    code: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        codes = await totp.confirm(db, user.user_id, code, client_ip(request))
    except totp.NothingToConfirm:
        return flash.redirect(request, SECTION, "Set up the app again: that setup had ended.")
    except totp.WrongCode:
        errors = {"code": "That code is not right. Enter the one the app shows now."}
        return await account_page(request, user, status_code=400, errors=errors)
    message = messages.second_factor_changed(added=True)
    await lifecycle.notify_owner(db, postbox, settings, user.user_id, message)
    return render(
        request,
        "recovery_codes.html",
        user=user,
        recovery_codes=codes,
        intro="Two-step sign-in is on.",
    )


@router.post("/recovery-codes")
async def replace_recovery_codes(request: Request, db: DB, user: FreshSignIn) -> Response:
    try:
        codes = await totp.new_recovery_codes(db, user.user_id, client_ip(request))
    except totp.NotOn:
        return flash.redirect(request, SECTION, "Two-step sign-in is off.")
    return render(
        request,
        "recovery_codes.html",
        user=user,
        recovery_codes=codes,
        intro="These new codes replace your old ones, which no longer work.",
    )


@router.post("/delete")
async def turn_off(
    request: Request, db: DB, settings: AppSettings, postbox: AppPostbox, user: FreshSignIn
) -> Response:
    if not await totp.turn_off(db, user.user_id, client_ip(request)):
        return flash.redirect(request, SECTION, "Two-step sign-in is off.")
    message = messages.second_factor_changed(added=False)
    await lifecycle.notify_owner(db, postbox, settings, user.user_id, message)
    return flash.redirect(
        request, SECTION, "Two-step sign-in is off: your password alone signs you in."
    )
