"""CSRF protection: a signed double-submit token, checked on the requests csrf_rules.py names.

Each browser gets a random nonce in an HttpOnly cookie. Its forms carry an HMAC of that nonce
(field `csrf_token` or header `X-CSRF-Token`), which another site can neither read nor forge.
"""

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from ..app_state import settings_of
from ..settings import Settings
from .csrf_rules import needs_token

FIELD = "csrf_token"
HEADER = "x-csrf-token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CSRFError(Exception):
    """An unsafe request came without the token of the browser that sent it."""


def _sign(settings: Settings, nonce: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def issue(request: Request) -> tuple[str, str | None]:
    """This browser's token, and a new nonce to set with `set_cookie` if it had none yet."""
    settings = settings_of(request)
    if nonce := request.cookies.get(settings.csrf_cookie_name):
        return _sign(settings, nonce), None
    nonce = secrets.token_urlsafe(32)
    return _sign(settings, nonce), nonce


def set_cookie(request: Request, response: Response, nonce: str) -> None:
    settings = settings_of(request)
    response.set_cookie(
        settings.csrf_cookie_name, nonce, path="/", secure=True, httponly=True, samesite="lax"
    )


async def require_token(request: Request) -> None:
    """Refuse requests that need this browser's token and lack it (web/csrf_check.py runs this
    for every request)."""
    if not needs_token(request):
        return
    settings = settings_of(request)
    nonce = request.cookies.get(settings.csrf_cookie_name)
    sent = request.headers.get(HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(FIELD)
        sent = value if isinstance(value, str) else None
    if not nonce or not sent or not hmac.compare_digest(sent, _sign(settings, nonce)):
        raise CSRFError
