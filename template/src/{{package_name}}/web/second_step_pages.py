"""The sign-in page's second step, for accounts with an authenticator app.

The first step (the password form, or a sign-in provider) hands over to `ask_for_code`: it
keeps a pending sign-in (auth/second_step.py) under a random token in a short-lived cookie, read
only by these routes, and sends the browser to /login/code. The browser is signed in only when a
right code is posted there.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from .. import lifecycle
from ..app_state import AppPostbox, AppSettings, resources_of, settings_of
from ..auth import second_step, sign_ins, totp
from ..auth.throttle import Throttled
from ..db import DB, AppLookups
from . import flash
from .redirects import safe_next
from .rendering import render
from .request_info import client_ip
from .waiting import wait_in_words, with_retry_after

# Pages are not part of the JSON API's schema (/api/openapi.json).
public = APIRouter(include_in_schema=False)

PATH = "/login/code"
COOKIE = "second_step"
EXPIRED = "That sign-in took too long or was finished already. Please sign in again."


def _cookie_name(request: Request) -> str:
    return settings_of(request).cookie_name(COOKIE)


async def ask_for_code(request: Request, user_id: int, method: str, target: str) -> Response | None:
    """If the account has an authenticator app, the redirect to the second step, with the
    pending sign-in's cookie; None if the account needs no code."""
    lookups = resources_of(request.app).lookups
    if not await totp.is_on(lookups, user_id):
        return None
    token = await second_step.hold(lookups, user_id, method)
    url = PATH if target == "/" else f"{PATH}?{urlencode({'next': target})}"
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        _cookie_name(request),
        token,
        max_age=int(second_step.PENDING_LIFETIME.total_seconds()),
        path=PATH,
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response


def _forget_pending(request: Request, response: Response) -> Response:
    response.delete_cookie(_cookie_name(request), path=PATH, secure=True, httponly=True)
    return response


def _back_to_login(request: Request) -> Response:
    return _forget_pending(request, flash.redirect(request, "/login", EXPIRED))


@public.api_route(PATH, methods=["GET", "HEAD"])
async def code_form(request: Request, lookups: AppLookups, next: str | None = None) -> Response:
    token = request.cookies.get(_cookie_name(request))
    if not token or not await second_step.is_pending(lookups, token):
        return _back_to_login(request)
    return render(request, "second_step.html", next=safe_next(next))


@public.post(PATH)
async def check_code(
    request: Request,
    db: DB,
    lookups: AppLookups,
    settings: AppSettings,
    postbox: AppPostbox,
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str | None, Form()] = None,
) -> Response:
    target = safe_next(next)
    token = request.cookies.get(_cookie_name(request))
    if not token:
        return _back_to_login(request)

    def again(status_code: int, message: str) -> Response:
        return render(
            request,
            "second_step.html",
            status_code=status_code,
            next=target,
            errors={"code": message},
        )

    if not code.strip():
        return again(400, "Enter the six-digit code your authenticator app shows.")
    try:
        passed = await second_step.finish(db, lookups, token, code, client_ip(request))
    except second_step.Expired:
        return _back_to_login(request)
    except totp.WrongCode:
        return again(401, "That code is not right, or it was used already. Try the next one.")
    except Throttled as throttled:
        message = f"Too many wrong codes. Please try again in {wait_in_words(throttled)}."
        return with_retry_after(again(429, message), throttled)
    if passed.used_recovery_code:
        await lifecycle.recovery_code_used(db, postbox, settings, passed.user_id)
    response = _forget_pending(request, RedirectResponse(target, status_code=303))
    await sign_ins.start_sign_in(request, response, passed.user_id, method=passed.method)
    return response
