"""Records of orders and of their status history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from store.coltypes import new_id
from store.records.base import JsonList, JsonObject, NewRecord, Record
from store.records.billing import InvoiceRecord, PaymentRecord


class NewOrder(NewRecord):
    """A new order. ``status`` defaults to the transition table's initial status."""

    id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    customer_id: str
    manufacturer_id: str
    product_id: str
    customisation: JsonObject = Field(default_factory=dict)
    quantity: int = Field(default=1, gt=0)
    delivery_date: date
    status: str | None = None
    created_at: datetime | None = None
    quotation: JsonObject | None = None
    supply_network: JsonObject | None = None
    contract_ids: JsonList = Field(default_factory=list)


class OrderRecord(Record):
    id: str
    number: int
    customer_id: str
    manufacturer_id: str
    product_id: str
    customisation: dict[str, Any]
    quantity: int
    delivery_date: date
    status: str
    created_at: datetime
    updated_at: datetime
    quotation: dict[str, Any] | None
    supply_network: dict[str, Any] | None
    contract_ids: list[str]


class StatusChange(Record):
    """One row of an order's status history (the creation of an order is not a change)."""

    id: int
    order_id: str
    from_status: str
    to_status: str
    at: datetime
    actor: str
    note: str
    event: str | None = None
    params: dict[str, str | int] | None = None


class InvoiceWithPayment(Record):
    invoice: InvoiceRecord
    payment: PaymentRecord | None


class OrderDetail(Record):
    """An order with its status history (oldest first) and its invoices (oldest first), each with
    its payment if it has one: everything a party may read about an order, read in one statement."""

    order: OrderRecord
    history: list[StatusChange]
    invoices: list[InvoiceWithPayment]
