"""A cap on the size of request bodies: nothing the app takes needs more than a few kilobytes."""

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024
MESSAGE = "The request is too large."


class BodyTooLarge(HTTPException):
    """Raised while a body is read, once it has grown past the cap; answered as any 413."""

    def __init__(self) -> None:
        super().__init__(413, MESSAGE)


class BodySizeLimitMiddleware:
    """Refuses, with 413, a body over MAX_BODY_BYTES: at once when its Content-Length says so,
    and otherwise (a body sent in chunks) as soon as what has arrived passes the cap."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length, chunked = _declared_body(scope)
        if length > MAX_BODY_BYTES:
            await _too_large(scope["path"])(scope, receive, send)
            return
        if not length and not chunked:
            # No body (HTTP/1.1 sends one only with either header): nothing to count.
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watched_send)
        except BodyTooLarge:
            # Read where no error handler answers it (a middleware, a bare ASGI route).
            if started:
                raise
            await _too_large(scope["path"])(scope, receive, send)


def _declared_body(scope: Scope) -> tuple[int, bool]:
    """The request's Content-Length (0 if it has none, or one that is no number), and whether
    it is sent in chunks (Transfer-Encoding)."""
    length, chunked = 0, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = 0
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked


def _too_large(path: str) -> Response:
    if path.startswith("/api/"):
        return JSONResponse({"detail": MESSAGE}, status_code=413)
    return PlainTextResponse(MESSAGE, status_code=413)
