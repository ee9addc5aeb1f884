"""Sends the cookies of a browser's renewed tokens (see auth/access.py) with the response.

The route has the last word: a response that sets the token cookies itself (signing in or out)
keeps its own.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..app_state import resources_of
from ..auth.tokens import ACCESS_COOKIE, REFRESH_COOKIE


class TokenRenewalMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = resources_of(scope["app"]).settings
        names = {settings.cookie_name(ACCESS_COOKIE), settings.cookie_name(REFRESH_COOKIE)}

        async def send_with_cookies(message: Message) -> None:
            renewed: list[str] = scope.get("state", {}).get("renewed_cookies", [])
            if message["type"] == "http.response.start" and renewed:
                headers = MutableHeaders(scope=message)
                set_by_route = {
                    value.partition("=")[0].strip() for value in headers.getlist("set-cookie")
                }
                if not names & set_by_route:
                    for value in renewed:
                        headers.append("set-cookie", value)
            await send(message)

        await self.app(scope, receive, send_with_cookies)
