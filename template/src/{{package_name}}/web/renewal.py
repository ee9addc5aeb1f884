"""Keeps a browser signed in past its access token's lifetime.

When a request comes from a browser whose access cookie has expired (or is gone) while its
refresh cookie is still good, this middleware spends the refresh token before the route runs:
the route sees the new access token, and the response sets both new cookies. A refresh cookie
that cannot be spent is cleared, and the request goes on signed out.

Requests with a bearer header are left alone: the header alone decides who they are.
"""

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..app_state import resources_of
from ..auth import sign_ins
from ..auth.tokens import ACCESS_COOKIE, REFRESH_COOKIE, bearer_token, read_access_token


class TokenRenewalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        resources = resources_of(request.app)
        settings = resources.settings
        names = {settings.cookie_name(ACCESS_COOKIE), settings.cookie_name(REFRESH_COOKIE)}
        refresh_token = request.cookies.get(settings.cookie_name(REFRESH_COOKIE))
        access_token = request.cookies.get(settings.cookie_name(ACCESS_COOKIE))
        if (
            not refresh_token
            or bearer_token(request) is not None
            or (access_token and read_access_token(settings, access_token) is not None)
        ):
            await self.app(scope, receive, send)
            return

        carrier = Response()
        async with resources.open_db() as db:
            try:
                tokens = await sign_ins.refresh(db, settings, refresh_token)
            except sign_ins.RefreshRefused:
                sign_ins.clear_cookie(request, carrier)
                fresh = {}
            else:
                sign_ins.set_cookies(request, carrier, tokens)
                fresh = {
                    settings.cookie_name(ACCESS_COOKIE): tokens.access_token,
                    settings.cookie_name(REFRESH_COOKIE): tokens.refresh_token,
                }
        set_cookie_headers = carrier.headers.getlist("set-cookie")

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                set_by_route = {
                    value.partition("=")[0].strip() for value in headers.getlist("set-cookie")
                }
                if not names & set_by_route:
                    for value in set_cookie_headers:
                        headers.append("set-cookie", value)
            await send(message)

        await self.app(with_cookies(scope, names, fresh), receive, send_with_cookies)


def with_cookies(scope: Scope, replaced: set[str], fresh: dict[str, str]) -> Scope:
    """A copy of `scope` whose Cookie header has the `replaced` cookies swapped for `fresh`."""
    kept: list[str] = []
    headers: list[tuple[bytes, bytes]] = []
    for name, value in scope["headers"]:
        if name == b"cookie":
            pairs = value.decode("latin-1").split(";")
            kept += [pair for pair in pairs if pair.partition("=")[0].strip() not in replaced]
        else:
            headers.append((name, value))
    pairs = [pair.strip() for pair in kept if pair.strip()]
    pairs += [f"{name}={value}" for name, value in fresh.items()]
    if pairs:
        headers.append((b"cookie", "; ".join(pairs).encode("latin-1")))
    return {**scope, "headers": headers}
