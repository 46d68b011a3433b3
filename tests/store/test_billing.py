"""Invoices and payments: a payment settles its invoice in one transaction, or nothing is written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ontology.order import OrderStatus
from store import Database, NotFoundError, PaymentError, StaleStateError
from store.enums import InvoiceStatus
from store.records import InvoiceRecord, NewInvoice, NewPayment, OrderRecord
from store.repositories.invoices import InvoiceRepository
from store.repositories.orders import read_order_detail


@pytest.fixture
async def invoice(db: Database, order: OrderRecord) -> InvoiceRecord:
    async with db.transaction() as repos:
        return await repos.invoices.add(
            NewInvoice(
                order_id=order.id,
                lines=[
                    {"item": "Bicycle", "amount": Decimal("899.90")},
                    {"item": "Delivery", "amount": "20.00"},
                ],
                total=Decimal("919.90"),
                currency="EUR",
                due_date=date(2030, 2, 1),
            )
        )


def _payment(invoice: InvoiceRecord, amount: str = "919.90", **changes: object) -> NewPayment:
    data: dict[str, object] = {"invoice_id": invoice.id, "amount": Decimal(amount), "currency": "EUR"}
    return NewPayment.model_validate({"method": "ledger", **data, **changes})


async def test_invoice_is_issued_with_exact_total(
    db: Database, invoice: InvoiceRecord, order: OrderRecord
) -> None:
    async with db.transaction() as repos:
        assert await repos.invoices.by_order(order.id) == [invoice]
        with pytest.raises(NotFoundError):
            await repos.invoices.add(
                NewInvoice(
                    order_id="missing", lines=[], total=Decimal(1), currency="EUR", due_date=date(2030, 1, 1)
                )
            )
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.total == Decimal("919.90")
    assert invoice.lines[0] == {"item": "Bicycle", "amount": "899.90"}


async def test_payment_marks_the_invoice_paid(db: Database, invoice: InvoiceRecord) -> None:
    async with db.transaction() as repos:
        payment = await repos.payments.record(_payment(invoice, reference="tx-1"))
    async with db.transaction() as repos:
        assert (await repos.invoices.require(invoice.id)).status == InvoiceStatus.PAID
        assert await repos.payments.for_invoice(invoice.id) == payment
        assert await repos.payments.get(payment.id) == payment
    assert payment.amount == Decimal("919.90") and payment.paid_at.tzinfo is not None


async def test_paying_twice_is_refused(db: Database, invoice: InvoiceRecord) -> None:
    async with db.transaction() as repos:
        first = await repos.payments.record(_payment(invoice))
    async with db.transaction() as repos:
        with pytest.raises(PaymentError, match="paid"):
            await repos.payments.record(_payment(invoice))
        assert await repos.payments.for_invoice(invoice.id) == first


@pytest.mark.parametrize(
    ("amount", "currency"), [("919.89", "EUR"), ("919.91", "EUR"), ("1000", "EUR"), ("919.90", "USD")]
)
async def test_wrong_amount_or_currency_is_refused_and_writes_nothing(
    db: Database, invoice: InvoiceRecord, amount: str, currency: str
) -> None:
    async with db.transaction() as repos:
        with pytest.raises(PaymentError, match="due"):
            await repos.payments.record(_payment(invoice, amount, currency=currency))
    async with db.transaction() as repos:
        assert (await repos.invoices.require(invoice.id)).status == InvoiceStatus.ISSUED
        assert await repos.payments.for_invoice(invoice.id) is None


async def test_cancelled_invoice_cannot_be_paid(db: Database, invoice: InvoiceRecord) -> None:
    async with db.transaction() as repos:
        cancelled = await repos.invoices.cancel(invoice.id)
        with pytest.raises(StaleStateError):
            await repos.invoices.cancel(invoice.id)
        with pytest.raises(PaymentError, match="cancelled"):
            await repos.payments.record(_payment(invoice))
        with pytest.raises(NotFoundError):
            await repos.payments.record(
                NewPayment(invoice_id="nope", amount=Decimal(1), currency="EUR", method="x")
            )
    assert cancelled.status == InvoiceStatus.CANCELLED


async def test_failure_while_settling_leaves_no_payment(
    db: Database, invoice: InvoiceRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: InvoiceRepository, invoice_id: str) -> InvoiceRecord:
        raise RuntimeError("connection lost")

    monkeypatch.setattr(InvoiceRepository, "mark_paid", broken)
    with pytest.raises(RuntimeError):
        async with db.transaction() as repos:
            await repos.payments.record(_payment(invoice))
    monkeypatch.undo()
    async with db.transaction() as repos:
        assert await repos.payments.for_invoice(invoice.id) is None
        assert (await repos.invoices.require(invoice.id)).status == InvoiceStatus.ISSUED


async def test_concurrent_payments_settle_once(db: Database, invoice: InvoiceRecord) -> None:
    import asyncio

    async def pay(reference: str) -> str:
        try:
            async with db.transaction() as repos:
                await repos.payments.record(_payment(invoice, reference=reference))
        except PaymentError:
            return "refused"
        return "paid"

    assert sorted(await asyncio.gather(pay("a"), pay("b"))) == ["paid", "refused"]


async def test_order_detail_reads_order_history_invoices_and_payments_in_one_statement(
    db: Database, invoice: InvoiceRecord, order: OrderRecord
) -> None:
    async with db.transaction() as repos:
        await repos.orders.change_status(order.id, OrderStatus.ACCEPTED, actor="maker", note="ok")
        await repos.orders.set_quotation(order.id, {"price": Decimal("919.90"), "currency": "EUR"})
        payment = await repos.payments.record(_payment(invoice, reference="tx-1"))
        unpaid = await repos.invoices.add(
            NewInvoice(
                order_id=order.id,
                lines=[{"item": "Extra", "amount": "5.00"}],
                total=Decimal("5.00"),
                currency="EUR",
                due_date=date(2030, 3, 1),
            )
        )
    async with db.transaction() as repos:
        detail = await repos.orders.detail(order.id)
        assert detail is not None
        assert detail.order == await repos.orders.require(order.id)
        assert detail.history == await repos.orders.history(order.id)
        invoices = await repos.invoices.by_order(order.id)
        assert [item.invoice for item in detail.invoices] == invoices
        assert [item.payment for item in detail.invoices] == [payment, None]
        assert [item.invoice.id for item in detail.invoices] == [invoice.id, unpaid.id]
        assert await repos.orders.detail("missing") is None
    async with db.reader() as connection:  # the same read on a bare connection
        assert await read_order_detail(connection, order.id) == detail


async def test_billing_rows_mirror_the_ledger_contracts(db: Database, order: OrderRecord) -> None:
    """An invoice row carries its ledger ``Invoice`` contract id, a payment row the payer's ``PaymentClaim``
    and the payee's ``PaymentReceipt`` (migration 0005); rows without a ledger contract keep None."""
    async with db.transaction() as repos:
        invoice = await repos.invoices.add(
            NewInvoice(
                order_id=order.id,
                lines=[{"item": "Bicycle", "amount": "420.00"}],
                total=Decimal("420.00"),
                currency="EUR",
                due_date=date(2030, 2, 1),
                ledger_contract_id="00invoice#1",
            )
        )
        payment = await repos.payments.record(
            _payment(
                invoice,
                "420.00",
                reference="SEPA-42",
                ledger_claim_contract_id="00claim#2",
                ledger_contract_id="00receipt#3",
            )
        )
    async with db.transaction() as repos:
        stored = await repos.payments.for_invoice(invoice.id)
        (row,) = [i for i in await repos.invoices.by_order(order.id) if i.id == invoice.id]
        detail = await read_order_detail(repos.invoices.session, order.id)
    assert row.ledger_contract_id == "00invoice#1" and row.status == InvoiceStatus.PAID
    assert stored == payment
    assert (payment.ledger_claim_contract_id, payment.ledger_contract_id) == ("00claim#2", "00receipt#3")
    assert detail is not None
    async with db.transaction() as repos:
        plain = await repos.invoices.add(
            NewInvoice(
                order_id=order.id, lines=[], total=Decimal(1), currency="EUR", due_date=date(2030, 2, 1)
            )
        )
        unmirrored = await repos.payments.record(_payment(plain, "1"))
    assert plain.ledger_contract_id is None
    assert (unmirrored.ledger_claim_contract_id, unmirrored.ledger_contract_id) == (None, None)


