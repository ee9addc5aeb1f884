"""The application: settings, database, middleware and routes put together."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import async_sessionmaker

from .auth import csrf
from .db import create_engine
from .settings import Settings
from .web import api, api_sign_in, errors, pages
from .web.security import SecurityHeadersMiddleware

STATIC = Path(__file__).parent / "web" / "static"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()  # type: ignore[call-arg]  # read from the environment
    app = FastAPI(
        title=settings.app_name,
        lifespan=lifespan,
        dependencies=[Depends(csrf.require_token)],
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = create_engine(settings.database_url)
    app.state.sessions = async_sessionmaker(app.state.engine, expire_on_commit=False)

    app.add_middleware(SecurityHeadersMiddleware)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (
        pages.public,
        pages.router,
        api.public,
        api.router,
        api_sign_in.router,
        api.probes,
    ):
        app.include_router(router)
    return app


app = create_app()
