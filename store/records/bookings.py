"""Records of supplier bookings: the machine hours a supplier proxy booked for an accepted offer, kept so
that a restart of the proxy host does not forget them (``agents/supplier_proxy/bookings.py`` keeps the
books)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import AwareDatetime, Field

from store.records.base import NewRecord, Record


class SupplierBookingState(StrEnum):
    """Held until a contract confirms it (or its hold ends); confirmed until its parts are shipped."""

    HELD = "held"
    CONFIRMED = "confirmed"


class NewSupplierBooking(NewRecord):
    """A booking as the proxy host writes it (inserted, or replacing the stored one of the same offer)."""

    supplier_id: str = Field(min_length=1, max_length=64)
    offer_id: str = Field(min_length=1, max_length=64)
    requester: str = Field(max_length=512, description="Bare JID of the agent that accepted the offer.")
    order_id: str = Field(min_length=1, max_length=64)
    part_id: str = Field(min_length=1, max_length=64)
    hours: float = Field(ge=0, allow_inf_nan=False)
    delivery_date: date
    state: SupplierBookingState
    held_until: AwareDatetime
    price: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=4)
    currency: str = Field(default="", max_length=3)
    quantity: int = Field(default=1, ge=1)


class SupplierBookingRecord(Record):
    supplier_id: str
    offer_id: str
    requester: str
    order_id: str
    part_id: str
    hours: float
    delivery_date: date
    state: SupplierBookingState
    held_until: datetime
    price: Decimal | None
    currency: str
    quantity: int
    created_at: datetime
    updated_at: datetime