async def test_an_announced_payment_settles_its_invoice_once_confirmed(
    db: Database, invoice: InvoiceRecord
) -> None:
    async with db.transaction() as repos:
        with pytest.raises(PaymentError, match="announced"):
            await repos.payments.confirm(invoice.id)
        with pytest.raises(PaymentError, match="due"):
            await repos.payments.announce(_payment(invoice, "919.89"))
        transfer = _payment(invoice, method="bank-transfer", reference="RF18X")
        announced = await repos.payments.announce(transfer)
    async with db.transaction() as repos:
        assert (await repos.invoices.require(invoice.id)).status == InvoiceStatus.ISSUED
        assert await repos.payments.for_invoice(invoice.id) == announced
        with pytest.raises(PaymentError, match="exists"):
            await repos.payments.announce(_payment(invoice))
        confirmed = await repos.payments.confirm(invoice.id, ledger_contract_id="receipt-1")
    async with db.transaction() as repos:
        assert (await repos.invoices.require(invoice.id)).status == InvoiceStatus.PAID
        with pytest.raises(PaymentError, match="not issued"):
            await repos.payments.confirm(invoice.id)
    assert (confirmed.id, confirmed.reference, confirmed.ledger_contract_id) == (
        announced.id,
        "RF18X",
        "receipt-1",
    )
    assert confirmed.paid_at >= announced.paid_at
