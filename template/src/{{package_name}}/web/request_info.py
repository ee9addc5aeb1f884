"""Small facts about a request that several routes need."""

from fastapi import Request


def client_ip(request: Request) -> str:
    """The client's address (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"
