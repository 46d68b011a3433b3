"""A cheap tail of the store's ``order_status_history``: events that no agent reported.

Every status change of an order is written to the history (with the order, in one transaction)
before anyone is told, whoever made it: the manufacturer agent, an older agent that sends no
notices, a restarted process, the bridge itself. So the history is the one complete record, and
tailing it makes the push channels independent of the agents' notices: a notice only makes an event
arrive sooner, and the :class:`~gateway.bridge.dedupe.Deduplicator` drops the later report.

One indexed query per interval (``id > last``; joined with the order for its parties). Rows of
concurrent transactions may commit out of id order (PostgreSQL), so each poll also looks back a few
ids and skips the rows already read. Rows that change nothing (from = to: remarks) are not events.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from gateway.bridge.base import OrderEvent
from gateway.bridge.events import kind_of
from ontology.order import OrderStatus
from store.database import Database
from store.models import InvoiceRow, OrderRow, OrderStatusHistoryRow

log = logging.getLogger(__name__)

LOOK_BACK = 64
"""Ids below the newest one read that are read again (late commits)."""
BATCH = 500


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    order_id: str
    from_status: str
    to_status: str
    at: datetime
    note: str
    customer_id: str
    manufacturer_id: str
    quotation: Any


class HistoryTail:
    """Polls the history every ``interval`` seconds from the rows written after :meth:`start`."""

    def __init__(self, db: Database, publish: Callable[[OrderEvent], None], interval: float = 1.0) -> None:
        self.db = db
        self.publish = publish
        self.interval = interval
        self.last_id = 0
        self._read: deque[int] = deque(maxlen=4 * LOOK_BACK)
        self._read_set: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        async with self.db.transaction(flush_acl_log=False) as repos:
            newest = await repos.session.scalar(select(func.max(OrderStatusHistoryRow.id)))
        self.last_id = int(newest or 0)
        self._task = asyncio.create_task(self._run(), name="order status history tail")

    async def stop(self) -> None:
        """Stop after the poll under way, if any (cancelling a query would leave its connection dirty)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=10)
        except TimeoutError:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._stopping.wait(), self.interval)
                return
            except TimeoutError:
                pass
            try:
                await self.poll()
            except Exception:
                log.warning("could not read the order status history", exc_info=True)

    async def poll(self) -> int:
        """Publish the rows written since the last poll; how many."""
        published = 0
        while True:
            rows = await self._fetch()
            fresh = [row for row in rows if row.id not in self._read_set]
            for row in fresh:
                self._remember(row.id)
                self.last_id = max(self.last_id, row.id)
                if row.from_status != row.to_status:
                    self.publish(await self._event(row))
                    published += 1
            if len(rows) < BATCH:
                return published

    def _remember(self, row_id: int) -> None:
        if len(self._read) == self._read.maxlen:
            self._read_set.discard(self._read[0])
        self._read.append(row_id)
        self._read_set.add(row_id)

    async def _fetch(self) -> list[_Row]:
        history = OrderStatusHistoryRow
        stmt = (
            select(
                history.id,
                history.order_id,
                history.from_status,
                history.to_status,
                history.at,
                history.note,
                OrderRow.customer_id,
                OrderRow.manufacturer_id,
                OrderRow.quotation,
            )
            .join(OrderRow, OrderRow.id == history.order_id)
            .where(history.id > self.last_id - LOOK_BACK)
            .order_by(history.id)
            .limit(BATCH)
        )
        async with self.db.transaction(flush_acl_log=False) as repos:
            result = await repos.session.execute(stmt)
            rows = [_Row(*row) for row in result.all()]
        return rows

    async def _event(self, row: _Row) -> OrderEvent:
        status = OrderStatus(row.to_status)
        price, currency = await self._price(row, status)
        return OrderEvent.model_validate(
            {
                "order_id": row.order_id,
                "customer_id": row.customer_id,
                "manufacturer_id": row.manufacturer_id,
                "kind": kind_of(status),
                "status": status,
                "at": row.at,
                "note": row.note,
                "price": price,
                "currency": currency,
            }
        )

    async def _price(self, row: _Row, status: OrderStatus) -> tuple[Decimal | None, str | None]:
        if status is OrderStatus.QUOTED and isinstance(row.quotation, dict):
            total = row.quotation.get("total_price")
            return (Decimal(str(total)) if total is not None else None), row.quotation.get("currency")
        if status is OrderStatus.INVOICED:
            stmt = (
                select(InvoiceRow.total, InvoiceRow.currency)
                .where(InvoiceRow.order_id == row.order_id)
                .order_by(InvoiceRow.created_at.desc())
                .limit(1)
            )
            async with self.db.transaction(flush_acl_log=False) as repos:
                found = (await repos.session.execute(stmt)).first()
            if found is not None:
                return Decimal(found[0]), str(found[1])
        return None, None
