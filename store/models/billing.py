"""Invoices raised for orders and the payments that settle them (at most one payment per invoice); each
row mirrors the ledger's contract (``Invoice``; ``PaymentClaim`` and ``PaymentReceipt``) when there is one."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import IdString, Money, UTCDateTime, new_id, utcnow
from store.enums import InvoiceStatus, check_in
from store.models.base import Base


class InvoiceRow(Base):
    __tablename__ = "invoices"
    __table_args__ = (
        CheckConstraint(check_in("status", InvoiceStatus), name="status"),
        CheckConstraint("total >= 0", name="total"),
    )

    id: Mapped[str] = mapped_column(IdString, primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(IdString, ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    lines: Mapped[Any] = mapped_column(JSON)
    total: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), index=True)
    ledger_contract_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PaymentRow(Base):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)

    id: Mapped[str] = mapped_column(IdString, primary_key=True, default=new_id)
    invoice_id: Mapped[str] = mapped_column(
        IdString, ForeignKey("invoices.id", ondelete="RESTRICT"), unique=True
    )
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str | None] = mapped_column(String(512), nullable=True)
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ledger_claim_contract_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    """The payer's ``PaymentClaim`` on the ledger that this payment mirrors."""
    ledger_contract_id: Mapped[str | None] = mapped_column(String(512), nullable=True)
    """The payee's ``PaymentReceipt`` on the ledger (the payment confirmed)."""
