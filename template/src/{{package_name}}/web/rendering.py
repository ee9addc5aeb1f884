"""Server-rendered pages: the template environment and the one way to render a page."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..auth import csrf
from ..auth.sign_ins import SignedIn

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))


def render(
    request: Request,
    template: str,
    *,
    user: SignedIn | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with what every page needs: the app's name, the user and a CSRF token."""
    token, new_nonce = csrf.issue(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "app_name": request.app.state.settings.app_name,
            "user": user,
            "csrf_token": token,
            **context,
        },
        status_code=status_code,
    )
    if new_nonce:
        csrf.set_cookie(request, response, new_nonce)
    return response
