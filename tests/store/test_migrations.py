"""Migrations: they build exactly the ORM schema from an empty database, on both backends."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from store import Database, migrate
from store.engine import create_engine
from store.models import metadata
from tests.store.conftest import Backend


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrated_schema_equals_the_orm_schema(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_upgrade_downgrade_upgrade_from_an_empty_database(backend: Backend) -> None:
    url = await backend.create_empty()
    assert await migrate.current(url) is None

    await migrate.upgrade(url)
    assert await migrate.current(url) == migrate.head()

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) >= set(metadata.tables)

        await migrate.downgrade(url, "base")
        assert await migrate.current(url) is None
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) <= {"alembic_version"}

        await migrate.upgrade(url)
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_upgrade_is_idempotent(database_url: str) -> None:
    await migrate.upgrade(database_url)
    assert await migrate.current(database_url) == migrate.head()


async def test_sync_api_and_command_line(tmp_path: Path) -> None:
    # The sync variants start their own event loop: run them in a thread, as a script would run them.
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    await asyncio.to_thread(migrate.main, ["upgrade", "--url", url])
    assert await asyncio.to_thread(migrate.current_sync, url) == migrate.head()


async def test_database_open_can_migrate(backend: Backend) -> None:
    url = await backend.create_empty()
    db = await Database.open(url, migrate=True)
    try:
        async with db.transaction() as repos:
            assert await repos.users.list_all() == []
        assert await migrate.current(url) == migrate.head()
    finally:
        await db.close()
