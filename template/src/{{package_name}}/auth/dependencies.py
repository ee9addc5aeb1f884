"""Route dependencies: who is signed in, and the guard for routes that require it."""

from typing import Annotated

from fastapi import Depends

from .sign_ins import SignedIn, current_sign_in


class NotSignedIn(Exception):
    """A route that needs a signed-in user was reached without one."""


async def require_sign_in(
    signed_in: Annotated[SignedIn | None, Depends(current_sign_in)],
) -> SignedIn:
    if signed_in is None:
        raise NotSignedIn
    return signed_in


MaybeSignedIn = Annotated[SignedIn | None, Depends(current_sign_in)]
SignedInUser = Annotated[SignedIn, Depends(require_sign_in)]
