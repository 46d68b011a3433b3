"""A database that refuses writes (a full disk: SQLite's own SQLITE_FULL, from a page limit on the real file)
pauses the manufacturer's journal instead of failing its orders; once space is freed every step goes on, and
nothing was lost or written twice."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError

from ontology.events import EventCode, HistoryEvent
from ontology.order import OrderStatus
from store import refusal
from store.database import Database
from store.errors import StoreError
from store.refusal import first_line, refused
from tests.agents.manufacturer.fake_host import FakeHost
from tests.agents.manufacturer.order_support import stored_at

NOTES = 400


class FullDisk:
    """While ``full``, every new connection of ``db`` may not grow the database file beyond its size now."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.full = False
        event.listen(db.engine.sync_engine, "connect", self._limit)

    def _limit(self, connection: Any, _record: Any) -> None:
        if not self.full:
            return
        cursor = connection.cursor()
        try:
            cursor.execute("PRAGMA page_count")
            pages = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA max_page_count={pages}")
        finally:
            cursor.close()

    async def set(self, full: bool) -> None:
        self.full = full
        await self.db.engine.dispose()  # the pool's connections open again, with the limit or without

    def remove(self) -> None:
        event.remove(self.db.engine.sync_engine, "connect", self._limit)


@pytest.fixture
def disk(host: FakeHost) -> Iterator[FullDisk]:
    disk = FullDisk(host.db)
    yield disk
    disk.remove()


def progress(n: int) -> HistoryEvent:
    return HistoryEvent.of(EventCode.PRODUCTION_PROGRESS, percent=n % 100, note="x" * 200)


async def test_a_full_disk_pauses_the_journal_until_space_is_freed(
    host: FakeHost, disk: FullDisk, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="store.refusal")
    monkeypatch.setattr(refusal, "FIRST_WAIT", 0.01)
    monkeypatch.setattr(refusal, "MOST_WAIT", 0.05)
    order = await stored_at(host, OrderStatus.IN_PRODUCTION)
    order_id = str(order.id)
    await disk.set(full=True)

    async def report() -> None:
        for n in range(NOTES):
            await host.journal.note(order_id, progress(n))

    reporting = asyncio.create_task(report())
    async with asyncio.timeout(30):
        while "the database refuses the note step (database or disk is full)" not in caplog.text:
            assert not reporting.done(), "every note fitted: the disk never filled up"
            await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    assert not reporting.done(), "the journal waits while the disk is full"

    await disk.set(full=False)
    await asyncio.wait_for(reporting, 30)
    noted = await host.journal.events_noted(order_id)
    assert noted[EventCode.PRODUCTION_PROGRESS] == NOTES, "each note once: none lost, none twice"
    assert "the database takes the note step again" in caplog.text
    assert await host.journal.status(order_id, OrderStatus.PRODUCED)


async def test_a_fault_of_the_step_itself_is_not_waited_out(host: FakeHost) -> None:
    """Only refusals pause: a step the database rejects for what it is fails at once."""
    with pytest.raises(StoreError):
        await asyncio.wait_for(host.journal.note(str(uuid.uuid4()), progress(1)), 5)
    assert refused(OperationalError("INSERT ...", {}, Exception("database or disk is full\nmore")))
    assert not refused(IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed")))
    assert first_line(OperationalError("INSERT ...", {}, Exception("database or disk is full\nmore"))) == (
        "database or disk is full"
    )
