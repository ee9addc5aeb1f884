"""Where to send someone after signing in: only ever a path on this site."""

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str:
    """`target` if it is a same-site path such as "/account?tab=1", else "/"."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target)
    ):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target
