"""Who made a request, for the routes: decided once per request and handed on as typed
dependencies. Routes on a router guarded by `require_sign_in` need a signed-in user; the rest
take `MaybeSignedIn` when they show something to whoever is there."""

from typing import Annotated

from fastapi import Depends, Request

from . import sign_ins
from .identity import SignedIn


class NotSignedIn(Exception):
    """A route that needs a signed-in user was reached without one."""


async def current_sign_in(request: Request) -> SignedIn | None:
    """The request's sign-in, if it has a live one. The first call asks sign_ins.py; the answer
    is kept for the rest of the request (its other dependencies, its error page)."""
    if hasattr(request.state, "signed_in"):
        known: SignedIn | None = request.state.signed_in
        return known
    signed_in = await sign_ins.current_sign_in(request)
    request.state.signed_in = signed_in
    return signed_in


async def require_sign_in(
    signed_in: Annotated[SignedIn | None, Depends(current_sign_in)],
) -> SignedIn:
    if signed_in is None:
        raise NotSignedIn
    return signed_in


MaybeSignedIn = Annotated[SignedIn | None, Depends(current_sign_in)]
SignedInUser = Annotated[SignedIn, Depends(require_sign_in)]
