"""The ceiling: a plain FastAPI app with no middleware and one route, served like the others."""

from fastapi import FastAPI

app = FastAPI()


@app.get("/healthz")
async def health() -> dict[str, str]:
    return {"status": "ok"}
