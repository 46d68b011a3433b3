"""The two storages of the embedded ledger for tests that run on both: a SQLite file, or a fresh database on
the PostgreSQL server at 127.0.0.1:5432 (``LSO_TEST_POSTGRES_URL``), dropped afterwards. The one home of the
throw-away PostgreSQL database of the ledger's tests (engine, ``python -m ledger`` processes, streams)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("LSO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
STORAGES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


async def _admin(sql: str) -> None:
    """Run one statement on the maintenance database (fails the test when the server is unreachable)."""
    try:
        conn = await asyncpg.connect(ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {ADMIN_URL} unreachable (set LSO_TEST_POSTGRES_URL): {exc}")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def create_database(prefix: str) -> tuple[str, str]:
    """A new empty database ``<prefix>_<hex>``: its name and its SQLAlchemy async URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = make_url(ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    return name, url.render_as_string(hide_password=False)


async def drop_database(name: str) -> None:
    await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def postgres_database(prefix: str = "lso_ledger_test") -> AsyncIterator[str]:
    """The URL of a fresh PostgreSQL database, dropped afterwards."""
    name, url = await create_database(prefix)
    try:
        yield url
    finally:
        await drop_database(name)


@contextmanager
def postgres_database_sync(prefix: str = "lso_ledger_test") -> Iterator[str]:
    """:func:`postgres_database` for synchronous fixtures (no event loop running)."""
    name, url = asyncio.run(create_database(prefix))
    try:
        yield url
    finally:
        asyncio.run(drop_database(name))


@asynccontextmanager
async def storage_url(kind: str, directory: Path) -> AsyncIterator[str]:
    """An empty store of ``kind`` ("sqlite" | "postgres") as a SQLAlchemy async URL (``directory`` exists)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / f'ledger-{uuid.uuid4().hex[:8]}.db'}"
        return
    async with postgres_database() as url:
        yield url


@asynccontextmanager
async def process_database(kind: str, prefix: str = "lso_ledger_test") -> AsyncIterator[str | None]:
    """The ``database_url`` of a ``python -m ledger`` (LedgerProcess) on ``kind``: None for SQLite (the
    ledger's default file under its data dir), else a fresh PostgreSQL database."""
    if kind == "sqlite":
        yield None
        return
    async with postgres_database(prefix) as url:
        yield url


@contextmanager
def process_database_sync(kind: str, prefix: str = "lso_ledger_test") -> Iterator[str | None]:
    """:func:`process_database` for synchronous fixtures (no event loop running)."""
    if kind == "sqlite":
        yield None
        return
    with postgres_database_sync(prefix) as url:
        yield url
