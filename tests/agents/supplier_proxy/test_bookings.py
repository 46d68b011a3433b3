"""Bookings of a supplier's hours: held, confirmed, released by the store's word or by time, and the share
one requester may hold (no network, no store: a fake clock and fake verdicts)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.supplier_proxy import SupplierProxy, reasons
from agents.supplier_proxy.booking_check import (
    CONTRACTED,
    ENDED,
    Decision,
    offer_ids_of,
    verdict_for,
)
from agents.supplier_proxy.bookings import Booking, Bookings, BookingsFull, BookingState, within_share
from ontology.common import Reason
from ontology.negotiation import Offer
from ontology.order import OrderStatus
from ontology.process import ProcessKind
from store.records.orders import OrderRecord
from tests.agents.supplier_proxy.helpers import MAKER, PRICE, SUPPLIER, T0, TODAY, cfp, policy

OTHER = "other-maker@local"
HOLD = timedelta(hours=25)


def booking(
    offer: str = "o-1",
    *,
    requester: str = MAKER,
    hours: float = 2.0,
    order: str = "order-1",
    delivery: date = TODAY + timedelta(days=14),
    held_until: datetime = T0 + HOLD,
) -> Booking:
    return Booking(
        requester=requester,
        order_id=order,
        offer_id=offer,
        part_id="frame",
        hours=hours,
        delivery_date=delivery,
        state=BookingState.HELD,
        held_until=held_until,
    )


# ----------------------------------------------------------------- Bookings


def test_hold_confirm_release_count_hours_and_held_hours() -> None:
    bookings = Bookings()
    bookings.hold(booking("a", hours=2.0))
    bookings.hold(booking("b", hours=3.0))
    bookings.hold(booking("c", hours=5.0, requester=OTHER))
    assert bookings.hours() == pytest.approx(10.0)
    assert bookings.held_hours(MAKER) == pytest.approx(5.0)
    assert bookings.held_hours(OTHER) == pytest.approx(5.0)

    confirmed = bookings.confirm("a")
    assert confirmed is not None and confirmed.state is BookingState.CONFIRMED
    assert bookings.hours() == pytest.approx(10.0)  # confirmed hours still count against capacity
    assert bookings.held_hours(MAKER) == pytest.approx(3.0)  # ... not against the requester's share

    assert bookings.release("b") is not None
    assert bookings.release("b") is None
    assert bookings.held_hours(MAKER) == 0.0 and bookings.requesters() == 1
    assert bookings.hours() == pytest.approx(7.0)
    assert [b.offer_id for b in bookings.held()] == ["c"]
    assert [b.offer_id for b in bookings.confirmed()] == ["a"]


def test_an_offer_is_booked_once() -> None:
    bookings = Bookings()
    first = bookings.hold(booking("a", hours=2.0))
    assert bookings.hold(booking("a", hours=9.0)) is first
    assert bookings.hours() == pytest.approx(2.0) and len(bookings) == 1
    with pytest.raises(ValueError, match="held"):
        bookings.hold(replace(booking("z"), state=BookingState.CONFIRMED))


def test_at_most_limit_bookings_are_kept() -> None:
    bookings = Bookings(limit=2)
    bookings.hold(booking("a"))
    bookings.hold(booking("b"))
    with pytest.raises(BookingsFull):
        bookings.hold(booking("c"))
    bookings.release("a")
    bookings.hold(booking("c"))
    assert len(bookings) == 2


def test_due_releases_held_bookings_at_held_until_and_drops_delivered_ones() -> None:
    bookings = Bookings()
    bookings.hold(booking("late", held_until=T0 + timedelta(hours=1)))
    bookings.hold(booking("later", held_until=T0 + timedelta(hours=2)))
    bookings.hold(booking("delivered", delivery=TODAY + timedelta(days=3)))
    bookings.confirm("delivered")
    assert bookings.due(T0 + timedelta(minutes=59), TODAY) == []
    [(gone, why)] = bookings.due(T0 + timedelta(hours=1), TODAY)
    assert gone.offer_id == "late" and "no contract confirmed it" in why
    assert bookings.due(T0 + timedelta(hours=1), TODAY + timedelta(days=3)) == []  # delivered that day: kept
    dropped = bookings.due(T0 + timedelta(hours=2), TODAY + timedelta(days=4))
    assert sorted(b.offer_id for b, _ in dropped) == ["delivered", "later"]
    assert len(bookings) == 0 and bookings.hours() == 0.0 and bookings.requesters() == 0


def test_shipped_parts_free_every_booking_of_their_order_and_only_those() -> None:
    bookings = Bookings()
    bookings.hold(booking("frame", order="order-1", hours=3.0))
    bookings.hold(booking("fork", order="order-1", hours=1.0))
    bookings.hold(booking("other", order="order-2", hours=2.0))
    bookings.confirm("frame")  # one confirmed, one still held: both are the shipped order's
    dropped = bookings.release_order("order-1")
    assert sorted(b.offer_id for b in dropped) == ["fork", "frame"]
    assert bookings.hours() == 2.0 and [b.offer_id for b in bookings] == ["other"]
    assert bookings.held_hours(MAKER) == 2.0 and bookings.requesters() == 1
    assert bookings.release_order("order-1") == []


def test_within_share() -> None:
    assert within_share(held=10.0, hours=10.0, capacity=40.0, share=0.5)
    assert not within_share(held=10.0, hours=10.5, capacity=40.0, share=0.5)
    assert within_share(held=0.0, hours=40.0, capacity=40.0, share=1.0)


_OPS = st.lists(
    st.tuples(
        st.sampled_from(["hold", "confirm", "release", "due"]),
        st.integers(0, 7),  # offer
        st.sampled_from([MAKER, OTHER]),
        st.floats(0.0, 50.0, allow_nan=False),  # hours
        st.integers(0, 48),  # held for (hours) / now (hours after T0)
        st.integers(0, 20),  # delivery (days after TODAY) / today (days after TODAY)
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ops=_OPS)
def test_bookings_agree_with_a_plain_model(ops: list[tuple[str, int, str, float, int, int]]) -> None:
    bookings = Bookings(limit=5)
    model: dict[str, Booking] = {}
    for op, n, requester, hours, at, day in ops:
        offer = f"o-{n}"
        if op == "hold":
            new = booking(
                offer,
                requester=requester,
                hours=hours,
                delivery=TODAY + timedelta(days=day),
                held_until=T0 + timedelta(hours=at),
            )
            if offer in model:
                assert bookings.hold(new) == model[offer]
            elif len(model) >= 5:
                with pytest.raises(BookingsFull):
                    bookings.hold(new)
            else:
                model[offer] = bookings.hold(new)
        elif op == "confirm":
            if offer in model:
                model[offer] = _confirmed(model[offer])
            bookings.confirm(offer)
        elif op == "release":
            assert (bookings.release(offer) is not None) == (model.pop(offer, None) is not None)
        else:
            now, today = T0 + timedelta(hours=at), TODAY + timedelta(days=day)
            ended = {b.offer_id for b, _ in bookings.due(now, today)}
            expected = {
                k
                for k, b in model.items()
                if (b.state is BookingState.HELD and b.held_until <= now)
                or (b.state is BookingState.CONFIRMED and b.delivery_date < today)
            }
            assert ended == expected
            for k in expected:
                del model[k]
        assert {b.offer_id: b for b in bookings} == model
        assert bookings.hours() == pytest.approx(sum(b.hours for b in model.values()), abs=1e-6)
        for who in (MAKER, OTHER):
            held = sum(b.hours for b in model.values() if b.requester == who and b.state is BookingState.HELD)
            assert bookings.held_hours(who) == pytest.approx(held, abs=1e-6)
        assert len(bookings) <= 5


def _confirmed(b: Booking) -> Booking:
    return replace(b, state=BookingState.CONFIRMED)


# ----------------------------------------------------------------- changes, for the store


def test_untracked_bookings_record_no_change() -> None:
    bookings = Bookings()
    bookings.hold(booking("a"))
    bookings.release("a")
    assert not bookings.tracked and bookings.changes_waiting == 0
    assert bookings.drain_changes() == ([], [])


def test_the_latest_change_of_each_offer_is_drained_once() -> None:
    bookings = Bookings()
    bookings.track()
    bookings.hold(booking("a", hours=1.0))
    bookings.hold(booking("b", hours=2.0))
    bookings.hold(booking("c", hours=3.0))
    bookings.confirm("a")
    bookings.release("b")
    assert bookings.changes_waiting == 3 and bookings.changed("b") and not bookings.changed("z")
    upserted, removed = bookings.drain_changes()
    assert [(b.offer_id, b.state) for b in upserted] == [
        ("a", BookingState.CONFIRMED),
        ("c", BookingState.HELD),
    ]
    assert removed == ["b"]
    assert bookings.drain_changes() == ([], [])

    bookings.hold(booking("d"))
    bookings.release("d")  # booked and released between two drains: only the removal is left
    bookings.release("c")
    bookings.release("c")  # nothing to release: no change
    assert bookings.drain_changes() == ([], ["d", "c"])
    assert [b.offer_id for b in bookings] == ["a"]


def test_the_listener_hears_of_the_first_change_of_each_batch() -> None:
    calls: list[int] = []
    bookings = Bookings()
    bookings.track(lambda: calls.append(len(calls)))
    bookings.hold(booking("a"))
    bookings.confirm("a")
    bookings.hold(booking("b"))
    assert len(calls) == 1
    bookings.drain_changes()
    bookings.due(T0 + HOLD, TODAY)  # ends "b": the first change of the next batch
    assert len(calls) == 2
    assert bookings.drain_changes() == ([], ["b"])


def test_restored_bookings_count_and_are_not_changes() -> None:
    bookings = Bookings(limit=2)
    bookings.track()
    bookings.hold(booking("mine", hours=1.0))
    stored = [
        booking("mine", hours=9.0),  # booked here already: ours is newer
        booking("a", hours=2.0),
        replace(booking("b", hours=3.0, requester=OTHER), state=BookingState.CONFIRMED),
        booking("c", hours=4.0),  # beyond the limit: restored anyway
        booking("d", hours=-1.0),  # not a booking
    ]
    taken = bookings.restore(stored)
    assert [b.offer_id for b in taken] == ["a", "b", "c"]
    assert bookings.hours() == pytest.approx(10.0)
    assert bookings.held_hours(MAKER) == pytest.approx(7.0) and bookings.held_hours(OTHER) == 0.0
    assert bookings.full
    with pytest.raises(BookingsFull):
        bookings.hold(booking("e"))
    assert bookings.drain_changes() == ([booking("mine", hours=1.0)], [])  # restoring recorded nothing

    bookings.release("a")
    assert bookings.restore([booking("a", hours=5.0)]) == []  # released and not drained yet: stays released
    assert bookings.drain_changes() == ([], ["a"])
    ended = sorted(b.offer_id for b, _ in bookings.due(T0 + HOLD, TODAY))  # restored ones end as any
    assert ended == ["c", "mine"]
    assert sorted(bookings.drain_changes()[1]) == ["c", "mine"]


_CHANGES = st.lists(
    st.tuples(
        st.sampled_from(["hold", "confirm", "release", "release_order", "due", "drain"]),
        st.integers(0, 7),  # offer (its order: offer // 3)
        st.integers(0, 48),  # held for (hours) / now (hours after T0)
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ops=_CHANGES)
def test_the_drained_changes_replayed_give_the_bookings(ops: list[tuple[str, int, int]]) -> None:
    """What a store that applies every drained change holds is what the bookings hold."""
    bookings = Bookings(limit=5)
    bookings.track()
    stored: dict[str, Booking] = {}

    def drain() -> None:
        upserted, removed = bookings.drain_changes()
        assert not {b.offer_id for b in upserted} & set(removed)
        for b in upserted:
            stored[b.offer_id] = b
        for offer_id in removed:
            stored.pop(offer_id, None)

    for op, n, at in ops:
        offer, order = f"o-{n}", f"order-{n // 3}"
        if op == "hold" and (offer in bookings or not bookings.full):
            bookings.hold(booking(offer, order=order, held_until=T0 + timedelta(hours=at)))
        elif op == "confirm":
            bookings.confirm(offer)
        elif op == "release":
            bookings.release(offer)
        elif op == "release_order":
            bookings.release_order(order)
        elif op == "due":
            bookings.due(T0 + timedelta(hours=at), TODAY + timedelta(days=at))
        elif op == "drain":
            drain()
    drain()
    assert stored == {b.offer_id: b for b in bookings}

    restarted = Bookings(limit=5)
    restarted.track()
    assert restarted.restore(stored.values()) == list(stored.values())
    assert restarted.hours() == pytest.approx(bookings.hours(), abs=1e-6)
    assert restarted.held_hours(MAKER) == pytest.approx(bookings.held_hours(MAKER), abs=1e-6)
    assert restarted.drain_changes() == ([], [])


# ----------------------------------------------------------------- the proxy's capacity and share


def proxy(share: float = 0.5, **options: Any) -> SupplierProxy:
    """40 h a week; a cfp for delivery in 14 days sees 80 h, of which one requester may hold ``share``."""
    return SupplierProxy(
        address="suppliers@local/SUP-1",
        supplier=SUPPLIER,
        policy=policy(),
        price_models={ProcessKind.LASER_CUTTING: PRICE},
        today=lambda: TODAY,
        hold_for=HOLD,
        max_requester_share=share,
        **options,
    )


def offer_for(p: SupplierProxy, hours: float, requester: str = MAKER) -> Offer | Reason:
    return p.answer(cfp(order=uuid4(), machine_minutes=60.0 * hours, quantity=1), initiator=requester, now=T0)


def test_one_requester_holds_at_most_its_share_of_the_capacity() -> None:
    p = proxy(share=0.5)
    for _ in range(2):
        offer = offer_for(p, 15.0)
        assert isinstance(offer, Offer)
        assert p.confirm(offer, requester=MAKER, now=T0) == offer
    assert p.bookings.held_hours(MAKER) == pytest.approx(30.0)
    refused = offer_for(p, 15.0)  # 30 + 15 > 0.5 * 80
    assert isinstance(refused, Reason) and refused.reason == reasons.CAPACITY_SHARE
    assert "50%" in (refused.detail or "")
    assert isinstance(offer_for(p, 10.0), Offer)  # 30 + 10 = 40: exactly its share
    assert isinstance(offer_for(p, 15.0, requester=OTHER), Offer)  # another requester's share
    assert isinstance(offer_for(p, 15.0, requester=MAKER + "/resource"), Reason)  # the same account

    [first, *_] = p.bookings.held()
    p.bookings.confirm(first.offer_id)  # a contract confirmed it: no longer the requester's to hold
    assert isinstance(offer_for(p, 15.0), Offer)


def test_a_confirmation_is_refused_when_the_share_filled_meanwhile() -> None:
    p = proxy(share=0.5)
    first, second = offer_for(p, 25.0), offer_for(p, 25.0)
    assert isinstance(first, Offer) and isinstance(second, Offer)
    assert p.confirm(first, requester=MAKER, now=T0) == first
    failed = p.confirm(second, requester=MAKER, now=T0)
    assert isinstance(failed, Reason) and failed.reason == reasons.CAPACITY_SHARE
    assert len(p.bookings) == 1
    booked = p.bookings.get(str(first.id))
    assert booked is not None
    assert (booked.requester, booked.order_id, booked.part_id) == (MAKER, str(first.order_id), "frame")
    assert (booked.hours, booked.delivery_date) == (25.0, first.delivery_date)
    assert (booked.state, booked.held_until) == (BookingState.HELD, T0 + HOLD)
    assert p.confirm(first, requester=MAKER, now=T0) == first  # again: the same booking
    assert len(p.bookings) == 1 and p.booked_hours == pytest.approx(25.0)


def test_held_and_confirmed_bookings_count_against_the_capacity() -> None:
    p = proxy(share=1.0)
    for _ in range(4):
        offer = offer_for(p, 20.0)
        assert isinstance(offer, Offer) and p.confirm(offer, requester=MAKER, now=T0) == offer
    p.bookings.confirm(next(iter(p.bookings)).offer_id)
    refused = offer_for(p, 1.0, requester=OTHER)
    assert isinstance(refused, Reason) and refused.reason == reasons.CAPACITY
    p.bookings.release(p.bookings.held()[0].offer_id)
    assert isinstance(offer_for(p, 20.0, requester=OTHER), Offer)


def test_a_full_book_refuses_a_confirmation() -> None:
    p = proxy(share=1.0, bookings=Bookings(limit=1))
    first, second = offer_for(p, 1.0), offer_for(p, 1.0)
    assert isinstance(first, Offer) and isinstance(second, Offer)
    assert p.confirm(first, requester=MAKER, now=T0) == first
    failed = p.confirm(second, requester=MAKER, now=T0)
    assert isinstance(failed, Reason) and failed.reason == reasons.TOO_MANY_BOOKINGS


def test_the_share_must_be_a_fraction() -> None:
    with pytest.raises(ValueError, match="max_requester_share"):
        proxy(share=0.0)
    with pytest.raises(ValueError, match="max_requester_share"):
        proxy(share=1.5)


# ----------------------------------------------------------------- what the store says


def order(status: OrderStatus, *, offers: tuple[str, ...] = (), manufacturer: str = "maker-1") -> OrderRecord:
    network = {
        "order_id": "order-1",
        "assignments": [{"part": {"part_id": "frame"}, "offer": {"id": offer}} for offer in offers],
    }
    return OrderRecord.model_validate(
        {
            "id": "order-1",
            "number": 1001,
            "customer_id": "c",
            "manufacturer_id": manufacturer,
            "product_id": "p",
            "customisation": {},
            "quantity": 1,
            "delivery_date": TODAY,
            "status": status.value,
            "created_at": T0,
            "updated_at": T0,
            "quotation": None,
            "supply_network": network if offers else None,
            "contract_ids": [],
        }
    )


UNDER_WAY = frozenset(OrderStatus) - CONTRACTED - ENDED


def test_every_status_has_a_verdict() -> None:
    under_way = {
        OrderStatus.RECEIVED,
        OrderStatus.ACCEPTED,
        OrderStatus.SOURCING,
        OrderStatus.NEGOTIATING,
        OrderStatus.QUOTED,
        OrderStatus.COUNTERED,
        OrderStatus.CONFIRMED,
        OrderStatus.CONTRACTING,
    }
    assert under_way == UNDER_WAY


def test_a_missing_order_releases() -> None:
    verdict = verdict_for(booking("o-1"), None, {"maker-1"})
    assert verdict.decision is Decision.RELEASE and "does not exist" in verdict.why


@pytest.mark.parametrize("status", sorted(ENDED))
def test_an_ended_order_releases(status: OrderStatus) -> None:
    verdict = verdict_for(booking("o-1"), order(status, offers=("o-1",)), {"maker-1"})
    assert verdict.decision is Decision.RELEASE and status.value in verdict.why


@pytest.mark.parametrize("status", sorted(CONTRACTED))
def test_a_contracted_order_confirms_its_offers_and_releases_others(status: OrderStatus) -> None:
    stored = order(status, offers=("o-2", "O-1"))
    assert verdict_for(booking("o-1"), stored, {"maker-1"}).decision is Decision.CONFIRM
    verdict = verdict_for(booking("o-3"), stored, {"maker-1"})
    assert verdict.decision is Decision.RELEASE and "without offer o-3" in verdict.why
    assert verdict_for(booking("o-1"), order(status), {"maker-1"}).decision is Decision.RELEASE


@pytest.mark.parametrize("status", sorted(UNDER_WAY))
def test_an_order_under_way_keeps(status: OrderStatus) -> None:
    assert verdict_for(booking("o-1"), order(status, offers=("o-1",)), {"maker-1"}).decision is Decision.KEEP


def test_an_order_of_another_manufacturer_releases() -> None:
    stored = order(OrderStatus.CONTRACTED, offers=("o-1",), manufacturer="someone-else")
    verdict = verdict_for(booking("o-1"), stored, {"maker-1"})
    assert verdict.decision is Decision.RELEASE and "acts for" in verdict.why
    assert verdict_for(booking("o-1"), stored, set()).decision is Decision.RELEASE
    assert verdict_for(booking("o-1"), stored, {"*"}).decision is Decision.CONFIRM


def test_offer_ids_of_odd_networks() -> None:
    assert offer_ids_of(None) == frozenset()
    assert offer_ids_of({"assignments": "nope"}) == frozenset()
    assert offer_ids_of({"assignments": [1, {"offer": 2}, {"offer": {"id": 3}}, {"offer": {"id": "A"}}]}) == {
        "a"
    }
