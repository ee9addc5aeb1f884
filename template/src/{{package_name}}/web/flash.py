"""One short message after an action ("Your password is changed."), carried across the redirect
that follows it in a signed cookie, shown by the next page and then cleared.

Nothing is put in the URL, and the cookie is signed with SECRET_KEY, so no link or cookie made
elsewhere can make a page say something this app did not.
"""

import base64
import hashlib
import hmac

from fastapi import Request, Response
from fastapi.responses import RedirectResponse

from ..app_state import settings_of
from ..settings import Settings

COOKIE = "flash"
# Long enough for the redirect and a slow page load, short enough not to show up days later.
MAX_AGE_SECONDS = 60


def _sign(settings: Settings, data: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"flash:" + data.encode(), hashlib.sha256).hexdigest()[:32]


def redirect(request: Request, url: str, message: str) -> RedirectResponse:
    """A 303 to `url` whose page will show `message`."""
    settings = settings_of(request)
    response = RedirectResponse(url, status_code=303)
    data = base64.urlsafe_b64encode(message.encode()).decode().rstrip("=")
    response.set_cookie(
        settings.cookie_name(COOKIE),
        f"{data}.{_sign(settings, data)}",
        max_age=MAX_AGE_SECONDS,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )
    return response


def read(request: Request) -> str | None:
    """The message carried to this request, if its cookie is genuine."""
    settings = settings_of(request)
    data, _, signature = request.cookies.get(settings.cookie_name(COOKIE), "").rpartition(".")
    if not data or not hmac.compare_digest(signature, _sign(settings, data)):
        return None
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode()
    except ValueError:  # not base64, or not UTF-8
        return None


def clear(request: Request, response: Response) -> None:
    """Shown once: the page that shows the message ends its cookie."""
    settings = settings_of(request)
    if settings.cookie_name(COOKIE) in request.cookies:
        response.delete_cookie(
            settings.cookie_name(COOKIE), path="/", secure=True, httponly=True, samesite="lax"
        )
