"""How failures look: JSON under /api/, a page everywhere else."""

from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from ..app_state import settings_of
from ..auth.dependencies import NotSignedIn, ReauthenticationRequired, current_sign_in
from ..lifecycle import AddressNotConfirmed
from . import flash
from .redirects import safe_next
from .rendering import render

TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Forbidden",
    404: "Page not found",
    405: "Method not allowed",
    413: "Too large",
    422: "Invalid request",
    429: "Too many attempts",
}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def error_response(request: Request, status_code: int, message: str) -> Response:
    if is_api(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    return render(
        request,
        "error.html",
        user=await current_sign_in(request),
        status_code=status_code,
        title=TITLES.get(status_code, "Error"),
        message=message,
    )


async def not_signed_in(request: Request, _: Exception) -> Response:
    if is_api(request):
        return JSONResponse({"detail": "Not signed in."}, status_code=401)
    message = "Please sign in to continue."
    if request.method != "GET":
        # A form posted after the sign-in ended: there is no page to come back to.
        return flash.redirect(request, "/login", message)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return flash.redirect(request, f"/login?next={quote(target, safe='/')}", message)


async def reauthentication_required(request: Request, _: Exception) -> Response:
    if is_api(request):
        body = {
            "error": "reauthentication_required",
            "detail": "Please confirm it's you first: POST /api/auth/reauthenticate.",
        }
        return JSONResponse(body, status_code=403)
    # A form posted from the account page goes back there after the password is confirmed.
    target = request.url.path if request.method == "GET" else "/account"
    message = "Please confirm it's you to continue."
    return flash.redirect(request, f"/reauthenticate?next={quote(target, safe='/')}", message)


async def address_not_confirmed(request: Request, _: Exception) -> Response:
    """Only the API raises this; the sign-in page shows its own message."""
    body = {
        "error": "email_not_verified",
        "detail": "Please confirm your email address first: we have mailed you a new link.",
    }
    return JSONResponse(body, status_code=403)


EXPIRED = "The page had expired, so nothing was done. Please try again."
# The forms shown again, empty, when their post comes without a valid CSRF token.
FORMS = {
    "/login": "login.html",
    "/register": "register.html",
    "/password/forgot": "forgot_password.html",
}


async def csrf_failed(request: Request, _: Exception) -> Response:
    """403. A form posted from a page kept open too long, or after the browser's cookies were
    cleared, is shown again (with a fresh token) or linked to, with a word on what happened."""
    if is_api(request):
        message = "This request lacked a valid CSRF token: get one from /api/auth/csrf."
        return await error_response(request, 403, message)
    if template := FORMS.get(request.url.path):
        return render(
            request,
            template,
            status_code=403,
            error=EXPIRED,
            email="",
            next=None,
            password_min_length=settings_of(request).password_min_length,
        )
    return render(
        request,
        "error.html",
        user=await current_sign_in(request),
        status_code=403,
        title="The page had expired",
        message=EXPIRED,
        back=page_of_form(request),
    )


def page_of_form(request: Request) -> str:
    """The page a form posted to this path was on: the page that sent it, when the browser
    says so (same site only), or the page the path belongs to."""
    referer = urlsplit(request.headers.get("referer", ""))
    public = urlsplit(settings_of(request).public_url)
    if (referer.scheme, referer.netloc) == (public.scheme, public.netloc) and referer.path:
        return safe_next(referer.path + (f"?{referer.query}" if referer.query else ""))
    if request.url.path.startswith(("/account", "/auth/")):
        return "/account"
    return "/"


NOT_FOUND = (
    "There is no page at this address. The link may be mistyped, or the page may have moved."
)


async def http_error(request: Request, exc: HTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    if exc.status_code == 404 and message == "Not Found" and not is_api(request):
        message = NOT_FOUND
    response = await error_response(request, exc.status_code, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
    """422 without echoing the submitted values back (they may hold a password)."""
    problems = [{"loc": list(error["loc"]), "msg": error["msg"]} for error in exc.errors()]
    if is_api(request):
        return JSONResponse({"detail": problems}, status_code=422)
    return await error_response(
        request, 400, "The form was incomplete. Please go back and try again."
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(NotSignedIn, not_signed_in)
    app.add_exception_handler(ReauthenticationRequired, reauthentication_required)
    app.add_exception_handler(AddressNotConfirmed, address_not_confirmed)
    # Starlette types every handler as taking any Exception; each of these two is registered for
    # the one exception class it takes.
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
