"""How failures look: JSON under /api/, a page everywhere else."""

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from ..auth.csrf import CSRFError
from ..auth.dependencies import NotSignedIn, current_sign_in
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
    if request.method != "GET":
        # A form posted after the sign-in ended: there is no page to come back to.
        return RedirectResponse("/login", status_code=303)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)


async def csrf_failed(request: Request, _: Exception) -> Response:
    message = "This request lacked a valid CSRF token. Reload the page and try again."
    return await error_response(request, 403, message)


async def http_error(request: Request, exc: HTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
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
    app.add_exception_handler(CSRFError, csrf_failed)
    # Starlette types every handler as taking any Exception; each of these two is registered for
    # the one exception class it takes.
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, invalid_request)  # type: ignore[arg-type]
