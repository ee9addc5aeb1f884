"""The database engine and the per-request database handle."""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    create_async_engine,
)

from .app_state import resources_of

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}


def async_url(url: str) -> str:
    """`sqlite:///app.db` -> `sqlite+aiosqlite:///app.db`; URLs naming a driver are kept."""
    scheme, sep, rest = url.partition("://")
    return f"{ASYNC_DRIVERS.get(scheme, scheme)}{sep}{rest}"


def create_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(async_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_foreign_keys)
    return engine


def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with resources_of(request.app).open_db() as db:
        yield db


DB = Annotated[AsyncSession, Depends(get_db)]
