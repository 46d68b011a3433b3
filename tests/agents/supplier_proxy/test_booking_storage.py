"""Supplier bookings kept in a real store (SQLite) across restarts of the proxy host: written through as they
change (booked, confirmed, released, shipped, ended by time), read back by a new host, nothing written without
a store, and the changes kept while the store cannot be written."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from agents.supplier_proxy.booking_check import Decision, Verdict
from agents.supplier_proxy.bookings import Booking, BookingState
from agents.supplier_proxy.settings import SupplierProxySettings
from common.settings import Settings
from ontology.codec import decode
from ontology.common import Reason
from ontology.negotiation import Offer
from protocols.performative import Performative
from store.database import Database
from store.engine import create_engine
from store.records import SupplierBookingRecord, SupplierBookingState
from tests.agents.supplier_proxy.helpers import MAKER, SUPPLIER, T0, Clock, RecordingHost, cfp

HOLD = timedelta(hours=25)
SUPPLIERS = SupplierProxySettings(booking_hold_seconds=HOLD.total_seconds(), max_requester_share=1.0)


async def keep_all(bookings: Sequence[Booking]) -> dict[str, Verdict]:
    """The store's word on held bookings, for these tests: every order is still under way."""
    return {b.offer_id: Verdict(Decision.KEEP, "order under way") for b in bookings}


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'lso.db'}", migrate=True)
    yield db
    await db.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


class Hosts:
    """New proxy hosts on one store: each is a restart (nothing in memory)."""

    def __init__(self, db: Database, clock: Clock, data_dir: Path) -> None:
        self.db, self.clock, self.data_dir = db, clock, data_dir

    def new(self, **options: object) -> RecordingHost:
        host = RecordingHost(
            Settings(data_dir=self.data_dir), self.clock, suppliers=SUPPLIERS, verdicts=keep_all, **options
        )
        host.store = self.db
        return host

    async def started(self, **options: object) -> tuple[RecordingHost, str]:
        """A host for :data:`SUPPLIER` that read the stored bookings; the proxy's address."""
        host = self.new(**options)
        address = host.host()
        await host.load_bookings()
        return host, address


@pytest.fixture
def hosts(db: Database, clock: Clock, tmp_path: Path) -> Hosts:
    return Hosts(db, clock, tmp_path)


async def book(host: RecordingHost, proxy: str, *, hours: float = 2.0, order: UUID | None = None) -> Offer:
    """One conversation up to the proxy's ``inform``: the booked offer."""
    call = cfp(order=order or uuid4(), machine_minutes=60.0 * hours, quantity=1)
    proposal = await host.call(MAKER, proxy, call)
    assert proposal.performative is Performative.PROPOSE, decode(proposal.content, Reason)
    [inform] = host.reply(proposal, Performative.ACCEPT_PROPOSAL)
    assert inform.performative is Performative.INFORM
    return decode(inform.content, Offer)


async def stored(db: Database) -> dict[str, SupplierBookingRecord]:
    async with db.transaction() as repos:
        return {r.offer_id: r for r in await repos.supplier_bookings.list_all()}


def books(host: RecordingHost, address: str) -> dict[str, Booking]:
    proxy = host.proxy(address)
    assert proxy is not None
    return {b.offer_id: b for b in proxy.bookings}


async def eventually_stored(
    db: Database, count: int, seconds: float = 5.0
) -> dict[str, SupplierBookingRecord]:
    for _ in range(int(seconds / 0.02)):
        found = await stored(db)
        if len(found) == count:
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"the store never held {count} bookings")


