"""The pages for the account's life beyond signing in: a forgotten password and its reset,
confirming an address, re-authenticating, changing the address, export and deletion.

Routes on `router` require a signed-in user; `public` is the opt-out. The forms post back to
their own page; links from the mail only show a form (GET changes nothing).
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from .. import accounts, lifecycle
from ..app_state import AppPostbox, AppSettings, resources_of
from ..auth import sign_ins
from ..auth.dependencies import FreshSignIn, MaybeSignedIn, SignedInUser, SignInRequired
from ..auth.login import WrongCredentials
from ..auth.throttle import Throttled
from ..db import DB, AppLookups
from ..models import User
from . import flash
from .pages import PAGE_METHODS, account_page, see_other, wait_in_words, with_retry_after
from .redirects import safe_next
from .rendering import render
from .request_info import client_ip

# Pages are not part of the JSON API's schema (/api/openapi.json).
public = APIRouter(include_in_schema=False)
router = APIRouter(route_class=SignInRequired, include_in_schema=False)


def too_many(throttled: Throttled) -> str:
    return f"Too many wrong passwords. Please try again in {wait_in_words(throttled)}."


# A forgotten password


@public.api_route("/password/forgot", methods=PAGE_METHODS)
async def forgot_password_form(request: Request, user: MaybeSignedIn) -> Response:
    return render(request, "forgot_password.html", user=user, email="")


@public.post("/password/forgot")
async def forgot_password(
    request: Request,
    user: MaybeSignedIn,
    settings: AppSettings,
    email: Annotated[str, Form()] = "",
) -> Response:
    if not email.strip():
        errors = {"email": "Enter the address you signed up with."}
        return render(request, "forgot_password.html", status_code=400, user=user, errors=errors)
    resources = resources_of(request.app)
    await lifecycle.request_password_reset(
        resources.open_db,
        resources.lookups,
        resources.postbox,
        settings,
        email,
        client_ip(request),
    )
    return render(request, "mail_sent.html", user=user, address=email.strip(), reset=True)


@public.api_route("/password/reset", methods=PAGE_METHODS)
async def reset_password_form(
    request: Request, db: DB, user: MaybeSignedIn, settings: AppSettings, token: str = ""
) -> Response:
    address = await lifecycle.reset_link_address(db, token)
    if address is None:
        return render(
            request,
            "forgot_password.html",
            status_code=400,
            user=user,
            email="",
            error=str(lifecycle.InvalidLink()),
        )
    return render(
        request,
        "reset_password.html",
        user=user,
        token=token,
        address=address,
        password_min_length=settings.password_min_length,
    )


@public.post("/password/reset")
async def reset_password(
    request: Request,
    db: DB,
    user: MaybeSignedIn,
    settings: AppSettings,
    postbox: AppPostbox,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        await lifecycle.reset_password(db, postbox, settings, token, password, client_ip(request))
    except lifecycle.InvalidLink as error:
        return render(
            request,
            "forgot_password.html",
            status_code=400,
            user=user,
            email="",
            error=str(error),
        )
    except accounts.AccountError as error:
        return render(
            request,
            "reset_password.html",
            status_code=400,
            user=user,
            token=token,
            address=await lifecycle.reset_link_address(db, token),
            password_min_length=settings.password_min_length,
            errors={"password": str(error)},
        )
    message = "Your password is changed and every device is signed out. Sign in with it now."
    response = flash.redirect(request, "/login", message)
    sign_ins.clear_cookie(request, response)
    return response


# Confirming an address


async def _confirm_page(
    request: Request,
    db: DB,
    user: MaybeSignedIn,
    token: str,
    *,
    status_code: int = 200,
    error: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    try:
        owner, address = await lifecycle.confirmation_link(db, token)
    except lifecycle.InvalidLink as invalid:
        return render(request, "verify_email.html", status_code=400, user=user, error=str(invalid))
    return render(
        request,
        "verify_email.html",
        status_code=status_code,
        user=user,
        token=token,
        address=address,
        signed_in_as_owner=user is not None and user.user_id == owner,
        error=error,
        errors=errors,
    )


@public.api_route("/verify-email", methods=PAGE_METHODS)
async def verify_email_form(
    request: Request, db: DB, user: MaybeSignedIn, token: str = ""
) -> Response:
    return await _confirm_page(request, db, user, token)


@public.post("/verify-email")
async def verify_email(
    request: Request,
    db: DB,
    lookups: AppLookups,
    user: MaybeSignedIn,
    token: Annotated[str, Form()] = "",
    password: Annotated[str | None, Form()] = None,
) -> Response:
    try:
        confirmed = await lifecycle.confirm_address(
            db, lookups, token, user, password, client_ip(request)
        )
    except lifecycle.InvalidLink as error:
        return render(request, "verify_email.html", status_code=400, user=user, error=str(error))
    except lifecycle.ProofNeeded:
        errors = {"password": "Enter the account's password to confirm this address."}
        return await _confirm_page(request, db, user, token, status_code=401, errors=errors)
    except WrongCredentials:
        errors = {"password": "That password is not the account's."}
        return await _confirm_page(request, db, user, token, status_code=401, errors=errors)
    except lifecycle.AddressTaken as error:
        return await _confirm_page(request, db, user, token, status_code=409, error=str(error))
    except Throttled as throttled:
        errors = {"password": too_many(throttled)}
        refused = await _confirm_page(request, db, user, token, status_code=429, errors=errors)
        return with_retry_after(refused, throttled)
    message = "Your email address is confirmed."
    if user is not None and user.user_id == confirmed.id:
        return flash.redirect(request, "/account", message)
    return flash.redirect(request, "/login", message)


@router.post("/account/email/resend")
async def resend_confirmation(
    request: Request,
    db: DB,
    lookups: AppLookups,
    settings: AppSettings,
    postbox: AppPostbox,
    user: SignedInUser,
) -> Response:
    await lifecycle.resend_confirmation(
        db, lookups, postbox, settings, user.user_id, client_ip(request)
    )
    return flash.redirect(
        request, "/account", "A new link is on its way to your address: open it to confirm."
    )


# Re-authentication


@router.api_route("/reauthenticate", methods=PAGE_METHODS)
async def reauthenticate_form(
    request: Request, db: DB, user: SignedInUser, next: str | None = None
) -> Response:
    account = await db.get_one(User, user.user_id)
    return render(
        request,
        "reauthenticate.html",
        user=user,
        next=safe_next(next),
        has_password=account.password_hash is not None,
    )


@router.post("/reauthenticate")
async def reauthenticate(
    request: Request,
    db: DB,
    lookups: AppLookups,
    user: SignedInUser,
    password: Annotated[str, Form()] = "",
    next: Annotated[str | None, Form()] = None,
) -> Response:
    target = safe_next(next)
    account = await db.get_one(User, user.user_id)
    has_password = account.password_hash is not None

    def again(status_code: int, message: str) -> Response:
        return render(
            request,
            "reauthenticate.html",
            status_code=status_code,
            user=user,
            next=target,
            has_password=has_password,
            errors={"password": message},
        )

    try:
        await lifecycle.reauthenticate(db, lookups, user, password, client_ip(request))
    except lifecycle.NoPassword as error:
        return again(400, str(error))
    except WrongCredentials:
        return again(401, "That password is not right.")
    except Throttled as throttled:
        return with_retry_after(again(429, too_many(throttled)), throttled)
    return see_other(target)


# Changing the address, export and deletion


@router.post("/account/email")
async def change_email(
    request: Request,
    db: DB,
    lookups: AppLookups,
    settings: AppSettings,
    postbox: AppPostbox,
    user: FreshSignIn,
    new_email: Annotated[str, Form()] = "",
) -> Response:
    try:
        await lifecycle.request_address_change(
            db, lookups, postbox, settings, user.user_id, new_email, client_ip(request)
        )
    except accounts.AccountError as error:
        errors = {"new_email": str(error)}
        return await account_page(
            request, user, status_code=400, errors=errors, new_email=new_email
        )
    return flash.redirect(
        request,
        "/account",
        f"A link is on its way to {new_email.strip()}: your address changes when you open it.",
    )


@router.api_route("/account/export", methods=PAGE_METHODS)
async def export_account(db: DB, user: FreshSignIn) -> JSONResponse:
    data = await lifecycle.export(db, user.user_id)
    return JSONResponse(
        data, headers={"Content-Disposition": 'attachment; filename="account.json"'}
    )


@router.post("/account/delete")
async def delete_account(
    request: Request,
    db: DB,
    settings: AppSettings,
    postbox: AppPostbox,
    user: FreshSignIn,
    confirm: Annotated[str | None, Form()] = None,
) -> Response:
    if confirm != "yes":
        errors = {"confirm": "Tick the box to confirm that the account should be deleted."}
        return await account_page(request, user, status_code=400, errors=errors)
    await lifecycle.delete_account(db, postbox, settings, user.user_id, client_ip(request))
    response = flash.redirect(request, "/", "Your account and everything kept with it are deleted.")
    sign_ins.clear_cookie(request, response)
    return response
