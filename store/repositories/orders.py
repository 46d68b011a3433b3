"""Orders and their status history; a status change and its history row are written together."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    FromClause,
    Integer,
    Select,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ontology.events import HistoryEvent
from ontology.order import Order
from store.coltypes import utcnow
from store.errors import ConflictError, InvalidTransitionError, NotFoundError, StaleStateError
from store.models import InvoiceRow, OrderRow, OrderStatusHistoryRow, PaymentRow, ProductRow, UserRow
from store.records import (
    InvoiceRecord,
    InvoiceWithPayment,
    NewOrder,
    OrderDetail,
    OrderRecord,
    PaymentRecord,
    StatusChange,
    jsonable,
)
from store.repositories.base import Repository
from store.transitions import ORDER_RULE, TransitionRule

#: The fields an ontology ``Order`` and a stored order share (besides the history).
_ORDER_FIELDS = {
    "id",
    "customer_id",
    "manufacturer_id",
    "product_id",
    "customisation",
    "quantity",
    "delivery_date",
    "created_at",
    "status",
}

_APPEND_ATTEMPTS = 5
FIRST_NUMBER = 1001
"""The number of a store's first order (people read "Order 1001", never the order's id)."""
_NEXT_NUMBER = select(func.coalesce(func.max(OrderRow.number), FIRST_NUMBER - 1) + 1).scalar_subquery()
_NUMBER_LOCK = 0x4C534F31
"""The PostgreSQL advisory lock that orders the transactions adding orders (until each commits), so each
reads the number the one before it took (READ COMMITTED: every statement sees what committed before it)."""
_TICK = timedelta(microseconds=1)

# --- the order detail: the order, its history and its invoices with their payments, in one statement
#
# ``UNION ALL`` of three branches of the same shape: a part number, then every column of the four
# tables (prefixed ``o_``, ``h_``, ``i_``, ``p_``); each branch fills the columns of its tables and
# leaves the others ``CAST(NULL AS <the column's type>)`` (PostgreSQL matches the branches' types
# pairwise, so an untyped NULL would not do). One statement is one round trip and one consistent
# snapshot, where reading the order, its history, its invoices and each invoice's payment took 3 + n.

_ORDER_PART, _HISTORY_PART, _INVOICE_PART = 0, 1, 2
_DETAIL_TABLES: tuple[tuple[str, FromClause], ...] = (
    ("o", OrderRow.__table__),
    ("h", OrderStatusHistoryRow.__table__),
    ("i", InvoiceRow.__table__),
    ("p", PaymentRow.__table__),
)


def _detail_branch(part: int, filled: set[str]) -> Select[Any]:
    columns: list[Any] = [literal_column(str(part), Integer).label("part")]
    for prefix, table in _DETAIL_TABLES:
        for column in table.columns:
            label = f"{prefix}_{column.name}"
            columns.append(
                column.label(label) if prefix in filled else cast(null(), column.type).label(label)
            )
    return select(*columns)


def _detail_statement() -> CompoundSelect[Any]:
    order_id = bindparam("order_id", type_=OrderRow.__table__.c.id.type)
    history, invoice, payment = (
        OrderStatusHistoryRow.__table__,
        InvoiceRow.__table__,
        PaymentRow.__table__,
    )
    statement = union_all(
        _detail_branch(_ORDER_PART, {"o"}).where(OrderRow.__table__.c.id == order_id),
        _detail_branch(_HISTORY_PART, {"h"}).where(history.c.order_id == order_id),
        _detail_branch(_INVOICE_PART, {"i", "p"})
        .select_from(invoice.outerjoin(payment, payment.c.invoice_id == invoice.c.id))
        .where(invoice.c.order_id == order_id),
    )
    by = statement.selected_columns
    return statement.order_by(by.part, by.h_at, by.h_id, by.i_created_at, by.i_id)


def _detail_slices() -> dict[str, tuple[int, list[str]]]:
    """Where each table's columns start in a row of the detail statement, and their names."""
    slices, start = {}, 1
    for prefix, table in _DETAIL_TABLES:
        names = [column.name for column in table.columns]
        slices[prefix] = (start, names)
        start += len(names)
    return slices


_DETAIL = _detail_statement()
_DETAIL_SLICES = _detail_slices()


def _part(row: Row[Any], prefix: str) -> dict[str, Any]:
    start, names = _DETAIL_SLICES[prefix]
    return dict(zip(names, row[start : start + len(names)], strict=True))


