"""Customer orders and the append-only history of their status changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import IdString, NullableJSON, UTCDateTime, new_id, utcnow
from store.models.base import Base


class OrderRow(Base):
    __tablename__ = "orders"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)

    id: Mapped[str] = mapped_column(IdString, primary_key=True, default=new_id)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    """The order's number for people ("Order 1042"): one more than the store's highest, from 1001."""
    customer_id: Mapped[str] = mapped_column(
        IdString, ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    manufacturer_id: Mapped[str] = mapped_column(
        IdString, ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    product_id: Mapped[str] = mapped_column(
        IdString, ForeignKey("products.id", ondelete="RESTRICT"), index=True
    )
    customisation: Mapped[Any] = mapped_column(JSON)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    delivery_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    quotation: Mapped[Any | None] = mapped_column(NullableJSON, nullable=True)
    supply_network: Mapped[Any | None] = mapped_column(NullableJSON, nullable=True)
    contract_ids: Mapped[Any] = mapped_column(JSON)


class OrderStatusHistoryRow(Base):
    __tablename__ = "order_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(IdString, ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(512))
    note: Mapped[str] = mapped_column(Text, default="")
    event: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The code of the change's :class:`~ontology.events.HistoryEvent` (None: a free note only)."""
    params: Mapped[Any | None] = mapped_column(NullableJSON, nullable=True)
