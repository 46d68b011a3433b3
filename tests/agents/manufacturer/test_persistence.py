"""The manufacturer's persistence with no network: journal, policy from the store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from agents.manufacturer.agent import ManufacturerAgent, PolicyMissing
from agents.manufacturer.journal import Journal
from agents.manufacturer.scoring import NegotiationScorer
from core.settings import Settings
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from protocols.request import RequestInitiator
from store.database import Database
from store.enums import NegotiationRole, PolicyKind, UserRole
from store.records import NewUser

JID = "maker@localhost"
PRODUCT = Product(id="p", manufacturer_id="m", name="P", base_cost=Decimal(1))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'lso.db'}", migrate=True)
    async with database.transaction() as repos:
        for user_id, role in (("c", UserRole.CUSTOMER), ("m", UserRole.MANUFACTURER)):
            await repos.users.add(
                NewUser(
                    id=user_id,
                    email=f"{user_id}@example.org",
                    display_name=user_id,
                    role=role,
                    password_hash="x",
                )
            )
    yield database
    await database.close()


def order() -> Order:
    return Order(
        customer_id="c",
        manufacturer_id="m",
        product_id="p",
        delivery_date=datetime.now(UTC).date() + timedelta(days=9),
    )


async def test_journal_stores_orders_once_and_moves_their_status_with_history(db: Database) -> None:
    journal = Journal(db, JID)
    await journal.publish([PRODUCT])
    await journal.publish([PRODUCT])
    placed = order()
    assert await journal.add_order(placed)
    assert not await journal.add_order(placed)
    await journal.status(str(placed.id), OrderStatus.ACCEPTED, "ok")
    await journal.status(str(placed.id), OrderStatus.ACCEPTED, "again: no-op")
    loaded = await journal.load_order(str(placed.id))
    assert loaded is not None and loaded.status is OrderStatus.ACCEPTED
    assert [(c.to_status, c.actor, c.note) for c in loaded.history] == [(OrderStatus.ACCEPTED, JID, "ok")]
    assert [o.id for o in await journal.orders_in("m", OrderStatus.ACCEPTED)] == [placed.id]


async def test_concurrent_snapshot_saves_of_one_conversation_never_conflict(db: Database) -> None:
    journal = Journal(db, JID)
    machine = RequestInitiator(me=JID)
    await asyncio.gather(*(journal.save_machine(machine, NegotiationRole.INITIATOR, "o1") for _ in range(5)))
    (state,) = await journal.unfinished()
    assert state.version == 5 and state.order_id == "o1" and state.state_name == "idle"
    await journal.mark_finished(state, "ended")
    assert await journal.unfinished() == []
    # A second journal (a restarted agent) that never saw the row carries on from the stored version.
    await Journal(db, JID).save_machine(machine, NegotiationRole.INITIATOR, "o1")


async def test_policy_comes_from_the_store_when_not_given(db: Database) -> None:
    settings = Settings(_env_file=None)
    policy = ManufacturerPolicy(capacity_hours_per_week=12, margin=Decimal("0.3"))
    agent = ManufacturerAgent(
        JID, settings, db=db, catalogue={}, matchmaker="mm@localhost", contract_agent="c@localhost"
    )
    with pytest.raises(PolicyMissing):
        await agent.load_policy()
    async with db.transaction() as repos:
        await repos.policies.put(JID, PolicyKind.MANUFACTURER, policy)
    assert await agent.load_policy() == policy
    assert agent.policy == policy
    assert agent.manufacturer_id == "maker"
    assert isinstance(agent.scorer, NegotiationScorer) and agent.scorer.strategy is policy.strategy
