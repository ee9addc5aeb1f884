"""The JSON API for the account's life beyond signing in: forgotten passwords, confirming and
changing the address, re-authentication, password changes, export and deletion.

Routes on `router` require a signed-in user; `public` is the opt-out. Routes that change the
account take `FreshSignIn` (a 403 `reauthentication_required` asks for the password again).
"""

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from .. import accounts, lifecycle
from ..app_state import AppPostbox, AppSettings, resources_of
from ..auth import sign_ins
from ..auth.dependencies import FreshSignIn, MaybeSignedIn, SignedInUser, SignInRequired
from ..auth.login import WrongCredentials, replace_password
from ..auth.throttle import Throttled
from ..characters import UsableStr
from ..db import DB, AppLookups
from .request_info import client_ip

public = APIRouter(prefix="/api")
router = APIRouter(prefix="/api", route_class=SignInRequired)

# A mailed token is 43 characters; anything much longer is no token of ours.
Token = Annotated[str, Field(min_length=1, max_length=200)]


class ForgotIn(BaseModel):
    email: UsableStr


class ResetIn(BaseModel):
    token: Token
    password: UsableStr


class VerifyIn(BaseModel):
    token: Token
    password: UsableStr | None = None


class PasswordIn(BaseModel):
    password: UsableStr


class PasswordChangeIn(BaseModel):
    # Absent or null when the account has no password yet (it was made through another way
    # of signing in).
    current_password: UsableStr | None = None
    new_password: UsableStr


class EmailChangeIn(BaseModel):
    new_email: UsableStr


ACCEPTED = {"detail": "If that address has an account, a link is on its way to it."}


def too_many(throttled: Throttled) -> HTTPException:
    return HTTPException(
        429,
        "Too many wrong passwords. Please wait and try again.",
        headers={"Retry-After": str(throttled.retry_after)},
    )


@public.post("/auth/password/forgot", status_code=202)
async def forgot_password(request: Request, settings: AppSettings, body: ForgotIn) -> Any:
    """Mail a reset link to the address, if it has an account: the answer is the same, and as
    quick, either way."""
    resources = resources_of(request.app)
    await lifecycle.request_password_reset(
        resources.open_db,
        resources.lookups,
        resources.postbox,
        settings,
        body.email,
        client_ip(request),
    )
    return ACCEPTED


@public.post("/auth/password/reset", status_code=204)
async def reset_password(
    request: Request, db: DB, settings: AppSettings, postbox: AppPostbox, body: ResetIn
) -> Response:
    """Set a new password with the token from the mail; every sign-in of the account ends."""
    try:
        await lifecycle.reset_password(
            db, postbox, settings, body.token, body.password, client_ip(request)
        )
    except (lifecycle.InvalidLink, accounts.AccountError) as error:
        raise HTTPException(400, str(error)) from None
    response = Response(status_code=204)
    sign_ins.clear_cookie(request, response)
    return response


@public.post("/auth/email/verify", status_code=204)
async def verify_email(
    request: Request, db: DB, lookups: AppLookups, user: MaybeSignedIn, body: VerifyIn
) -> Response:
    """Confirm the address a link was sent to: signed in to its account, or with its password."""
    try:
        await lifecycle.confirm_address(
            db, lookups, body.token, user, body.password, client_ip(request)
        )
    except lifecycle.InvalidLink as error:
        raise HTTPException(400, str(error)) from None
    except lifecycle.ProofNeeded:
        raise HTTPException(
            401, "Sign in to the account, or send its password, to confirm this address."
        ) from None
    except WrongCredentials:
        raise HTTPException(401, "That password is not the account's.") from None
    except lifecycle.AddressTaken as error:
        raise HTTPException(409, str(error)) from None
    except Throttled as throttled:
        raise too_many(throttled) from None
    return Response(status_code=204)


@router.post("/auth/email/verify/resend", status_code=202)
async def resend_verification(
    request: Request,
    db: DB,
    lookups: AppLookups,
    settings: AppSettings,
    postbox: AppPostbox,
    user: SignedInUser,
) -> Any:
    await lifecycle.resend_confirmation(
        db, lookups, postbox, settings, user.user_id, client_ip(request)
    )
    return {"detail": "If your address is not confirmed yet, a new link is on its way."}


@router.post("/auth/reauthenticate", status_code=204)
async def reauthenticate(
    request: Request, db: DB, lookups: AppLookups, user: SignedInUser, body: PasswordIn
) -> Response:
    """Confirm the password again: this sign-in may change the account for REAUTH_LIFETIME."""
    try:
        await lifecycle.reauthenticate(db, lookups, user, body.password, client_ip(request))
    except lifecycle.NoPassword as error:
        raise HTTPException(400, str(error)) from None
    except WrongCredentials:
        raise HTTPException(401, "That password is not right.") from None
    except Throttled as throttled:
        raise too_many(throttled) from None
    return Response(status_code=204)


@router.post("/account/password", status_code=204)
async def change_password(
    request: Request,
    db: DB,
    lookups: AppLookups,
    settings: AppSettings,
    postbox: AppPostbox,
    user: FreshSignIn,
    body: PasswordChangeIn,
) -> Response:
    """Replace the password; every other sign-in of the account ends."""
    try:
        await replace_password(
            db,
            lookups,
            user.user_id,
            body.current_password,
            body.new_password,
            settings.password_min_length,
            client_ip(request),
        )
    except accounts.WrongPassword as error:
        raise HTTPException(401, str(error)) from None
    except accounts.AccountError as error:
        raise HTTPException(400, str(error)) from None
    except Throttled as throttled:
        raise too_many(throttled) from None
    await lifecycle.password_changed(db, postbox, settings, user, client_ip(request))
    return Response(status_code=204)


@router.post("/account/email", status_code=202)
async def change_email(
    request: Request,
    db: DB,
    lookups: AppLookups,
    settings: AppSettings,
    postbox: AppPostbox,
    user: FreshSignIn,
    body: EmailChangeIn,
) -> Any:
    """Mail a link to the new address; the address changes when it is used."""
    try:
        await lifecycle.request_address_change(
            db, lookups, postbox, settings, user.user_id, body.new_email, client_ip(request)
        )
    except accounts.AccountError as error:
        raise HTTPException(400, str(error)) from None
    return {"detail": "A link to confirm the new address is on its way to it."}


@router.get("/account/export")
async def export_account(db: DB, user: FreshSignIn) -> JSONResponse:
    """Everything kept about the account, as JSON."""
    data = await lifecycle.export(db, user.user_id)
    return JSONResponse(
        data, headers={"Content-Disposition": 'attachment; filename="account.json"'}
    )


@router.delete("/account", status_code=204)
async def delete_account(
    request: Request, db: DB, settings: AppSettings, postbox: AppPostbox, user: FreshSignIn
) -> Response:
    """Delete the account and everything that belongs to it; every sign-in ends."""
    await lifecycle.delete_account(db, postbox, settings, user.user_id, client_ip(request))
    response = Response(status_code=204)
    sign_ins.clear_cookie(request, response)
    return response
