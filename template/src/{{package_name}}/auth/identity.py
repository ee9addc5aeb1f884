"""Who made a request: the user and which of their sign-ins (devices) it came through."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The signed-in user of a request, and which of their sign-ins it is."""

    sign_in_id: int
    user_id: int
    email: str
    # Whether the owner of `email` has proved it (a link from the mail, a password reset,
    # or a sign-in provider that verified it).
    email_verified: bool
