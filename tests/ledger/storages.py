"""The two storages of the embedded ledger for tests that run on both: a SQLite file, or a fresh database on
the PostgreSQL server at 127.0.0.1:5432 (``LSO_TEST_POSTGRES_URL``), dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("LSO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
STORAGES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@asynccontextmanager
async def storage_url(kind: str, directory: Path) -> AsyncIterator[str]:
    """An empty store of ``kind`` ("sqlite" | "postgres") as a SQLAlchemy async URL (``directory`` exists)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / f'ledger-{uuid.uuid4().hex[:8]}.db'}"
        return
    name = f"lso_ledger_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {ADMIN_URL} unreachable (set LSO_TEST_POSTGRES_URL): {exc}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield (
            make_url(ADMIN_URL)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        admin = await asyncpg.connect(ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
