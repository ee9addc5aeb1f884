"""The peer: fastapi-users 15 on SQLite, set up the way its documentation shows, with two
authentication backends on one app (a JWT bearer token, and a database token) and a bare route.

    DATABASE_URL=sqlite+aiosqlite:///peer.db SECRET_KEY=... uvicorn peer_app:app

Routes: /healthz (bare), /auth/jwt/login, /auth/db/login, /auth/register, /api/me-jwt and
/api/me-db (the signed-in user, through each backend).
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi_users import BaseUserManager, FastAPIUsers, UUIDIDMixin, schemas
from fastapi_users.authentication import AuthenticationBackend, BearerTransport, JWTStrategy
from fastapi_users.authentication.strategy.db import DatabaseStrategy
from fastapi_users_db_sqlalchemy import SQLAlchemyBaseUserTableUUID, SQLAlchemyUserDatabase
from fastapi_users_db_sqlalchemy.access_token import (
    SQLAlchemyAccessTokenDatabase,
    SQLAlchemyBaseAccessTokenTableUUID,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

SECRET = os.environ["SECRET_KEY"]
engine = create_async_engine(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///peer.db"))
sessions = async_sessionmaker(engine, expire_on_commit=False)


class Base(DeclarativeBase):
    pass


class User(SQLAlchemyBaseUserTableUUID, Base):
    pass


class AccessToken(SQLAlchemyBaseAccessTokenTableUUID, Base):
    pass


class UserRead(schemas.BaseUser[uuid.UUID]):
    pass


class UserCreate(schemas.BaseUserCreate):
    pass


async def get_session() -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]


async def get_user_db(session: Session) -> AsyncIterator[SQLAlchemyUserDatabase[User, uuid.UUID]]:
    yield SQLAlchemyUserDatabase(session, User)


async def get_token_db(
    session: Session,
) -> AsyncIterator[SQLAlchemyAccessTokenDatabase[AccessToken]]:
    yield SQLAlchemyAccessTokenDatabase(session, AccessToken)


class UserManager(UUIDIDMixin, BaseUserManager[User, uuid.UUID]):
    reset_password_token_secret = SECRET
    verification_token_secret = SECRET


async def get_user_manager(
    user_db: Annotated[SQLAlchemyUserDatabase[User, uuid.UUID], Depends(get_user_db)],
) -> AsyncIterator[UserManager]:
    yield UserManager(user_db)


def jwt_strategy() -> JWTStrategy[User, uuid.UUID]:
    return JWTStrategy(secret=SECRET, lifetime_seconds=3600)


def database_strategy(
    token_db: Annotated[SQLAlchemyAccessTokenDatabase[AccessToken], Depends(get_token_db)],
) -> DatabaseStrategy[User, uuid.UUID, AccessToken]:
    return DatabaseStrategy(token_db, lifetime_seconds=3600)


jwt_backend = AuthenticationBackend(
    name="jwt", transport=BearerTransport(tokenUrl="auth/jwt/login"), get_strategy=jwt_strategy
)
db_backend = AuthenticationBackend(
    name="db", transport=BearerTransport(tokenUrl="auth/db/login"), get_strategy=database_strategy
)
with_jwt = FastAPIUsers[User, uuid.UUID](get_user_manager, [jwt_backend])
with_db = FastAPIUsers[User, uuid.UUID](get_user_manager, [db_backend])


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPI(lifespan=lifespan)
app.include_router(with_jwt.get_auth_router(jwt_backend), prefix="/auth/jwt")
app.include_router(with_db.get_auth_router(db_backend), prefix="/auth/db")
app.include_router(with_jwt.get_register_router(UserRead, UserCreate), prefix="/auth")


@app.get("/api/me-jwt")
async def me_jwt(
    user: Annotated[User, Depends(with_jwt.current_user(active=True))],
) -> dict[str, str]:
    return {"id": str(user.id), "email": user.email}


@app.get("/api/me-db")
async def me_db(
    user: Annotated[User, Depends(with_db.current_user(active=True))],
) -> dict[str, str]:
    return {"id": str(user.id), "email": user.email}


@app.get("/healthz")
async def health() -> dict[str, str]:
    return {"status": "ok"}
