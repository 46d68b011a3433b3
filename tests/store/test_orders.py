"""Orders: status changes with their history in one transaction, invalid transitions refused."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from ontology.order import Order, OrderStatus
from store import ConflictError, Database, InvalidTransitionError, NotFoundError, StaleStateError
from store.records import OrderRecord
from store.repositories.orders import OrderRepository
from tests.store.conftest import Parties, new_order


async def test_add_get_and_list(db: Database, parties: Parties) -> None:
    async with db.transaction() as repos:
        first = await repos.orders.add(new_order(parties, quantity=2))
        second = await repos.orders.add(new_order(parties))
    assert first.status == OrderStatus.RECEIVED
    assert first.contract_ids == [] and first.quotation is None
    async with db.transaction() as repos:
        assert await repos.orders.get(first.id) == first
        by_customer = await repos.orders.list_by_customer(parties.customer.id)
        by_manufacturer = await repos.orders.list_by_manufacturer(parties.manufacturer.id, status="received")
        assert await repos.orders.list_by_customer(parties.manufacturer.id) == []
    assert {order.id for order in by_customer} == {first.id, second.id}
    assert {order.id for order in by_manufacturer} == {first.id, second.id}


async def test_add_refuses_unknown_references_and_duplicate_ids(db: Database, parties: Parties) -> None:
    async with db.transaction() as repos:
        with pytest.raises(NotFoundError, match="product"):
            await repos.orders.add(new_order(parties, product_id="nope"))
        with pytest.raises(ValueError, match="unknown order status"):
            await repos.orders.add(new_order(parties, status="teleported"))
        order = await repos.orders.add(new_order(parties))
        with pytest.raises(ConflictError):
            await repos.orders.add(new_order(parties, id=order.id))


async def test_change_status_appends_history(db: Database, order: OrderRecord) -> None:
    async with db.transaction() as repos:
        accepted = await repos.orders.change_status(order.id, OrderStatus.ACCEPTED, actor="bikes@localhost")
        await repos.orders.change_status(
            order.id, "sourcing", actor="bikes@localhost", note="asking suppliers"
        )
    async with db.transaction() as repos:
        stored = await repos.orders.require(order.id)
        history = await repos.orders.history(order.id)
    assert accepted.status == "accepted" and stored.status == "sourcing"
    assert stored.updated_at >= stored.created_at
    assert [(h.from_status, h.to_status) for h in history] == [
        ("received", "accepted"),
        ("accepted", "sourcing"),
    ]
    assert history[1].note == "asking suppliers" and history[1].actor == "bikes@localhost"


async def test_invalid_transition_is_refused_and_writes_nothing(db: Database, order: OrderRecord) -> None:
    async with db.transaction() as repos:
        with pytest.raises(InvalidTransitionError):
            await repos.orders.change_status(order.id, OrderStatus.PAID, actor="someone")
        with pytest.raises(InvalidTransitionError):
            await repos.orders.change_status(order.id, "no-such-status", actor="someone")
        with pytest.raises(NotFoundError):
            await repos.orders.change_status("missing", OrderStatus.ACCEPTED, actor="someone")
    async with db.transaction() as repos:
        assert (await repos.orders.require(order.id)).status == "received"
        assert await repos.orders.history(order.id) == []


async def test_terminal_status_has_no_way_out(db: Database, order: OrderRecord) -> None:
    async with db.transaction() as repos:
        await repos.orders.change_status(order.id, OrderStatus.REJECTED, actor="bikes@localhost")
    async with db.transaction() as repos:
        for target in OrderStatus:
            with pytest.raises(InvalidTransitionError):
                await repos.orders.change_status(order.id, target, actor="bikes@localhost")


async def test_failure_after_the_update_leaves_neither_status_nor_history(
    db: Database, order: OrderRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    async def failing_history(self: OrderRepository, *args: object) -> None:
        calls.append("history")
        raise RuntimeError("disk full")

    monkeypatch.setattr(OrderRepository, "_append_history", failing_history)
    with pytest.raises(RuntimeError, match="disk full"):
        async with db.transaction() as repos:
            await repos.orders.change_status(order.id, OrderStatus.ACCEPTED, actor="bikes@localhost")
    assert calls == ["history"]  # the status UPDATE had been executed when the failure came
    monkeypatch.undo()
    async with db.transaction() as repos:
        assert (await repos.orders.require(order.id)).status == "received"
        assert await repos.orders.history(order.id) == []


async def test_concurrent_status_changes_one_wins(db: Database, order: OrderRecord) -> None:
    async def change(target: OrderStatus) -> str:
        try:
            async with db.transaction() as repos:
                await repos.orders.change_status(order.id, target, actor="racer")
        except (StaleStateError, InvalidTransitionError):
            return "lost"
        return "won"

    results = await asyncio.gather(change(OrderStatus.ACCEPTED), change(OrderStatus.REJECTED))
    assert sorted(results) == ["lost", "won"]
    async with db.transaction() as repos:
        history = await repos.orders.history(order.id)
        status = (await repos.orders.require(order.id)).status
    assert len(history) == 1 and history[0].to_status == status


async def test_stale_read_is_detected(db: Database, order: OrderRecord) -> None:
    async with db.transaction() as first:
        await first.orders.require(order.id)  # the identity map now holds 'received'
        async with db.transaction() as second:
            await second.orders.change_status(order.id, OrderStatus.ACCEPTED, actor="other")
        # the first transaction re-reads before deciding: 'accepted' -> 'rejected' is not allowed
        with pytest.raises(InvalidTransitionError):
            await first.orders.change_status(order.id, OrderStatus.REJECTED, actor="me")


async def test_quotation_supply_network_and_contract_ids(db: Database, order: OrderRecord) -> None:
    async with db.transaction() as repos:
        await repos.orders.set_quotation(order.id, {"price": Decimal("1020.50"), "currency": "EUR"})
        await repos.orders.set_supply_network(order.id, {"suppliers": ["s1@localhost"]})
        await repos.orders.add_contract_id(order.id, "#1:0")
        await repos.orders.add_contract_id(order.id, "#1:0")
        updated = await repos.orders.add_contract_id(order.id, "#2:0")
    assert updated.quotation == {"price": "1020.50", "currency": "EUR"}
    assert updated.supply_network == {"suppliers": ["s1@localhost"]}
    assert updated.contract_ids == ["#1:0", "#2:0"]


async def test_round_trip_of_an_ontology_order(db: Database, parties: Parties) -> None:
    created = datetime.now(UTC) - timedelta(hours=1)
    order = Order(
        customer_id=parties.customer.id,
        manufacturer_id=parties.manufacturer.id,
        product_id=parties.product.id,
        delivery_date=date.today() + timedelta(days=10),
        created_at=created,
    ).transition(OrderStatus.ACCEPTED, actor="bikes@localhost", note="capacity ok")
    async with db.transaction() as repos:
        record = await repos.orders.add_order(order)
    async with db.transaction() as repos:
        loaded = await repos.orders.load_order(record.id)
        assert await repos.orders.load_order("missing") is None
    assert loaded == order
    assert record.id == str(order.id) and record.status == "accepted"


async def test_concurrent_contract_id_appends_are_all_kept(db: Database, order: OrderRecord) -> None:
    async def append(contract_id: str) -> None:
        async with db.transaction() as repos:
            await repos.orders.add_contract_id(order.id, contract_id)

    await asyncio.gather(*(append(f"#{n}:0") for n in range(4)))
    async with db.transaction() as repos:
        stored = await repos.orders.require(order.id)
    assert sorted(stored.contract_ids) == [f"#{n}:0" for n in range(4)]


class _TwoStepRule:
    """A custom transition rule: new -> done, nothing else."""

    initial = "new"

    def is_state(self, status: str) -> bool:
        return status in ("new", "done")

    def can(self, current: str, target: str) -> bool:
        return (current, target) == ("new", "done")

    def allowed(self, current: str) -> tuple[str, ...]:
        return ("done",) if current == "new" else ()


async def test_the_transition_rule_is_pluggable(db: Database, parties: Parties) -> None:
    async with db.transaction() as repos:
        orders = OrderRepository(repos.session, _TwoStepRule())
        created = await orders.add(new_order(parties))
        with pytest.raises(InvalidTransitionError):
            await orders.change_status(created.id, OrderStatus.ACCEPTED, actor="x")
        done = await orders.change_status(created.id, "done", actor="x")
    assert created.status == "new" and done.status == "done"
