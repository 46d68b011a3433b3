"""Records of invoices and payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from store.coltypes import new_id
from store.enums import InvoiceStatus
from store.records.base import JsonList, NewRecord, Record


class NewInvoice(NewRecord):
    id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    order_id: str
    lines: JsonList
    total: Decimal = Field(ge=0, max_digits=18, decimal_places=4)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    due_date: date
    ledger_contract_id: str | None = Field(default=None, max_length=512)


class InvoiceRecord(Record):
    id: str
    order_id: str
    lines: list[Any]
    total: Decimal
    currency: str
    due_date: date
    status: InvoiceStatus
    ledger_contract_id: str | None
    created_at: datetime
    updated_at: datetime


class NewPayment(NewRecord):
    id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    invoice_id: str
    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    method: str = Field(min_length=1, max_length=32)
    reference: str | None = Field(default=None, max_length=512)
    paid_at: datetime | None = None
    ledger_claim_contract_id: str | None = Field(default=None, max_length=512)
    ledger_contract_id: str | None = Field(default=None, max_length=512)


class PaymentRecord(Record):
    id: str
    invoice_id: str
    amount: Decimal
    currency: str
    method: str
    reference: str | None
    paid_at: datetime
    ledger_claim_contract_id: str | None = None
    ledger_contract_id: str | None = None
