"""The manufacturer's persistence with no network: journal, policy and products from the store, notices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from agents.manufacturer.agent import ManufacturerAgent, PolicyMissing
from agents.manufacturer.journal import Journal
from agents.manufacturer.notices import notice_message
from agents.manufacturer.scoring import NegotiationScorer
from common.settings import Settings
from federation.dataset.loader import load_shipped
from ontology.codec import decode
from ontology.common import Reason
from ontology.console import OrderStatusNotice
from ontology.events import EventCode, HistoryEvent
from ontology.matchmaking import PartCandidates, SupplierCandidates
from ontology.order import Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from protocols.acl import AclMessage
from protocols.performative import Performative
from protocols.request import RequestInitiator
from store.database import Database
from store.enums import Direction, NegotiationRole, PolicyKind, UserRole
from store.records import NewProduct
from tests.stores import add_users

JID = "maker@localhost"
PRODUCT = Product(id="p", manufacturer_id="m", name="P", base_cost=Decimal(1))


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'lso.db'}", migrate=True)
    await add_users(database, (("c", UserRole.CUSTOMER), ("m", UserRole.MANUFACTURER)))
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
    accepted = HistoryEvent.of(EventCode.ACCEPTED, earliest_delivery=date(2027, 1, 4))
    await journal.status(str(placed.id), OrderStatus.ACCEPTED, accepted)
    await journal.status(str(placed.id), OrderStatus.ACCEPTED, HistoryEvent.of(EventCode.SOURCING, parts=2))
    loaded = await journal.load_order(str(placed.id))
    assert loaded is not None and loaded.status is OrderStatus.ACCEPTED
    words = "The manufacturer accepted the order; the earliest delivery is 4 January 2027."
    assert [(c.to_status, c.actor, c.note) for c in loaded.history] == [(OrderStatus.ACCEPTED, JID, words)]
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


async def test_an_order_the_gateway_stored_is_taken_while_received_and_a_duplicate_after(
    db: Database,
) -> None:
    journal = Journal(db, JID)
    await journal.publish([PRODUCT])
    stored = order()
    async with db.transaction() as repos:
        await repos.orders.add_order(stored)  # what the gateway does before the customer's agent sends it
    assert await journal.take_order(stored, create=False) is None
    other_customer = stored.model_copy(update={"customer_id": "m"})
    why = await journal.take_order(other_customer)
    exists = f"order {stored.id} is stored with other terms (customer, product, quantity, date or options)"
    assert why == Reason(reason="duplicate-order", detail=exists)
    more = stored.model_copy(update={"quantity": stored.quantity + 1})
    assert await journal.take_order(more, create=False) == Reason(reason="duplicate-order", detail=exists)
    await journal.status(str(stored.id), OrderStatus.ACCEPTED)
    assert await journal.take_order(stored) == Reason(
        reason="duplicate-order", detail=f"order {stored.id} exists and is accepted"
    )
    fresh = order()
    assert await journal.take_order(fresh) is None
    assert await journal.current_status(str(fresh.id)) is OrderStatus.RECEIVED


async def test_an_order_not_stored_is_created_only_when_allowed_and_always_as_received(db: Database) -> None:
    journal = Journal(db, JID)
    await journal.publish([PRODUCT])
    absent = order()
    why = await journal.take_order(absent, create=False)
    assert why == Reason(reason="not-authorised", detail=f"no order {absent.id} is stored")
    assert await journal.order_record(str(absent.id)) is None
    claimed = order().transition(OrderStatus.ACCEPTED, actor="me").transition(OrderStatus.SOURCING, "me")
    assert await journal.take_order(claimed) is None
    loaded = await journal.load_order(str(claimed.id))
    assert loaded is not None and loaded.status is OrderStatus.RECEIVED and loaded.history == ()


async def test_a_progress_note_stays_in_the_status_and_the_order_still_loads(db: Database) -> None:
    journal = Journal(db, JID)
    await journal.publish([PRODUCT])
    placed = order()
    assert await journal.take_order(placed) is None
    oid = str(placed.id)
    for status in (OrderStatus.ACCEPTED, OrderStatus.SOURCING):
        assert await journal.status(oid, status)
    await journal.note(oid, HistoryEvent.of(EventCode.PRODUCTION_PROGRESS, percent=40, note=""))
    assert not await journal.status(oid, OrderStatus.SOURCING)
    await journal.status(oid, OrderStatus.NEGOTIATING)
    loaded = await journal.load_order(oid)
    assert loaded is not None and loaded.status is OrderStatus.NEGOTIATING
    assert [(c.from_status, c.to_status, c.note) for c in loaded.history][2:] == [
        (OrderStatus.SOURCING, OrderStatus.SOURCING, "Production is 40 % done."),
        (OrderStatus.SOURCING, OrderStatus.NEGOTIATING, ""),
    ]


async def test_products_missing_from_the_catalogue_come_from_the_store(db: Database) -> None:
    settings = Settings(_env_file=None)
    agent = ManufacturerAgent(
        JID, settings, db=db, catalogue={}, matchmaker="mm@localhost", contract_agent="c@localhost"
    )
    assert await agent.product("bike") is None
    bike = Product.model_validate(
        {
            "id": "bike",
            "manufacturer_id": "m",
            "name": "Bike",
            "base_cost": "100",
            "base_parts": [{"part_id": "frame", "process": "cnc-milling"}],
            "options": [
                {
                    "id": "colour",
                    "label": "Colour",
                    "choices": [{"id": "red", "label": "Red", "cost_delta": "5"}],
                }
            ],
        }
    )
    data = bike.model_dump(mode="json")
    async with db.transaction() as repos:
        await repos.products.add(
            NewProduct(
                id="bike",
                manufacturer_id="m",
                name="Bike",
                options={"options": data["options"], "base_parts": data["base_parts"]},
                base_price=Decimal(100),
                currency="EUR",
            )
        )
        await repos.products.add(
            NewProduct(
                id="plain", manufacturer_id="m", name="Plain", options=data["options"], base_price=Decimal(7)
            )
        )
        await repos.products.add(
            NewProduct(
                id="broken", manufacturer_id="m", name="Broken", options={"options": 3}, base_price=Decimal(1)
            )
        )
    assert await agent.product("bike") == bike
    plain = await agent.product("plain")
    assert plain is not None and plain.options == bike.options and plain.base_parts == ()
    assert await agent.product("broken") is None


async def test_a_policy_put_in_the_store_applies_to_the_next_order_unless_one_was_given(db: Database) -> None:
    settings = Settings(_env_file=None)
    first = ManufacturerPolicy(capacity_hours_per_week=12, margin=Decimal("0.1"))
    second = ManufacturerPolicy(capacity_hours_per_week=30, margin=Decimal("0.2"), auto_source=False)
    async with db.transaction() as repos:
        await repos.policies.put(JID, PolicyKind.MANUFACTURER, first)
    agent = ManufacturerAgent(
        JID, settings, db=db, catalogue={}, matchmaker="mm@localhost", contract_agent="c@localhost"
    )
    fixed = ManufacturerAgent(
        JID,
        settings,
        db=db,
        catalogue={},
        matchmaker="mm@localhost",
        contract_agent="c@localhost",
        policy=first,
    )
    assert await agent.load_policy() == first
    async with db.transaction() as repos:
        await repos.policies.put(JID, PolicyKind.MANUFACTURER, second)
    assert await agent.current_policy() == second
    assert await fixed.current_policy() == first


def test_a_notice_goes_to_each_follower_once_and_never_to_its_sender() -> None:
    notice = OrderStatusNotice(
        order_id=order().id, status=OrderStatus.QUOTED, price=Decimal(10), currency="EUR"
    )
    message = notice_message(
        JID, ["customer@localhost", JID, "console@localhost", "customer@localhost", ""], notice
    )
    assert message is not None
    assert message.receivers == ("customer@localhost", "console@localhost")
    assert message.performative is Performative.INFORM and message.protocol is None
    assert message.conversation_id == f"{notice.order_id}/status"
    assert decode(message.content, OrderStatusNotice) == notice
    assert notice_message(JID, [JID, ""], notice) is None


async def test_the_names_of_an_orders_suppliers_are_read_back_from_the_matchmakers_answer_in_its_log(
    db: Database,
) -> None:
    """A restarted manufacturer did not ask the matchmaker: its notes name suppliers as the matchmaker's
    answer logged with the order did (not by their ids)."""
    journal = Journal(db, JID)
    await journal.publish([PRODUCT])
    placed = order()
    assert await journal.add_order(placed)
    frame, cover, other = (record.to_supplier() for record in load_shipped().suppliers[:3])
    found = SupplierCandidates(
        order_id=placed.id,
        candidates=(
            PartCandidates(part_id="frame", suppliers=(frame, other)),
            PartCandidates(part_id="cover", suppliers=(cover,)),
        ),
    )
    answer = AclMessage.build(Performative.INFORM, "matchmaker@localhost", JID, found)
    sent = AclMessage.build(
        Performative.INFORM, JID, "matchmaker@localhost", found.model_copy(update={"candidates": ()})
    )
    other_answer = AclMessage.build(Performative.INFORM, "c@localhost", JID, Reason(reason="x"))
    for message, direction in ((sent, Direction.OUT), (other_answer, Direction.IN), (answer, Direction.IN)):
        await journal.log_acl(message, direction, str(placed.id))
    await journal.flush_acl()
    names = await journal.supplier_names(str(placed.id))
    assert names == {frame.id: frame.name, other.id: other.name, cover.id: cover.name}
    assert await journal.supplier_names(str(order().id)) == {}
