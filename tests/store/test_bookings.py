"""Supplier bookings in the store (SQLite and PostgreSQL): upserted by (supplier, offer), deleted by key,
listed per supplier; one row per (supplier, offer)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from store import Database
from store.models import SupplierBookingRow
from store.records import NewSupplierBooking, SupplierBookingState

HELD_UNTIL = datetime(2030, 1, 2, 13, 0, tzinfo=UTC)
DELIVERY = date(2030, 1, 15)


def _new(supplier: str = "SUP-1", offer: str = "offer-1", **changes: object) -> NewSupplierBooking:
    data: dict[str, object] = {
        "supplier_id": supplier,
        "offer_id": offer,
        "requester": "maker@local",
        "order_id": "order-1",
        "part_id": "frame",
        "hours": 2.5,
        "delivery_date": DELIVERY,
        "state": SupplierBookingState.HELD,
        "held_until": HELD_UNTIL,
        "price": Decimal("123.4567"),
        "currency": "EUR",
        "quantity": 2,
    }
    data.update(changes)
    return NewSupplierBooking.model_validate(data)


async def test_a_booking_round_trips(db: Database) -> None:
    async with db.transaction() as repos:
        assert await repos.supplier_bookings.upsert_many([_new()]) == 1
    async with db.transaction() as repos:
        [stored] = await repos.supplier_bookings.list_all()
    assert stored.model_dump(exclude={"created_at", "updated_at"}) == _new().model_dump()
    assert stored.held_until == HELD_UNTIL and stored.held_until.tzinfo is not None
    assert stored.price == Decimal("123.4567") and stored.created_at == stored.updated_at


async def test_an_upsert_replaces_the_booking_of_the_same_offer(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.supplier_bookings.upsert_many([_new(), _new(offer="offer-2", price=None, currency="")])
    async with db.transaction() as repos:
        first = await repos.supplier_bookings.get("SUP-1", "offer-1")
        confirmed = _new(state=SupplierBookingState.CONFIRMED, hours=3.0)
        assert await repos.supplier_bookings.upsert_many([_new(hours=9.0), confirmed]) == 1  # the last counts
    async with db.transaction() as repos:
        stored = await repos.supplier_bookings.get("SUP-1", "offer-1")
        other = await repos.supplier_bookings.get("SUP-1", "offer-2")
        assert len(await repos.supplier_bookings.list_all()) == 2
    assert first is not None and stored is not None and other is not None
    assert (stored.state, stored.hours) == (SupplierBookingState.CONFIRMED, 3.0)
    assert stored.created_at == first.created_at and stored.updated_at >= first.updated_at
    assert (other.price, other.currency) == (None, "")


async def test_delete_many_by_supplier_and_offer(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.supplier_bookings.upsert_many(
            [_new("SUP-1", "a"), _new("SUP-1", "b"), _new("SUP-2", "a"), _new("SUP-2", "c")]
        )
    async with db.transaction() as repos:
        deleted = await repos.supplier_bookings.delete_many([("SUP-1", "a"), ("SUP-2", "c"), ("SUP-3", "a")])
        assert deleted == 2
        assert await repos.supplier_bookings.delete_many([]) == 0
    async with db.transaction() as repos:
        left = await repos.supplier_bookings.list_all()
    assert [(b.supplier_id, b.offer_id) for b in left] == [("SUP-1", "b"), ("SUP-2", "a")]


async def test_list_all_of_some_suppliers(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.supplier_bookings.upsert_many([_new(f"SUP-{n}", f"offer-{n}") for n in range(1, 5)])
    async with db.transaction() as repos:
        some = await repos.supplier_bookings.list_all({"SUP-2", "SUP-4", "SUP-9"})
        none = await repos.supplier_bookings.list_all([])
        many = await repos.supplier_bookings.list_all([f"SUP-{n}" for n in range(1200)])  # chunked
    assert [b.supplier_id for b in some] == ["SUP-2", "SUP-4"]
    assert none == [] and len(many) == 4


async def test_many_bookings_are_written_and_deleted_at_once(db: Database) -> None:
    keys = [("SUP-1", f"offer-{n:04}") for n in range(1200)]
    async with db.transaction() as repos:
        assert await repos.supplier_bookings.upsert_many(_new(s, o) for s, o in keys) == len(keys)
    async with db.transaction() as repos:
        assert await repos.supplier_bookings.delete_many(keys[:1100]) == 1100
        assert len(await repos.supplier_bookings.list_all(["SUP-1"])) == 100


async def test_one_row_per_supplier_and_offer(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.supplier_bookings.upsert_many([_new()])
    row = {
        **_new().model_dump(),
        "state": "held",
        "created_at": HELD_UNTIL,
        "updated_at": HELD_UNTIL,
    }
    with pytest.raises(IntegrityError):
        async with db.transaction() as repos:
            await repos.session.execute(insert(SupplierBookingRow).values(row))
    with pytest.raises(IntegrityError):  # the state is checked by the database too
        async with db.transaction() as repos:
            await repos.session.execute(
                insert(SupplierBookingRow).values({**row, "offer_id": "x", "state": "gone"})
            )
    async with db.transaction() as repos:
        await repos.supplier_bookings.upsert_many([_new(supplier="SUP-2")])  # another supplier, same offer
        assert len(await repos.supplier_bookings.list_all()) == 2


def test_a_booking_is_validated_before_it_is_written() -> None:
    with pytest.raises(ValidationError):
        _new(hours=-1.0)
    with pytest.raises(ValidationError):
        _new(held_until=HELD_UNTIL.replace(tzinfo=None))
    with pytest.raises(ValidationError):
        _new(offer="x" * 65)
    with pytest.raises(ValidationError):
        _new(state="gone")
    assert _new(held_until=HELD_UNTIL + timedelta(hours=1)).held_until > HELD_UNTIL