async def read_order_detail(reader: AsyncSession | AsyncConnection, order_id: str) -> OrderDetail | None:
    """The order with its status history and its invoices and their payments, in one statement
    (``None`` if there is no such order). ``reader``: a session, or a bare connection (see
    :meth:`store.database.Database.reader`), since one statement needs no transaction of its own."""
    rows = (await reader.execute(_DETAIL, {"order_id": str(order_id)})).all()
    if not rows or rows[0].part != _ORDER_PART:
        return None
    history: list[StatusChange] = []
    invoices: list[InvoiceWithPayment] = []
    for row in rows[1:]:
        if row.part == _HISTORY_PART:
            history.append(StatusChange.model_validate(_part(row, "h")))
        else:
            payment = _part(row, "p")
            invoices.append(
                InvoiceWithPayment(
                    invoice=InvoiceRecord.model_validate(_part(row, "i")),
                    payment=None if payment["id"] is None else PaymentRecord.model_validate(payment),
                )
            )
    order = OrderRecord.model_validate(_part(rows[0], "o"))
    return OrderDetail(order=order, history=history, invoices=invoices)


class OrderRepository(Repository):
    """Orders. ``rule`` decides which status changes are allowed (default: the ontology's table)."""

    def __init__(self, session: AsyncSession, rule: TransitionRule | None = None) -> None:
        super().__init__(session)
        self.rule = rule or ORDER_RULE

    async def add(self, new: NewOrder) -> OrderRecord:
        """Store a new order (status: ``new.status`` or the rule's initial one) with the store's next number.

        :class:`NotFoundError` if the customer, manufacturer or product is unknown,
        :class:`ConflictError` if the id is taken, ``ValueError`` for a status the rule does not know.
        """
        status = new.status or self.rule.initial
        if not self.rule.is_state(status):
            raise ValueError(f"unknown order status {status!r}")
        await self._require_parties(new)
        created = new.created_at or utcnow()
        values = {
            **new.model_dump(),
            "status": status,
            "created_at": created,
            "updated_at": created,
            "number": _NEXT_NUMBER,
        }
        if self.dialect_name == "postgresql":  # SQLite has one writer at a time already
            await self.session.execute(select(func.pg_advisory_xact_lock(_NUMBER_LOCK)))
        row = (await self.session.scalars(self.insert_ignoring_conflicts(OrderRow, values))).one_or_none()
        if row is None:
            raise ConflictError(f"an order with id {new.id!r} already exists")
        return OrderRecord.model_validate(row)

    async def add_order(self, order: Order) -> OrderRecord:
        """Store an ontology :class:`~ontology.order.Order`, its status history included."""
        data = order.model_dump(mode="json", include=_ORDER_FIELDS)
        record = await self.add(NewOrder.model_validate({**data, "created_at": order.created_at}))
        for change in order.history:
            await self._append_history(
                record.id, change.from_status, change.to_status, change.actor, change.note, change.at
            )
        updated = order.history[-1].at if order.history else order.created_at
        return await self._set(record.id, updated_at=updated)

    async def get(self, order_id: str) -> OrderRecord | None:
        row = await self.session.get(OrderRow, str(order_id), populate_existing=True)
        return None if row is None else OrderRecord.model_validate(row)

    async def detail(self, order_id: str) -> OrderDetail | None:
        """The order with its status history and its invoices and their payments, in one statement
        (``None`` if there is no such order)."""
        return await read_order_detail(self.session, order_id)

    async def require(self, order_id: str) -> OrderRecord:
        order = await self.get(order_id)
        if order is None:
            raise NotFoundError(f"no order {order_id!r}")
        return order

    async def load_order(self, order_id: str) -> Order | None:
        """The order as an ontology :class:`~ontology.order.Order`, with its status history."""
        record = await self.get(order_id)
        if record is None:
            return None
        history = [
            change.model_dump(exclude={"id", "order_id", "event", "params"})
            for change in await self.history(record.id)
        ]
        return Order.model_validate(
            {
                **record.model_dump(include=_ORDER_FIELDS),
                "history": history,
            }
        )

    async def list_by_customer(
        self, customer_id: str, status: str | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[OrderRecord]:
        """The customer's orders, newest first (``limit``/``offset``: one page of them)."""
        return await self._list(OrderRow.customer_id == customer_id, status, limit, offset)

    async def list_by_manufacturer(
        self, manufacturer_id: str, status: str | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[OrderRecord]:
        """The orders addressed to the manufacturer, newest first (``limit``/``offset``: one page)."""
        return await self._list(OrderRow.manufacturer_id == manufacturer_id, status, limit, offset)

    async def change_status(
        self, order_id: str, to: str, *, actor: str, note: str = "", event: HistoryEvent | None = None
    ) -> OrderRecord:
        """Move the order to status ``to`` and append the change to its history, in the caller's transaction.
        ``event``: what happened (its sentence is the note, unless ``note`` is given).

        :class:`InvalidTransitionError` if the rule does not allow it (nothing is written),
        :class:`StaleStateError` if the status changed concurrently since it was read.
        """
        current = await self.require(order_id)
        if not self.rule.can(current.status, to):
            raise InvalidTransitionError(current.id, current.status, str(to))
        now = utcnow()
        stmt = (
            update(OrderRow)
            .where(OrderRow.id == current.id, OrderRow.status == current.status)
            .values(status=str(to), updated_at=now)
            .returning(OrderRow)
            .execution_options(populate_existing=True)
        )
        row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            latest = await self.require(current.id)
            raise StaleStateError(f"order {current.id} status", current.status, latest.status)
        record = OrderRecord.model_validate(row)
        await self._append_history(current.id, current.status, str(to), actor, note, now, event)
        return record

    async def add_remark(self, order_id: str, *, actor: str, event: HistoryEvent) -> OrderRecord:
        """A line in the order's history that changes nothing (from and to: its status)."""
        current = await self.require(order_id)
        await self._append_history(current.id, current.status, current.status, actor, "", utcnow(), event)
        return current

    async def history(self, order_id: str) -> list[StatusChange]:
        stmt = (
            select(OrderStatusHistoryRow)
            .where(OrderStatusHistoryRow.order_id == str(order_id))
            .order_by(OrderStatusHistoryRow.at, OrderStatusHistoryRow.id)
        )
        return [StatusChange.model_validate(row) for row in await self.session.scalars(stmt)]

    async def set_quotation(self, order_id: str, quotation: Any) -> OrderRecord:
        return await self._set(order_id, quotation=jsonable(quotation))

    async def set_supply_network(self, order_id: str, supply_network: Any) -> OrderRecord:
        return await self._set(order_id, supply_network=jsonable(supply_network))

    async def add_contract_id(self, order_id: str, contract_id: str) -> OrderRecord:
        """Append a ledger contract id to the order (no duplicates).

        Compare-and-set on ``updated_at`` (retried), so concurrent appends are not lost on SQLite,
        which ignores ``FOR UPDATE``.
        """
        for _ in range(_APPEND_ATTEMPTS):
            stmt = select(OrderRow.contract_ids, OrderRow.updated_at).where(OrderRow.id == str(order_id))
            found = (await self.session.execute(stmt.with_for_update())).one_or_none()
            if found is None:
                raise NotFoundError(f"no order {order_id!r}")
            ids, seen = found
            if contract_id in ids:
                return await self.require(order_id)
            update_stmt = (
                update(OrderRow)
                .where(OrderRow.id == str(order_id), OrderRow.updated_at == seen)
                .values(contract_ids=[*ids, contract_id], updated_at=max(utcnow(), seen + _TICK))
                .returning(OrderRow)
                .execution_options(populate_existing=True)
            )
            row = (await self.session.scalars(update_stmt)).one_or_none()
            if row is not None:
                return OrderRecord.model_validate(row)
        raise StaleStateError(f"order {order_id} contract ids", "unchanged order", "concurrent changes")

    async def _append_history(
        self,
        order_id: str,
        from_status: str,
        to_status: str,
        actor: str,
        note: str,
        at: datetime,
        event: HistoryEvent | None = None,
    ) -> None:
        self.session.add(
            OrderStatusHistoryRow(
                order_id=order_id,
                from_status=str(from_status),
                to_status=str(to_status),
                actor=actor,
                note=(note or (event.sentence() if event is not None else ""))[:2000],
                at=at,
                event=None if event is None else str(event.event),
                params=None if event is None else dict(event.params),
            )
        )
        await self.session.flush()

    async def _set(self, order_id: str, **values: Any) -> OrderRecord:
        values.setdefault("updated_at", utcnow())
        stmt = (
            update(OrderRow)
            .where(OrderRow.id == str(order_id))
            .values(**values)
            .returning(OrderRow)
            .execution_options(populate_existing=True)
        )
        row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            raise NotFoundError(f"no order {order_id!r}")
        return OrderRecord.model_validate(row)

    async def _list(
        self, condition: Any, status: str | None, limit: int | None = None, offset: int = 0
    ) -> list[OrderRecord]:
        stmt = select(OrderRow).where(condition).order_by(OrderRow.created_at.desc(), OrderRow.id)
        if status is not None:
            stmt = stmt.where(OrderRow.status == str(status))
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        return [OrderRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def _require_parties(self, new: NewOrder) -> None:
        for entity, key, what in (
            (UserRow, new.customer_id, "customer"),
            (UserRow, new.manufacturer_id, "manufacturer"),
            (ProductRow, new.product_id, "product"),
        ):
            if await self.session.get(entity, key) is None:
                raise NotFoundError(f"no {what} {key!r}")
