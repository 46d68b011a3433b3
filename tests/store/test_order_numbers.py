"""Orders get a number for people (from 1001, one more each, unique also when added concurrently), and
history rows keep the event of the change (code and parameters; the note is its sentence)."""

from __future__ import annotations

import asyncio
from datetime import date

from ontology.events import EventCode, HistoryEvent
from ontology.order import Order, OrderStatus
from store import Database
from store.records import OrderRecord
from store.repositories.orders import FIRST_NUMBER
from tests.store.conftest import Parties, new_order


async def test_numbers_start_at_the_first_and_go_up_by_one(db: Database, parties: Parties) -> None:
    async with db.transaction() as repos:
        first = await repos.orders.add(new_order(parties))
        second = await repos.orders.add(new_order(parties))
    async with db.transaction() as repos:
        third = await repos.orders.add_order(
            Order(
                customer_id=parties.customer.id,
                manufacturer_id=parties.manufacturer.id,
                product_id=parties.product.id,
                delivery_date=date(2030, 1, 1),
            )
        )
        listed = await repos.orders.list_by_customer(parties.customer.id)
    assert [first.number, second.number, third.number] == [FIRST_NUMBER, FIRST_NUMBER + 1, FIRST_NUMBER + 2]
    assert sorted(order.number for order in listed) == [FIRST_NUMBER, FIRST_NUMBER + 1, FIRST_NUMBER + 2]


async def test_concurrent_adds_get_distinct_numbers(db: Database, parties: Parties) -> None:
    async def add() -> int:
        async with db.transaction() as repos:
            return (await repos.orders.add(new_order(parties))).number

    numbers = await asyncio.gather(*(add() for _ in range(8)))
    assert sorted(numbers) == list(range(FIRST_NUMBER, FIRST_NUMBER + 8))


async def test_a_change_keeps_its_event_and_its_sentence(db: Database, order: OrderRecord) -> None:
    accepted = HistoryEvent.of(EventCode.ACCEPTED, earliest_delivery=date(2027, 1, 4))
    progress = HistoryEvent.of(EventCode.PRODUCTION_PROGRESS, percent=40, note="frame welded")
    async with db.transaction() as repos:
        await repos.orders.change_status(order.id, OrderStatus.ACCEPTED, actor="m@localhost", event=accepted)
        await repos.orders.add_remark(order.id, actor="m@localhost", event=progress)
        await repos.orders.change_status(
            order.id, OrderStatus.SOURCING, actor="m@localhost", note="free words"
        )
    async with db.transaction() as repos:
        history = await repos.orders.history(order.id)
        detail = await repos.orders.detail(order.id)
        loaded = await repos.orders.load_order(order.id)
    assert [(h.from_status, h.to_status, h.event, h.params, h.note) for h in history] == [
        (
            "received",
            "accepted",
            "accepted",
            {"earliest_delivery": "2027-01-04"},
            "The manufacturer accepted the order; the earliest delivery is 4 January 2027.",
        ),
        (
            "accepted",
            "accepted",
            "production-progress",
            {"percent": 40, "note": "frame welded"},
            "Production is 40 % done. frame welded",
        ),
        ("accepted", "sourcing", None, None, "free words"),
    ]
    assert detail is not None and detail.history == history
    assert loaded is not None and [c.note for c in loaded.history] == [h.note for h in history]
