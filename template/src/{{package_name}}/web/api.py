"""The JSON API beyond signing in and out (see api_sign_in.py).

Routes on `router` require a signed-in user; `public` is the opt-out.
"""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from .. import accounts, lifecycle
from ..app_state import AppPostbox, AppSettings
from ..auth import csrf
from ..auth.dependencies import SignedInUser, SignInRequired
from ..auth.login import create_account
from ..auth.throttle import Throttled
from ..characters import UsableStr
from ..db import DB, AppLookups
from .request_info import client_ip

public = APIRouter(prefix="/api")
router = APIRouter(prefix="/api", route_class=SignInRequired)
probes = APIRouter()


class Credentials(BaseModel):
    email: UsableStr
    password: UsableStr


class UserOut(BaseModel):
    id: int
    email: str


class MeOut(UserOut):
    email_verified: bool


@public.get("/auth/csrf")
async def csrf_token(request: Request) -> JSONResponse:
    """The token to send as `X-CSRF-Token` with every unsafe request from this browser."""
    token, new_nonce = csrf.issue(request)
    response = JSONResponse({"csrf_token": token})
    if new_nonce:
        csrf.set_cookie(request, response, new_nonce)
    return response


@public.post("/auth/register", status_code=201)
async def register(
    request: Request,
    db: DB,
    lookups: AppLookups,
    settings: AppSettings,
    postbox: AppPostbox,
    body: Credentials,
) -> UserOut:
    """Create an account and mail a link to confirm its address. It does not sign in: call
    /api/auth/login next."""
    min_length = settings.password_min_length
    try:
        user = await create_account(
            db, lookups, body.email, body.password, min_length, client_ip(request)
        )
    except accounts.EmailTaken as error:
        raise HTTPException(409, str(error)) from None
    except accounts.AccountError as error:
        raise HTTPException(400, str(error)) from None
    except Throttled as throttled:
        raise HTTPException(
            429,
            "Too many new accounts from your network. Please try again later.",
            headers={"Retry-After": str(throttled.retry_after)},
        ) from None
    created = UserOut(id=user.id, email=user.email)
    await lifecycle.send_confirmation(
        db, lookups, postbox, settings, user.id, user.email, client_ip(request)
    )
    return created


@router.get("/me")
async def me(user: SignedInUser) -> MeOut:
    return MeOut(id=user.user_id, email=user.email, email_verified=user.email_verified)


@probes.get("/healthz", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}
