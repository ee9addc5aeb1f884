"""CSRF protection for every route: auth/csrf.py's check, run before routing, so that the
requests that need no token (reads, most of the traffic) pay nothing for it."""

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..auth import csrf
from ..auth.csrf_rules import SAFE_METHODS
from . import errors


class CSRFMiddleware:
    """Refuses, with errors.csrf_failed's 403, each request csrf_rules.py says needs this
    browser's token and that lacks it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        if request.headers.get("content-type", "").startswith(csrf.FORM_TYPES):
            # The token may be a form field: read the body here, and hand it on below.
            receive = _replay(await request.body(), receive)
        try:
            await csrf.require_token(request)
        except csrf.CSRFError as error:
            await (await errors.csrf_failed(request, error))(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` once, then whatever comes next (a disconnect)."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
