"""Google sign-in's routes: sign in, connect and disconnect, and the short-lived state cookie.

Every route answers 404 while no Google client id is configured (the button is hidden then).
"""

import hashlib
import hmac
from typing import Annotated

from authlib.integrations.starlette_client import StarletteOAuth2App
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from .. import lifecycle
from ..app_state import AppPostbox, AppSettings, resources_of
from ..auth import events, google, sign_ins
from ..auth.dependencies import FreshSignIn, MaybeLiveSignIn
from ..auth.identity import SignedIn
from ..db import DB
from ..mail import messages
from ..settings import Settings
from . import flash, pages
from .redirects import safe_next
from .rendering import render
from .request_info import client_ip

PREFIX = "/auth/google"
NOT_SET_UP = "Google sign-in is not set up on this site."


class OAuthStateCookie:
    """Starlette's SessionMiddleware, on the Google routes only, for Authlib's flow state.

    The cookie is signed, not secret, and cannot be revoked, so it carries nothing but a marker
    of the flows this browser started (their data stays in the database), lives ten minutes and
    never stands for a sign-in. Other routes never read or set it.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        key = settings.secret_key.get_secret_value().encode()
        self.with_session = SessionMiddleware(
            app,
            secret_key=hmac.new(key, b"oauth-state-cookie", hashlib.sha256).hexdigest(),
            session_cookie=settings.cookie_name("oauth_state"),
            max_age=int(google.STATE_LIFETIME.total_seconds()),
            path="/",
            same_site="lax",  # the callback is a top-level navigation back from Google
            https_only=True,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(PREFIX + "/"):
            await self.with_session(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def google_client(request: Request) -> StarletteOAuth2App:
    client = resources_of(request.app).google
    if client is None:
        raise HTTPException(404, NOT_SET_UP)
    return client


GoogleClient = Annotated[StarletteOAuth2App, Depends(google_client)]
router = APIRouter(prefix=PREFIX, dependencies=[Depends(google_client)], include_in_schema=False)


async def go_to_google(client: StarletteOAuth2App, request: Request, flow: google.Flow) -> Response:
    try:
        url = await google.start(client, request, flow)
    except google.Unavailable:
        events.record("google.unavailable", client=client_ip(request))
        raise HTTPException(503, google.UNAVAILABLE) from None
    return RedirectResponse(url, status_code=303)


@router.get("/login")
async def login(request: Request, client: GoogleClient, next: str | None = None) -> Response:
    return await go_to_google(client, request, google.Flow(intent="sign_in", next=safe_next(next)))


@router.get("/connect")
async def connect(request: Request, client: GoogleClient, user: FreshSignIn) -> Response:
    return await go_to_google(client, request, google.Flow(intent="connect", user_id=user.user_id))


@router.get("/callback")
async def callback(
    request: Request, db: DB, client: GoogleClient, signed_in: MaybeLiveSignIn
) -> Response:
    try:
        flow, identity = await google.finish(client, request)
        if flow.intent == "connect":
            return await finish_connect(db, request, flow, identity, signed_in)
        return await finish_sign_in(db, request, flow, identity)
    except google.EmailTaken as taken:
        refused(request, taken)
        # The person proved this email at Google, so saying it has an account reveals nothing.
        return render(
            request,
            "login.html",
            user=signed_in,
            status_code=taken.status_code,
            error=taken.message,
            email=taken.email,
            next="/account",
        )
    except google.Refused as refusal:
        refused(request, refusal)
        if refusal.reason == "denied":
            # The person said no at Google: back where they came from, with a word.
            message = "Signing in with Google was cancelled; nothing has changed."
            return flash.redirect(request, "/account" if signed_in else "/login", message)
        raise HTTPException(refusal.status_code, refusal.message) from None


def refused(request: Request, refusal: google.Refused) -> None:
    events.record("google.refused", reason=refusal.reason, client=client_ip(request))


async def finish_sign_in(
    db: AsyncSession, request: Request, flow: google.Flow, identity: google.Identity
) -> Response:
    user, created = await google.user_for_sign_in(db, identity)
    response = RedirectResponse(safe_next(flow.next), status_code=303)
    await sign_ins.start_sign_in(request, response, user.id, method=google.PROVIDER)
    events.record("google.sign_in", user_id=user.id, new_account=created, client=client_ip(request))
    return response


async def finish_connect(
    db: AsyncSession,
    request: Request,
    flow: google.Flow,
    identity: google.Identity,
    signed_in: SignedIn | None,
) -> Response:
    if signed_in is None or signed_in.user_id != flow.user_id:
        # Since connecting began, this sign-in ended or someone else signed in: link nobody.
        raise google.Refused("connect_user_changed", google.COULD_NOT_FINISH)
    if await google.link(db, signed_in.user_id, identity):
        events.record("google.linked", user_id=signed_in.user_id)
        resources = resources_of(request.app)
        lifecycle.notify(
            resources.postbox, resources.settings, signed_in.email, messages.google_connected(True)
        )
    return flash.redirect(
        request, "/account", "Google is connected: you can sign in with it from now on."
    )


@router.post("/disconnect")
async def disconnect(
    request: Request, db: DB, settings: AppSettings, postbox: AppPostbox, user: FreshSignIn
) -> Response:
    try:
        removed = await google.unlink(db, user.user_id)
    except google.Refused as refusal:
        refused(request, refusal)
        return await pages.account_page(
            request, user, status_code=refusal.status_code, error=refusal.message
        )
    if removed:
        events.record("google.unlinked", user_id=user.user_id)
        lifecycle.notify(postbox, settings, user.email, messages.google_connected(False))
    return flash.redirect(request, "/account", "Google is disconnected from your account.")
