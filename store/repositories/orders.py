"""Orders and their status history; a status change and its history row are written together."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ontology.order import Order
from store.coltypes import utcnow
from store.errors import ConflictError, InvalidTransitionError, NotFoundError, StaleStateError
from store.models import OrderRow, OrderStatusHistoryRow, ProductRow, UserRow
from store.records import NewOrder, OrderRecord, StatusChange, jsonable
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
_TICK = timedelta(microseconds=1)


class OrderRepository(Repository):
    """Orders. ``rule`` decides which status changes are allowed (default: the ontology's table)."""

    def __init__(self, session: AsyncSession, rule: TransitionRule | None = None) -> None:
        super().__init__(session)
        self.rule = rule or ORDER_RULE

    async def add(self, new: NewOrder) -> OrderRecord:
        """Store a new order (status: ``new.status`` or the rule's initial one).

        :class:`NotFoundError` if the customer, manufacturer or product is unknown,
        :class:`ConflictError` if the id is taken, ``ValueError`` for a status the rule does not know.
        """
        status = new.status or self.rule.initial
        if not self.rule.is_state(status):
            raise ValueError(f"unknown order status {status!r}")
        await self._require_parties(new)
        created = new.created_at or utcnow()
        values = {**new.model_dump(), "status": status, "created_at": created, "updated_at": created}
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
        history = [change.model_dump(exclude={"id", "order_id"}) for change in await self.history(record.id)]
        return Order.model_validate(
            {
                **record.model_dump(include=_ORDER_FIELDS),
                "history": history,
            }
        )

    async def list_by_customer(self, customer_id: str, status: str | None = None) -> list[OrderRecord]:
        return await self._list(OrderRow.customer_id == customer_id, status)

    async def list_by_manufacturer(
        self, manufacturer_id: str, status: str | None = None
    ) -> list[OrderRecord]:
        return await self._list(OrderRow.manufacturer_id == manufacturer_id, status)

    async def change_status(self, order_id: str, to: str, *, actor: str, note: str = "") -> OrderRecord:
        """Move the order to status ``to`` and append the change to its history, in the caller's transaction.

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
        await self._append_history(current.id, current.status, str(to), actor, note, now)
        return record

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
        self, order_id: str, from_status: str, to_status: str, actor: str, note: str, at: datetime
    ) -> None:
        self.session.add(
            OrderStatusHistoryRow(
                order_id=order_id,
                from_status=str(from_status),
                to_status=str(to_status),
                actor=actor,
                note=note,
                at=at,
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

    async def _list(self, condition: Any, status: str | None) -> list[OrderRecord]:
        stmt = select(OrderRow).where(condition).order_by(OrderRow.created_at.desc(), OrderRow.id)
        if status is not None:
            stmt = stmt.where(OrderRow.status == str(status))
        return [OrderRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def _require_parties(self, new: NewOrder) -> None:
        for entity, key, what in (
            (UserRow, new.customer_id, "customer"),
            (UserRow, new.manufacturer_id, "manufacturer"),
            (ProductRow, new.product_id, "product"),
        ):
            if await self.session.get(entity, key) is None:
                raise NotFoundError(f"no {what} {key!r}")
