"""The JSON API. Routes on `router` require a signed-in user; `public` is the opt-out."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from .. import accounts
from ..auth import csrf, sign_ins
from ..auth.dependencies import SignedInUser, require_sign_in
from ..auth.login import WrongCredentials, check_password
from ..auth.throttle import Throttled
from ..db import DB
from .request_info import client_ip, settings_of

public = APIRouter(prefix="/api")
router = APIRouter(prefix="/api", dependencies=[Depends(require_sign_in)])
probes = APIRouter()


class Credentials(BaseModel):
    email: str
    password: str


class UserOut(BaseModel):
    id: int
    email: str


class SignedInOut(BaseModel):
    user: UserOut


@public.get("/auth/csrf")
async def csrf_token(request: Request) -> JSONResponse:
    """The token to send as `X-CSRF-Token` with every unsafe request from this browser."""
    token, new_nonce = csrf.issue(request)
    response = JSONResponse({"csrf_token": token})
    if new_nonce:
        csrf.set_cookie(request, response, new_nonce)
    return response


@public.post("/auth/register", status_code=201)
async def register(request: Request, db: DB, body: Credentials) -> UserOut:
    """Create an account. It does not sign in: call /api/auth/login next."""
    try:
        user = await accounts.register(
            db, body.email, body.password, settings_of(request).password_min_length
        )
    except accounts.EmailTaken as error:
        raise HTTPException(409, str(error)) from None
    except accounts.AccountError as error:
        raise HTTPException(400, str(error)) from None
    return UserOut(id=user.id, email=user.email)


@public.post("/auth/login", response_model=SignedInOut)
async def login(request: Request, db: DB, body: Credentials) -> Response:
    try:
        user = await check_password(db, body.email, body.password, client_ip(request))
    except WrongCredentials:
        raise HTTPException(401, "That email and password do not match an account.") from None
    except Throttled as throttled:
        raise HTTPException(
            429,
            "Too many failed attempts. Please wait and try again.",
            headers={"Retry-After": str(throttled.retry_after)},
        ) from None
    out = SignedInOut(user=UserOut(id=user.id, email=user.email))
    response = JSONResponse(out.model_dump())
    await sign_ins.start_sign_in(db, request, response, user.id)
    return response


@router.post("/auth/logout", status_code=204)
async def logout(request: Request, db: DB, user: SignedInUser) -> Response:
    response = Response(status_code=204)
    await sign_ins.end_sign_in(db, request, response, user)
    return response


@router.get("/me")
async def me(user: SignedInUser) -> UserOut:
    return UserOut(id=user.user_id, email=user.email)


@probes.get("/healthz", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}
