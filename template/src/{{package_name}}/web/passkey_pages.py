"""Passkeys on the pages: signing in from /login and confirming it is you on /reauthenticate
(the browser's answer comes from static/passkeys.js, which then follows the answer's `next`),
and removing one from /account. Adding one goes through the JSON API from the same script."""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from .. import lifecycle
from ..app_state import AppPostbox, AppSettings
from ..auth import passkeys, sign_ins
from ..auth.dependencies import FreshSignIn, SignedInUser, SignInRequired
from ..db import DB
from ..mail import messages
from . import flash
from .redirects import safe_next
from .request_info import client_ip

# Pages are not part of the JSON API's schema (/api/openapi.json).
public = APIRouter(include_in_schema=False)
router = APIRouter(route_class=SignInRequired, include_in_schema=False)


class PasskeySignInIn(BaseModel):
    credential: Annotated[dict[str, Any], Field(max_length=20)]
    next: str | None = Field(default=None, max_length=2000)


@public.post("/login/passkey")
async def sign_in(
    request: Request, db: DB, settings: AppSettings, body: PasskeySignInIn
) -> Response:
    """Sign this browser in with a passkey; the answer says where to go next."""
    try:
        user_id = await passkeys.sign_in(db, settings, body.credential, client_ip(request))
    except passkeys.Refused as error:
        raise HTTPException(401, str(error)) from None
    response = JSONResponse({"next": safe_next(body.next)})
    await sign_ins.start_sign_in(request, response, user_id, method=passkeys.METHOD)
    return response


@router.post("/reauthenticate/passkey")
async def reauthenticate(
    request: Request, db: DB, settings: AppSettings, user: SignedInUser, body: PasskeySignInIn
) -> Response:
    """Re-authenticate this browser's sign-in with a passkey; the answer says where to go next."""
    try:
        await passkeys.reauthenticate(db, settings, user, body.credential, client_ip(request))
    except passkeys.Refused as error:
        raise HTTPException(401, str(error)) from None
    return JSONResponse({"next": safe_next(body.next)})


@router.post("/account/passkeys/{passkey_id}/delete")
async def remove(
    request: Request,
    db: DB,
    settings: AppSettings,
    postbox: AppPostbox,
    user: FreshSignIn,
    passkey_id: int,
) -> Response:
    name = await passkeys.remove(db, user.user_id, passkey_id, client_ip(request))
    if name is None:
        raise HTTPException(404, "That passkey is not one of yours, or it was removed already.")
    message = messages.passkey_changed(name, added=False)
    await lifecycle.notify_owner(db, postbox, settings, user.user_id, message)
    return flash.redirect(request, "/account#passkeys", f"The passkey {name} is removed.")
