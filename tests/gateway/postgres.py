"""A fresh, migrated PostgreSQL database for a gateway test (created and dropped on 127.0.0.1:5432).

``LSO_TEST_POSTGRES_URL`` names the maintenance database to connect to (default
``postgresql://postgres@127.0.0.1:5432/test``), as for the store's tests.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy.engine import make_url

from store.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get("LSO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """The async SQLAlchemy URL of a new migrated database, dropped afterwards."""
    name = f"lso_gw_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} unreachable: {exc} (set LSO_TEST_POSTGRES_URL)")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+asyncpg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        await upgrade(rendered)
        yield rendered
    finally:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=5)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
