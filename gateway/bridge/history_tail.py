"""Cheap tails of the store: ``order_status_history`` (events that no agent reported) and ``acl_messages``
(each message logged about an order, as a ``negotiation-message`` event).

Every status change of an order is written to the history (with the order, in one transaction)
before anyone is told, whoever made it: the manufacturer agent, an older agent that sends no
notices, a restarted process, the bridge itself. So the history is the one complete record, and
tailing it makes the push channels independent of the agents' notices: a notice only makes an event
arrive sooner, and the :class:`~gateway.bridge.dedupe.Deduplicator` drops the later report.

Every agent logs the ACL messages it sends and receives, so the ACL log holds a message once per agent
that logged it; :class:`AclTail` publishes each message once (its first copy), as the transcript of
``GET /orders/{id}/negotiation`` shows it, so the app appends it instead of fetching the transcript again.
A message that is not between the order's customer agent and its manufacturer agent is for the
manufacturer's eyes only.

One indexed query per interval (``id > last``; joined with the order for its parties). Rows of
concurrent transactions may commit out of id order (PostgreSQL), so each poll also looks back a few
ids and skips the rows already read. Rows that change nothing (from = to: remarks) are not events.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from gateway.bridge.base import EventKind, OrderEvent
from gateway.bridge.events import kind_of
from gateway.privacy import between, customer_side
from gateway.transcript import message_identity, message_public
from ontology.order import OrderStatus
from store.database import Database
from store.models import AclMessageRow, InvoiceRow, OrderRow, OrderStatusHistoryRow
from store.records import AclMessageRecord

log = logging.getLogger(__name__)

LOOK_BACK = 64
"""Ids below the newest one read that are read again (late commits)."""
BATCH = 500
MESSAGES_REMEMBERED = 4096
"""Messages whose first copy the ACL tail remembers, to publish each message once."""
ORDERS_REMEMBERED = 1024
"""Orders whose customer side the ACL tail remembers."""

Publish = Callable[[OrderEvent], object]


class _Tail(ABC):
    """Polls a table every ``interval`` seconds from the rows written after :meth:`start`."""

    def __init__(self, db: Database, publish: Publish, interval: float = 1.0) -> None:
        self.db = db
        self.publish = publish
        self.interval = interval
        self.last_id = 0
        self._read: deque[int] = deque(maxlen=4 * LOOK_BACK)
        self._read_set: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    @abstractmethod
    def _ids(self) -> Any:
        """The id column of the table tailed."""

    @abstractmethod
    async def _fetch(self) -> Sequence[Any]:
        """The rows from ``last_id - LOOK_BACK`` on, by id, at most ``BATCH`` (each with an ``id``)."""

    @abstractmethod
    async def _publish_row(self, row: Any) -> bool:
        """Publish the event of a row read for the first time, if it is one; whether it was."""

    async def start(self) -> None:
        async with self.db.transaction(flush_acl_log=False) as repos:
            newest = await repos.session.scalar(select(func.max(self._ids)))
        self.last_id = int(newest or 0)
        self._task = asyncio.create_task(self._run(), name=f"{type(self).__name__} of the store")

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
                log.warning("could not read the store (%s)", type(self).__name__, exc_info=True)

    async def poll(self) -> int:
        """Publish the rows written since the last poll; how many."""
        published = 0
        while True:
            rows = await self._fetch()
            fresh = [row for row in rows if row.id not in self._read_set]
            for row in fresh:
                self._remember(row.id)
                self.last_id = max(self.last_id, row.id)
                published += await self._publish_row(row)
            if len(rows) < BATCH:
                return published

    def _remember(self, row_id: int) -> None:
        if len(self._read) == self._read.maxlen:
            self._read_set.discard(self._read[0])
        self._read.append(row_id)
        self._read_set.add(row_id)

    def _since(self) -> int:
        return self.last_id - LOOK_BACK


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    order_id: str
    from_status: str
    to_status: str
    at: datetime
    note: str
    event: str | None
    params: Any
    customer_id: str
    manufacturer_id: str
    quotation: Any


class HistoryTail(_Tail):
    """The order status history: one event per status change."""

    @property
    def _ids(self) -> Any:
        return OrderStatusHistoryRow.id

    async def _publish_row(self, row: _Row) -> bool:
        if row.from_status == row.to_status:
            return False
        self.publish(await self._event(row))
        return True

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
                history.event,
                history.params,
                OrderRow.customer_id,
                OrderRow.manufacturer_id,
                OrderRow.quotation,
            )
            .join(OrderRow, OrderRow.id == history.order_id)
            .where(history.id > self._since())
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
                "event": row.event,
                "params": row.params,
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


@dataclass(frozen=True, slots=True)
class _Logged:
    id: int
    record: AclMessageRecord
    customer_id: str
    manufacturer_id: str
    status: str


class AclTail(_Tail):
    """The ACL log: one ``negotiation-message`` event per message about an order (its first copy). The
    order's customer hears only its conversation with the manufacturer (:func:`gateway.privacy.between`
    the two agents of :func:`gateway.privacy.customer_side`, read once per order)."""

    def __init__(self, db: Database, publish: Publish, interval: float = 1.0) -> None:
        super().__init__(db, publish, interval)
        self._published: OrderedDict[tuple[str | None, ...], None] = OrderedDict()
        self._sides: OrderedDict[str, frozenset[str]] = OrderedDict()

    @property
    def _ids(self) -> Any:
        return AclMessageRow.id

    async def _publish_row(self, row: _Logged) -> bool:
        record = row.record
        identity = (record.order_id, *message_identity(record))
        if identity in self._published:
            return False  # another agent's copy of a message published already
        self._remember_message(identity)
        side = await self._customer_side(str(record.order_id))
        self.publish(
            OrderEvent.model_validate(
                {
                    "order_id": record.order_id,
                    "customer_id": row.customer_id,
                    "manufacturer_id": row.manufacturer_id,
                    "kind": EventKind.NEGOTIATION_MESSAGE,
                    "status": row.status,
                    "at": record.logged_at,
                    "message": message_public(record),
                    "manufacturer_only": side is None or not between(side, record.sender, record.receivers),
                }
            )
        )
        await asyncio.sleep(0)  # a burst of messages: let the push connections take each one
        return True

    def _remember_message(self, identity: tuple[str | None, ...]) -> None:
        self._published[identity] = None
        if len(self._published) > MESSAGES_REMEMBERED:
            self._published.popitem(last=False)

    async def _customer_side(self, order_id: str) -> frozenset[str] | None:
        """The order's customer agent and manufacturer agent; None while the order's message is not logged
        (then every message is the manufacturer's only)."""
        side = self._sides.get(order_id)
        if side is None:
            async with self.db.transaction(flush_acl_log=False) as repos:
                side = customer_side(await repos.acl.by_order(order_id), order_id)
            if side is None:
                return None
            self._sides[order_id] = side
            if len(self._sides) > ORDERS_REMEMBERED:
                self._sides.popitem(last=False)
        return side

    async def _fetch(self) -> list[_Logged]:
        stmt = (
            select(AclMessageRow, OrderRow.customer_id, OrderRow.manufacturer_id, OrderRow.status)
            .join(OrderRow, OrderRow.id == AclMessageRow.order_id)
            .where(AclMessageRow.id > self._since())
            .order_by(AclMessageRow.id)
            .limit(BATCH)
        )
        async with self.db.transaction(flush_acl_log=False) as repos:
            result = await repos.session.execute(stmt)
            return [
                _Logged(row.id, AclMessageRecord.model_validate(row), customer, manufacturer, status)
                for row, customer, manufacturer, status in result.all()
            ]
