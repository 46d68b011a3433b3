"""Invoices the manufacturer raises when production is complete, and the customer's payments."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Self
from uuid import UUID, uuid4

from pydantic import ConfigDict, Field, model_validator

from ontology.codec import Content, register
from ontology.quotation import Quotation, QuotationLine
from ontology.status import StatusChange, TransitionTable
from ontology.values import Currency, Identifier, Money, Name, Text, UtcDateTime, Value, utc_now


class InvoiceStatus(StrEnum):
    ISSUED = "issued"
    PAID = "paid"
    CANCELLED = "cancelled"


INVOICE_TRANSITIONS: TransitionTable[InvoiceStatus] = TransitionTable(
    "invoice",
    InvoiceStatus.ISSUED,
    {
        InvoiceStatus.ISSUED: (InvoiceStatus.PAID, InvoiceStatus.CANCELLED),
        InvoiceStatus.PAID: (),
        InvoiceStatus.CANCELLED: (),
    },
)


class InvoiceStatusChange(StatusChange[InvoiceStatus]):
    """One step of an invoice's status history."""


class InvoiceLine(Value):
    description: Name
    quantity: int = Field(default=1, ge=1)
    unit_price: Money

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity

    @classmethod
    def of(cls, line: QuotationLine) -> InvoiceLine:
        """The quotation's line as billed: its words, quantity and unit price (a line priced as a whole:
        one of it at its price)."""
        words = (line.description or line.part_id)[:200]
        if line.quantity is None or line.unit_price is None:
            return cls(description=words, unit_price=line.price)
        return cls(description=words, quantity=line.quantity, unit_price=line.unit_price)


def invoice_lines(quotation: Quotation) -> tuple[InvoiceLine, ...]:
    """The lines of the invoice for ``quotation``: its lines, each with quantity and unit price; their
    amounts sum to the quotation's total."""
    return tuple(InvoiceLine.of(line) for line in quotation.lines)


@register
class Invoice(Content):
    """An invoice; ``total`` is the sum of the line amounts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    order_id: UUID
    issuer: Identifier
    payer: Identifier
    lines: tuple[InvoiceLine, ...] = Field(min_length=1)
    total: Money
    currency: Currency = "EUR"
    issued_at: UtcDateTime = Field(default_factory=utc_now)
    due_date: date
    status: InvoiceStatus = InvoiceStatus.ISSUED
    history: tuple[InvoiceStatusChange, ...] = ()
    contract_id: str | None = None
    """The ledger's ``Invoice`` contract this invoice mirrors (raised by a choice on the agreement)."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        lines_total = sum((line.amount for line in self.lines), Decimal(0))
        if lines_total != self.total:
            raise ValueError(f"invoice total {self.total} differs from the sum of its lines {lines_total}")
        if self.due_date < self.issued_at.date():
            raise ValueError(
                f"invoice is due on {self.due_date.isoformat()}, "
                f"before it was issued ({self.issued_at.date().isoformat()})"
            )
        INVOICE_TRANSITIONS.check_history(self.status, self.history)
        return self

    def transition(
        self, to: InvoiceStatus, actor: str, note: str = "", at: datetime | None = None
    ) -> Invoice:
        """A copy in status ``to``; raises :class:`~ontology.status.InvalidTransition` if not allowed."""
        INVOICE_TRANSITIONS.check(self.status, to)
        change = InvoiceStatusChange(
            from_status=self.status, to_status=to, at=utc_now() if at is None else at, actor=actor, note=note
        )
        return self.model_copy(update={"status": to, "history": (*self.history, change)})

    def pay(self, payment: Payment, actor: str) -> Invoice:
        """The invoice marked paid by ``payment`` (checked against it first)."""
        payment.check_against(self)
        return self.transition(InvoiceStatus.PAID, actor, note=f"payment {payment.id}", at=payment.paid_at)


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank-transfer"
    CARD = "card"
    DIRECT_DEBIT = "direct-debit"
    LEDGER = "ledger"


@register
class Payment(Content):
    """The customer's payment of an invoice."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    invoice_id: UUID
    amount: Money
    currency: Currency = "EUR"
    method: PaymentMethod = PaymentMethod.BANK_TRANSFER
    paid_at: UtcDateTime = Field(default_factory=utc_now)
    reference: Text = ""
    claim_contract_id: str | None = None
    """The payer's ``PaymentClaim`` on the ledger, which the payee confirms."""

    def check_against(self, invoice: Invoice) -> None:
        """Raise ``ValueError`` unless this pays ``invoice`` exactly and the invoice is still open."""
        if self.invoice_id != invoice.id:
            raise ValueError(f"payment {self.id} is for invoice {self.invoice_id}, not {invoice.id}")
        if invoice.status != InvoiceStatus.ISSUED:
            raise ValueError(
                f"invoice {invoice.id} is {str(invoice.status)!r}; only an issued invoice can be paid"
            )
        if (self.amount, self.currency) != (invoice.total, invoice.currency):
            raise ValueError(
                f"payment of {self.amount} {self.currency} does not match invoice total "
                f"{invoice.total} {invoice.currency}"
            )
