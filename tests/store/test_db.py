"""Engines, the unit of work and the portable column types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from store import Database, create_engine, session_factory, unit_of_work
from store.coltypes import UTCDateTime
from store.enums import UserRole
from store.models import OrderRow, UserRow
from store.records import NewUser
from store.repositories import UserRepository
from tests.store.conftest import Parties

# Dialects of engines that never connect.
POSTGRES = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none").dialect
SQLITE = create_engine("sqlite+aiosqlite://").dialect


def _user(email: str) -> NewUser:
    return NewUser(email=email, display_name="U", role=UserRole.CUSTOMER, password_hash="h")


async def test_unit_of_work_commits_at_the_end(db: Database) -> None:
    async with unit_of_work(db.sessionmaker) as session:
        await UserRepository(session).add(_user("a@example.org"))
        await UserRepository(session).add(_user("b@example.org"))
    async with db.transaction() as repos:
        assert [user.email for user in await repos.users.list_all()] == ["a@example.org", "b@example.org"]


async def test_unit_of_work_rolls_back_everything_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with unit_of_work(db.sessionmaker) as session:
            await UserRepository(session).add(_user("a@example.org"))
            await UserRepository(session).add(_user("b@example.org"))
            raise RuntimeError("boom")
    async with db.transaction() as repos:
        assert await repos.users.list_all() == []


async def test_foreign_keys_are_enforced(db: Database, parties: Parties) -> None:
    with pytest.raises(IntegrityError):
        async with unit_of_work(db.sessionmaker) as session:
            session.add(
                OrderRow(
                    customer_id=parties.customer.id,
                    manufacturer_id=parties.manufacturer.id,
                    product_id="no-such-product",
                    customisation={},
                    quantity=1,
                    delivery_date=datetime.now(UTC).date(),
                    status="received",
                    contract_ids=[],
                )
            )


async def test_sqlite_connections_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'sub' / 'dir' / 'pragmas.db'}")
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one() == 5000
    finally:
        await engine.dispose()


async def test_sqlite_in_memory_database_is_shared_by_sessions() -> None:
    engine = create_engine("sqlite+aiosqlite://")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(UserRow.metadata.create_all)
        async with unit_of_work(session_factory(engine)) as session:
            await UserRepository(session).add(_user("mem@example.org"))
        async with session_factory(engine)() as session:
            assert (await session.scalars(select(UserRow.email))).all() == ["mem@example.org"]
    finally:
        await engine.dispose()


def test_postgres_engine_pings_connections() -> None:
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert engine.sync_engine.pool._pre_ping


async def test_timestamps_come_back_aware_utc(db: Database) -> None:
    berlin = timezone(timedelta(hours=2))
    lock = datetime(2030, 5, 1, 12, 0, 0, 123456, tzinfo=berlin)
    async with db.transaction() as repos:
        user = await repos.users.add(_user("t@example.org"))
        await repos.users.delay_logins(user.id, lock)
    async with db.transaction() as repos:
        stored = await repos.users.require(user.id)
    assert stored.locked_until == lock
    assert stored.locked_until is not None and stored.locked_until.tzinfo == UTC
    assert stored.created_at.tzinfo == UTC


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2030, 1, 1), POSTGRES)


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.timezones(),
        allow_imaginary=False,
    )
)
def test_utc_datetime_round_trips_any_aware_instant(value: datetime) -> None:
    column = UTCDateTime()
    for dialect in (SQLITE, POSTGRES):
        back = column.process_result_value(column.process_bind_param(value, dialect), dialect)
        # same instant (compared as timestamps: == between zones is False for ambiguous local times)
        assert back is not None and back.tzinfo is UTC and back.timestamp() == value.timestamp()
