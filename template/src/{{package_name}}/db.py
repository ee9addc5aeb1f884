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


# How long a SQLite connection waits for another one's write to finish before it gives up with
# "database is locked": writes are short, so only a crowd of them at once waits this long.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine(url: str) -> AsyncEngine:
    engine = create_async_engine(async_url(url))
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Every SQLite connection: foreign keys enforced; write-ahead logging, so that reading never
    blocks a write nor a write a read; and a wait, rather than an error, while another connection
    writes. (An in-memory database stays in its own journal mode.)"""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with resources_of(request.app).open_db() as db:
        yield db


DB = Annotated[AsyncSession, Depends(get_db)]
