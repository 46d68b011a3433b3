"""The machine hours each supplier proxy booked (``supplier_bookings``): one row per (supplier, offer), held
or confirmed, written through by the proxy host and read back when it starts, so capacity booked before a
restart still counts after it. Ended bookings (released, shipped, past their hold or delivery date) are
deleted."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import IdString, Money, UTCDateTime, utcnow
from store.enums import check_in
from store.models.base import Base
from store.records.bookings import SupplierBookingState


class SupplierBookingRow(Base):
    __tablename__ = "supplier_bookings"
    __table_args__ = (
        CheckConstraint(check_in("state", SupplierBookingState), name="state"),
        CheckConstraint("hours >= 0", name="hours"),
        CheckConstraint("quantity >= 1", name="quantity"),
        UniqueConstraint("supplier_id", "offer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    supplier_id: Mapped[str] = mapped_column(String(64))
    offer_id: Mapped[str] = mapped_column(String(64))
    requester: Mapped[str] = mapped_column(String(512))
    order_id: Mapped[str] = mapped_column(IdString, index=True)
    """No foreign key: a booking may name an order the store does not hold (the host's check releases it)."""
    part_id: Mapped[str] = mapped_column(String(64))
    hours: Mapped[float] = mapped_column(Float)
    delivery_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    held_until: Mapped[datetime] = mapped_column(UTCDateTime)
    price: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    currency: Mapped[str] = mapped_column(String(3), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