async def test_booked_hours_survive_a_restart(
    hosts: Hosts, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    first, aid = await hosts.started()
    offers = [await book(first, aid, hours=2.0), await book(first, aid, hours=3.0)]
    rows = await eventually_stored(db, 2)  # written soon after, without being asked to
    before = books(first, aid)
    assert set(rows) == {str(o.id) for o in offers} == set(before)
    row = rows[str(offers[0].id)]
    assert (row.supplier_id, row.requester, row.order_id, row.hours) == (
        SUPPLIER.id,
        MAKER,
        str(offers[0].order_id),
        2.0,
    )
    assert (row.state, row.held_until, row.price) == (SupplierBookingState.HELD, T0 + HOLD, offers[0].price)
    assert first.unflushed == 0

    caplog.set_level(logging.INFO, logger="agents.supplier_proxy.host")
    second, address = await hosts.started()
    assert address == aid
    assert books(second, aid) == before  # the same bookings, the same terms
    proxy = second.proxy(aid)
    assert proxy is not None
    assert proxy.booked_hours == pytest.approx(5.0) and proxy.bookings.held_hours(MAKER) == pytest.approx(5.0)
    assert second.unflushed == 0  # what was read is not written back
    assert "2 supplier bookings restored from the store" in caplog.text

    # a host that reads the store before it hosts the supplier gives them when it does
    third = hosts.new()
    assert await third.load_bookings() == 2
    assert books(third, third.host()) == before


async def test_confirmed_released_and_shipped_bookings_are_stored_as_they_change(
    hosts: Hosts, db: Database
) -> None:
    first, aid = await hosts.started()
    released, shipped, confirmed = uuid4(), uuid4(), uuid4()
    offers = {order: await book(first, aid, order=order) for order in (released, shipped, confirmed)}
    proxy = first.proxy(aid)
    assert proxy is not None
    proxy.bookings.confirm(str(offers[confirmed].id))
    proxy.bookings.confirm(str(offers[shipped].id))
    assert await first.flush_bookings()
    rows = await stored(db)
    assert {r.state for r in rows.values()} == {SupplierBookingState.HELD, SupplierBookingState.CONFIRMED}
    assert rows[str(offers[confirmed].id)].state is SupplierBookingState.CONFIRMED

    assert [b.offer_id for b in proxy.bookings.release_order(str(released))] == [str(offers[released].id)]
    first._work_shipped(SUPPLIER.id, str(shipped))  # what the supply agreements call when parts are shipped
    assert await first.flush_bookings()
    assert set(await stored(db)) == {str(offers[confirmed].id)}

    second, _ = await hosts.started()
    [kept] = books(second, aid).values()
    assert (kept.offer_id, kept.state) == (str(offers[confirmed].id), BookingState.CONFIRMED)


async def test_a_hold_that_ended_during_the_restart_ends_at_the_first_check(
    hosts: Hosts, db: Database, clock: Clock
) -> None:
    first, aid = await hosts.started()
    held, confirmed = await book(first, aid), await book(first, aid)
    proxy = first.proxy(aid)
    assert proxy is not None
    proxy.bookings.confirm(str(confirmed.id))
    assert await first.flush_bookings()

    clock.advance(seconds=HOLD.total_seconds())  # down for a day and more
    second, _ = await hosts.started()
    assert set(books(second, aid)) == {str(held.id), str(confirmed.id)}
    await second.check_bookings()
    assert set(books(second, aid)) == {str(confirmed.id)}  # delivery is two weeks away: kept
    assert set(await stored(db)) == {str(confirmed.id)}  # the check writes what ended

    third, _ = await hosts.started()
    assert set(books(third, aid)) == {str(confirmed.id)}


async def test_changes_before_the_store_is_read_are_written_after_it(hosts: Hosts, db: Database) -> None:
    first, aid = await hosts.started()
    old = await book(first, aid)
    assert await first.flush_bookings()

    second = hosts.new()
    address = second.host()
    new = await book(second, address)
    assert not await second.flush_bookings()  # nothing is written before the stored bookings are read
    assert set(await stored(db)) == {str(old.id)}
    assert await second.load_bookings() == 1
    assert set(books(second, address)) == {str(old.id), str(new.id)}
    assert await second.flush_bookings()
    assert set(await stored(db)) == {str(old.id), str(new.id)}


async def test_setup_reads_the_bookings_and_stop_writes_them(hosts: Hosts, db: Database) -> None:
    first, aid = await hosts.started()
    old = await book(first, aid)
    assert await first.flush_bookings()

    second = hosts.new()
    address = second.host()
    await second.setup()  # what starting the agent runs
    assert set(books(second, address)) == {str(old.id)}
    new = await book(second, address)
    await second.stop()  # writes what is not written yet
    assert set(await stored(db)) == {str(old.id), str(new.id)}


async def test_a_removed_supplier_gets_its_bookings_back_when_hosted_again(
    hosts: Hosts, db: Database
) -> None:
    host, aid = await hosts.started()
    offer = await book(host, aid)
    host.remove(aid)
    assert host.proxy(aid) is None
    assert host.host() == aid
    assert set(books(host, aid)) == {str(offer.id)}
    assert await host.flush_bookings()
    assert set(await stored(db)) == {str(offer.id)}


async def test_without_check_store_nothing_is_read_or_written(hosts: Hosts, db: Database) -> None:
    first, aid = await hosts.started()
    old = await book(first, aid)
    assert await first.flush_bookings()

    simulation, address = await hosts.started(check_store=False)
    assert books(simulation, address) == {}  # nothing read
    proxy = simulation.proxy(address)
    assert proxy is not None and not proxy.bookings.tracked
    await book(simulation, address)
    await simulation.check_bookings()
    assert await simulation.flush_bookings()
    assert simulation.unflushed == 0
    assert set(await stored(db)) == {str(old.id)}  # nothing written


async def test_a_store_failure_keeps_the_changes_for_a_later_flush(
    hosts: Hosts, db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    host, aid = await hosts.started()
    broken = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path}/nowhere/lso.db"))
    try:
        host.store = broken
        first, second = await book(host, aid), await book(host, aid)
        assert not await host.flush_bookings()
        assert "cannot write 2 booking changes to the store" in caplog.text
        assert host.unflushed == 2
        proxy = host.proxy(aid)
        assert proxy is not None
        proxy.bookings.confirm(str(first.id))  # changed again meanwhile: the newest change counts
        proxy.bookings.release(str(second.id))
        assert not await host.flush_bookings()
        assert host.unflushed == 2
    finally:
        await broken.close()
    assert await stored(db) == {}

    host.store = db
    assert await host.flush_bookings()
    assert host.unflushed == 0
    rows = await stored(db)
    assert set(rows) == {str(first.id)} and rows[str(first.id)].state is SupplierBookingState.CONFIRMED


async def test_the_changes_kept_while_the_store_fails_are_bounded(
    hosts: Hosts, db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    host, aid = await hosts.started(unflushed_limit=2)
    broken = Database(create_engine(f"sqlite+aiosqlite:///{tmp_path}/nowhere/lso.db"))
    try:
        host.store = broken
        offers = [await book(host, aid) for _ in range(3)]
        assert not await host.flush_bookings()
    finally:
        await broken.close()
    assert host.unflushed == 2
    assert "1 booking changes were never written to the store and are dropped" in caplog.text
    host.store = db
    assert await host.flush_bookings()
    assert set(await stored(db)) == {str(o.id) for o in offers[1:]}  # the oldest change was dropped
    assert len(books(host, aid)) == 3  # memory keeps all of them
