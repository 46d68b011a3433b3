"""Invoices, their status machine, and payments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import ValidationError

from ontology import (
    INVOICE_TRANSITIONS,
    InvalidTransition,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)

ISSUED = datetime(2030, 6, 1, 8, tzinfo=UTC)


def invoice(**changes: object) -> Invoice:
    fields: dict[str, object] = {
        "order_id": uuid4(),
        "issuer": "m1",
        "payer": "c1",
        "lines": (
            InvoiceLine(description="City bike", quantity=2, unit_price=Decimal("199.99")),
            InvoiceLine(description="Shipping", unit_price=Decimal("15.00")),
        ),
        "total": Decimal("414.98"),
        "issued_at": ISSUED,
        "due_date": date(2030, 6, 30),
    }
    fields.update(changes)
    return Invoice.model_validate(fields)


def payment(inv: Invoice, **changes: object) -> Payment:
    fields: dict[str, object] = {
        "invoice_id": inv.id,
        "amount": inv.total,
        "currency": inv.currency,
        "method": PaymentMethod.LEDGER,
        "paid_at": ISSUED + timedelta(days=3),
    }
    fields.update(changes)
    return Payment.model_validate(fields)


def test_total_must_match_lines() -> None:
    assert invoice().lines[0].amount == Decimal("399.98")
    with pytest.raises(
        ValidationError, match=r"invoice total 414\.99 differs from the sum of its lines 414\.98"
    ):
        invoice(total=Decimal("414.99"))
    with pytest.raises(ValidationError, match="at least 1 item"):
        invoice(lines=(), total=Decimal(0))


def test_due_date_not_before_issue() -> None:
    invoice(due_date=date(2030, 6, 1))
    with pytest.raises(ValidationError, match="due on 2030-05-31, before it was issued \\(2030-06-01\\)"):
        invoice(due_date=date(2030, 5, 31))


def test_table() -> None:
    assert INVOICE_TRANSITIONS.allowed(InvoiceStatus.ISSUED) == (InvoiceStatus.PAID, InvoiceStatus.CANCELLED)
    assert INVOICE_TRANSITIONS.terminal_states == {InvoiceStatus.PAID, InvoiceStatus.CANCELLED}


def test_transitions_and_history() -> None:
    inv = invoice()
    cancelled = inv.transition(InvoiceStatus.CANCELLED, "m1", "wrong address", at=ISSUED)
    assert (inv.status, cancelled.status) == (InvoiceStatus.ISSUED, InvoiceStatus.CANCELLED)
    assert cancelled.history[-1].note == "wrong address"
    with pytest.raises(InvalidTransition, match="invoice cannot go from 'cancelled' to 'paid'"):
        cancelled.transition(InvoiceStatus.PAID, "c1")
    with pytest.raises(ValidationError, match="history ends at 'issued'"):
        invoice(status=InvoiceStatus.PAID)


def test_pay() -> None:
    inv = invoice()
    pay = payment(inv, amount=Decimal("414.980"))
    paid = inv.pay(pay, "c1")
    assert paid.status is InvoiceStatus.PAID
    assert paid.history[-1].at == pay.paid_at
    assert str(pay.id) in paid.history[-1].note
    with pytest.raises(ValueError, match="only an issued invoice can be paid"):
        paid.pay(pay, "c1")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": Decimal("414.97")}, "payment of 414.97 EUR does not match invoice total 414.98 EUR"),
        ({"currency": "USD"}, "payment of 414.98 USD does not match invoice total 414.98 EUR"),
        ({"invoice_id": uuid4()}, "is for invoice"),
    ],
)
def test_payment_must_match_invoice(changes: dict[str, object], message: str) -> None:
    inv = invoice()
    with pytest.raises(ValueError, match=message):
        payment(inv, **changes).check_against(inv)
    with pytest.raises(ValueError, match=message):
        inv.pay(payment(inv, **changes), "c1")


def test_payment_time_is_aware() -> None:
    with pytest.raises(ValidationError, match="naive"):
        payment(invoice(), paid_at=datetime(2030, 6, 2))
