"""Helpers of the authentication and security tests: gateways over SQLite or PostgreSQL, seeded
users, and a snapshot of the database to prove that a refused request changed nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import select, text

from gateway.app import create_app
from gateway.core import passwords
from gateway.core.config import GatewaySettings
from store.database import Database
from store.enums import UserRole
from store.migrate import upgrade
from store.models import metadata
from store.records import NewUser, UserRecord

PASSWORD = "correct horse 1"
SECRET = "a-test-signing-key-that-is-long-enough-0123456789"


def settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {"jwt_secret": SECRET, **overrides}
    return GatewaySettings(_env_file=None, **values)


@asynccontextmanager
async def gateway(
    url: str, data_dir: Path, config: GatewaySettings | None = None, *, migrate: bool = True
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A started gateway over ``url`` and an in-process HTTP client on it."""
    if migrate:
        await upgrade(url)
    app = create_app(url, data_dir=data_dir, settings=config or settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield app, client


def database(app: FastAPI) -> Database:
    db: Database = app.state.db
    return db


async def add_user(
    app: FastAPI, email: str, role: UserRole = UserRole.CUSTOMER, password: str = PASSWORD
) -> UserRecord:
    async with database(app).transaction() as repos:
        return await repos.users.add(
            NewUser(
                email=email, display_name=email, role=role, password_hash=passwords.hash_password(password)
            )
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def password_token(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    response = await client.post(
        "/auth/token", data={"grant_type": "password", "username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


async def login_as(app: FastAPI, client: httpx.AsyncClient, email: str, role: UserRole) -> dict[str, str]:
    await add_user(app, email, role)
    return bearer(await password_token(client, email))


async def snapshot(app: FastAPI) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (ordered), to compare before and after a refused request."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    async with database(app).engine.connect() as connection:
        for table in metadata.sorted_tables:
            result = await connection.execute(select(table))
            rows[table.name] = sorted((tuple(row) for row in result), key=repr)
        await connection.execute(text("SELECT 1"))
    return rows


@pytest.fixture
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """argon2id with tiny costs, so tests that log in many times stay fast on a busy machine
    (hashes made with the real costs still verify: the parameters travel in the hash)."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    passwords._dummy_hash.cache_clear()
    yield
    passwords._dummy_hash.cache_clear()
