"""What a throttled page says: how long to wait, and the Retry-After header."""

from fastapi.responses import Response

from ..auth.throttle import Throttled


def wait_in_words(throttled: Throttled) -> str:
    """How long a throttled client must wait, in whole minutes: "4 minutes"."""
    minutes = max(1, -(-throttled.retry_after // 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def with_retry_after(page: Response, throttled: Throttled) -> Response:
    """A 429 page that tells the browser when it may try again."""
    page.headers["Retry-After"] = str(throttled.retry_after)
    return page
