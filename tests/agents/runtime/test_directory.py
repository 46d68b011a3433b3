"""The directory: what the store binds a JID to, remembered briefly, denied when the store cannot say."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agents.runtime.directory import Binding, StaticDirectory, StoreDirectory
from store.database import Database
from store.enums import ANY_PARTY, AgentRole
from store.records import NewBinding


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'lso.db'}", migrate=True)
    yield database
    await database.close()


async def bind(db: Database, jid: str, role: AgentRole, party: str) -> None:
    async with db.transaction() as repos:
        await repos.bindings.bind(NewBinding(jid=jid, role=role, party_id=party, created_by="test"))


async def test_a_binding_gives_its_role_for_its_party_only(db: Database) -> None:
    await bind(db, "Maker@lso.test/resource", AgentRole.MANUFACTURER, "m-1")
    directory = StoreDirectory(db)
    assert await directory.may_act_as("maker@lso.test", AgentRole.MANUFACTURER, "m-1")
    assert await directory.may_act_as("maker@LSO.test/other", AgentRole.MANUFACTURER)
    assert not await directory.may_act_as("maker@lso.test", AgentRole.MANUFACTURER, "m-2")
    assert not await directory.may_act_as("maker@lso.test", AgentRole.CUSTOMER, "m-1")
    assert not await directory.is_bound("stranger@lso.test")


async def test_a_star_binding_covers_every_party_but_is_not_exact(db: Database) -> None:
    await bind(db, "customers@lso.test", AgentRole.CUSTOMER, ANY_PARTY)
    directory = StoreDirectory(db)
    assert await directory.may_act_as("customers@lso.test", AgentRole.CUSTOMER, "c-1")
    assert not await directory.acts_for_exactly("customers@lso.test", AgentRole.CUSTOMER, "c-1")


async def test_answers_are_remembered_for_the_ttl_then_read_again(db: Database) -> None:
    directory = StoreDirectory(db, ttl=60)
    assert directory.known("late@lso.test") is None
    assert not await directory.is_bound("late@lso.test")
    assert directory.known("late@lso.test") is False
    await bind(db, "late@lso.test", AgentRole.PLATFORM, "ping")
    assert not await directory.is_bound("late@lso.test")  # remembered
    directory.forget("late@lso.test")
    assert await directory.is_bound("late@lso.test")
    assert directory.known("late@lso.test") is True
    assert not await StoreDirectory(db, ttl=0).is_bound("nobody@lso.test")


async def test_a_store_that_cannot_be_read_denies(tmp_path: Path) -> None:
    unmigrated = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        assert await StoreDirectory(unmigrated).bindings("anyone@lso.test") == ()
    finally:
        await unmigrated.close()


async def test_the_remembered_answers_are_bounded(db: Database) -> None:
    directory = StoreDirectory(db, remembered=3)
    for index in range(10):
        await directory.bindings(f"a{index}@lso.test")
    assert [directory.known(f"a{i}@lso.test") for i in (6, 7, 8, 9)] == [None, False, False, False]


async def test_a_static_directory_holds_a_scenario() -> None:
    directory = StaticDirectory(
        [("m@sim", AgentRole.MANUFACTURER, "m"), Binding(jid="C@sim", role=AgentRole.CUSTOMER, party_id="c")]
    )
    assert await directory.acts_for_exactly("c@sim", AgentRole.CUSTOMER, "c")
    assert await directory.is_bound("m@sim", [AgentRole.MANUFACTURER])
    assert directory.known("x@sim") is False


async def test_an_expired_answer_still_picks_a_rate_limit_but_is_not_fresh(db: Database) -> None:
    await bind(db, "maker@lso.test", AgentRole.MANUFACTURER, "m-1")
    directory = StoreDirectory(db, ttl=0.0)
    assert await directory.is_bound("maker@lso.test")
    assert directory.known("maker@lso.test") is True
    assert not directory.fresh("maker@lso.test")
    assert not directory.fresh("never-asked@lso.test")


async def test_a_burst_of_questions_about_one_jid_costs_one_query(db: Database) -> None:
    await bind(db, "maker@lso.test", AgentRole.MANUFACTURER, "m-1")
    directory = StoreDirectory(db)
    queries = 0
    read = directory._read

    async def counted(key: str) -> tuple[Binding, ...]:
        nonlocal queries
        queries += 1
        return await read(key)

    directory._read = counted  # type: ignore[method-assign]
    answers = await asyncio.gather(*(directory.is_bound("maker@lso.test") for _ in range(500)))
    assert all(answers) and queries == 1
