"""The HTML pages. Routes on `router` require a signed-in user; `public` is the opt-out."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from .. import accounts
from ..auth import events, sign_ins
from ..auth.dependencies import MaybeSignedIn, SignedInUser, require_sign_in
from ..auth.login import WrongCredentials, check_password
from ..auth.sign_ins import SignedIn
from ..auth.throttle import Throttled
from ..db import DB
from ..models import User
from .devices import describe
from .redirects import safe_next
from .rendering import render
from .request_info import client_ip, settings_of

public = APIRouter()
router = APIRouter(dependencies=[Depends(require_sign_in)])

NOTICES = {
    "password-changed": "Your password is changed. Your other devices are signed out.",
    "signed-out-device": "That device is signed out.",
    "password-set": "Your password is set: you can sign in with it too.",
}

# What optional features add to the account page: (db, user) -> more template variables.
ACCOUNT_PAGE_EXTRAS: list[Callable[[AsyncSession, SignedIn], Awaitable[dict[str, Any]]]] = []


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@public.get("/")
async def home(request: Request, user: MaybeSignedIn) -> Response:
    return render(request, "home.html", user=user)


@public.get("/register")
async def register_form(request: Request, user: MaybeSignedIn) -> Response:
    return render(
        request,
        "register.html",
        user=user,
        email="",
        password_min_length=settings_of(request).password_min_length,
    )


@public.post("/register")
async def register(
    request: Request,
    db: DB,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    min_length = settings_of(request).password_min_length
    try:
        user = await accounts.register(db, email, password, min_length)
    except accounts.AccountError as error:
        status = 409 if isinstance(error, accounts.EmailTaken) else 400
        return render(
            request,
            "register.html",
            status_code=status,
            error=str(error),
            email=email,
            password_min_length=min_length,
        )
    events.record("register", user_id=user.id, client=client_ip(request))
    response = see_other("/")
    await sign_ins.start_sign_in(db, request, response, user.id)
    return response


@public.get("/login")
async def login_form(request: Request, user: MaybeSignedIn, next: str | None = None) -> Response:
    return render(request, "login.html", user=user, email="", next=safe_next(next))


@public.post("/login")
async def login(
    request: Request,
    db: DB,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str | None, Form()] = None,
) -> Response:
    target = safe_next(next)
    try:
        user = await check_password(db, email, password, client_ip(request))
    except WrongCredentials:
        return render(
            request,
            "login.html",
            status_code=401,
            error="That email and password do not match an account.",
            email=email,
            next=target,
        )
    except Throttled as throttled:
        response = render(
            request,
            "login.html",
            status_code=429,
            error="Too many failed attempts. Please wait a few minutes and try again.",
            email=email,
            next=target,
        )
        response.headers["Retry-After"] = str(throttled.retry_after)
        return response
    response = see_other(target)
    await sign_ins.start_sign_in(db, request, response, user.id)
    return response


@router.post("/logout")
async def logout(request: Request, db: DB, user: SignedInUser) -> Response:
    response = see_other("/")
    await sign_ins.end_sign_in(db, request, response, user)
    return response


async def account_page(
    request: Request,
    db: DB,
    user: SignedInUser,
    *,
    status_code: int = 200,
    notice: str | None = None,
    error: str | None = None,
) -> Response:
    devices = [
        {
            "id": row.id,
            "device": describe(row.user_agent),
            "ip_address": row.ip_address,
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "is_current": row.id == user.sign_in_id,
        }
        for row in await sign_ins.active_sign_ins(db, user.user_id)
    ]
    extras: dict[str, Any] = {}
    for extra in ACCOUNT_PAGE_EXTRAS:
        extras |= await extra(db, user)
    account = await db.get_one(User, user.user_id)
    return render(
        request,
        "account.html",
        status_code=status_code,
        user=user,
        sign_ins=devices,
        notice=notice,
        error=error,
        password_min_length=settings_of(request).password_min_length,
        has_password=account.password_hash is not None,
        **extras,
    )


@router.get("/account")
async def account(
    request: Request, db: DB, user: SignedInUser, notice: str | None = None
) -> Response:
    return await account_page(request, db, user, notice=NOTICES.get(notice or ""))


@router.post("/account/sign-ins/{sign_in_id}/revoke")
async def revoke_device(request: Request, db: DB, user: SignedInUser, sign_in_id: int) -> Response:
    if sign_in_id == user.sign_in_id:
        response = see_other("/login")
        await sign_ins.end_sign_in(db, request, response, user)
        return response
    if not await sign_ins.revoke_sign_in(db, user.user_id, sign_in_id):
        raise HTTPException(404, "That sign-in is not one of yours, or it has already ended.")
    return see_other("/account?notice=signed-out-device")


@router.post("/account/sign-out-everywhere")
async def sign_out_everywhere(request: Request, db: DB, user: SignedInUser) -> Response:
    response = see_other("/login")
    await sign_ins.end_all_sign_ins(db, user.user_id)
    sign_ins.clear_cookie(request, response)
    return response


@router.post("/account/password")
async def change_password(
    request: Request,
    db: DB,
    user: SignedInUser,
    new_password: Annotated[str, Form()],
    # Absent when the account has no password yet (it was made through another sign-in).
    current_password: Annotated[str | None, Form()] = None,
) -> Response:
    min_length = settings_of(request).password_min_length
    try:
        await accounts.change_password(db, user.user_id, current_password, new_password, min_length)
    except accounts.AccountError as error:
        return await account_page(request, db, user, status_code=400, error=str(error))
    await sign_ins.end_other_sign_ins(db, user)
    events.record("password.changed", user_id=user.user_id, first=current_password is None)
    notice = "password-set" if current_password is None else "password-changed"
    return see_other(f"/account?notice={notice}")
