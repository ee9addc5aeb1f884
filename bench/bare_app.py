"""The ceiling: a plain FastAPI app with no middleware and one route, served like the others; and
the same route sending the security headers every generated app sends (what they alone cost)."""

from fastapi import FastAPI
from fastapi.responses import JSONResponse

app = FastAPI()

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
