"""Small facts about a request that several routes need."""

from fastapi import Request

from ..settings import Settings


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def client_ip(request: Request) -> str:
    """The client's address (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"
