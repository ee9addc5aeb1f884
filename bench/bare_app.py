"""The ceiling: a plain FastAPI app with no middleware and one route, served like the others; the
same route sending the security headers every generated app sends (what they alone cost); and one
that makes a single trivial PostgreSQL query (what one round trip to the database alone costs, on
this machine: the most any per-request lookup on PostgreSQL can reach)."""

import os
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()
# Set by run.py when a PostgreSQL variant is measured (this app then runs with its Python, which
# has psycopg, the generated apps' driver).
POSTGRES = os.environ.get("BENCH_POSTGRES_DATABASE", "")
idle: list[Any] = []  # psycopg cursors, each on a connection kept open

# As a generated app's web/security.py sends them over plain HTTP (no HSTS), pages' Cache-Control
# included.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@app.get("/healthz")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/healthz-with-headers")
async def health_with_headers() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=SECURITY_HEADERS)


@app.get("/one-query")
async def one_query() -> dict[str, str]:
    import psycopg  # here: only a PostgreSQL variant's Python has it

    if idle:
        cursor = idle.pop()
    else:
        connection = await psycopg.AsyncConnection.connect(POSTGRES, autocommit=True)
        cursor = connection.cursor()
    await cursor.execute("SELECT 'ok'", prepare=True)
    row = await cursor.fetchone()
    idle.append(cursor)
    return {"status": row[0] if row else ""}
