"""What every response carries: security headers, and a generic page instead of a crash."""

import logging

from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# Browsers keep to HTTPS for this long once they saw the header over HTTPS: sent only when
# PUBLIC_URL is https:// (over plain HTTP it means nothing, and a local http:// app must not pin
# localhost to HTTPS).
HSTS = "max-age=63072000; includeSubDomains"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class Encoded:
    """Headers as an ASGI response carries them: lower-case names, bytes."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.pairs = [(name.lower().encode(), value.encode()) for name, value in headers.items()]
        self.names = frozenset(name for name, _ in self.pairs)


class SecurityHeadersMiddleware:
    """Adds HEADERS (and HSTS, if `hsts`) to every response, and answers unhandled errors with
    a generic 500."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        headers = (HEADERS | {"Strict-Transport-Security": HSTS}) if hsts else HEADERS
        # Encoded once; every response gets these, in place of any header of the same name.
        self.for_static = Encoded(headers)
        self.for_pages = Encoded(headers | {"Cache-Control": "no-store"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        ours = self.for_static if scope["path"].startswith("/static/") else self.for_pages

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = message.get("headers", ())
                message["headers"] = [pair for pair in headers if pair[0].lower() not in ours.names]
                message["headers"] += ours.pairs
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if started:
                raise
            await _server_error(scope["path"])(scope, receive, send_with_headers)


def _server_error(path: str) -> Response:
    message = "Something went wrong on our side. Please try again later."
    if path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=500)
    return PlainTextResponse(message, status_code=500)
