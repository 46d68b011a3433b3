"""Payments: recording one settles its invoice, in the same transaction, or nothing is written; an announced
one (a bank transfer on its way) settles it once the payee confirms it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update

from store.coltypes import utcnow
from store.enums import InvoiceStatus
from store.errors import PaymentError, StaleStateError
from store.models import InvoiceRow, PaymentRow
from store.records import InvoiceRecord, NewPayment, PaymentRecord
from store.repositories.base import Repository
from store.repositories.invoices import InvoiceRepository


class PaymentRepository(Repository):
    async def record(self, new: NewPayment) -> PaymentRecord:
        """Store a payment of the full amount of an issued invoice and mark the invoice paid.

        :class:`~store.errors.NotFoundError` for an unknown invoice; :class:`PaymentError` (nothing
        written) if the invoice is not issued (already paid, cancelled) or amount/currency differ.
        """
        invoice, row = await self._insert(new)
        try:
            await InvoiceRepository(self.session).mark_paid(invoice.id)
        except StaleStateError as exc:
            await self.session.execute(delete(PaymentRow).where(PaymentRow.id == new.id))
            raise PaymentError(f"invoice {invoice.id} was settled concurrently") from exc
        return PaymentRecord.model_validate(row)

    async def announce(self, new: NewPayment) -> PaymentRecord:
        """Store a payment the payer announced (a bank transfer on its way) of the full amount of an issued
        invoice; the invoice stays issued until the payee confirms it (:meth:`confirm`). An issued invoice
        with a payment is one whose payment waits for that confirmation. Errors as :meth:`record`."""
        _, row = await self._insert(new)
        return PaymentRecord.model_validate(row)

    async def confirm(
        self, invoice_id: str, *, paid_at: datetime | None = None, ledger_contract_id: str | None = None
    ) -> PaymentRecord:
        """The payee received the announced payment of the invoice: the invoice is marked paid, the payment
        row gets the time it was received and the payee's receipt (its ledger contract id), in one
        transaction. :class:`PaymentError` when no payment is announced or the invoice is not issued."""
        invoice = await self._lock_invoice(invoice_id)
        announced = await self.for_invoice(invoice_id)
        if announced is None:
            raise PaymentError(f"no payment of invoice {invoice_id} is announced")
        if invoice.status != InvoiceStatus.ISSUED:
            raise PaymentError(f"invoice {invoice_id} is {invoice.status}, not issued")
        values: dict[str, object] = {"paid_at": paid_at or utcnow()}
        if ledger_contract_id is not None:
            values["ledger_contract_id"] = ledger_contract_id
        stmt = update(PaymentRow).where(PaymentRow.id == announced.id).values(**values).returning(PaymentRow)
        row = (await self.session.scalars(stmt.execution_options(populate_existing=True))).one()
        try:
            await InvoiceRepository(self.session).mark_paid(invoice_id)
        except StaleStateError as exc:
            raise PaymentError(f"invoice {invoice_id} was settled concurrently") from exc
        return PaymentRecord.model_validate(row)

    async def _insert(self, new: NewPayment) -> tuple[InvoiceRecord, PaymentRow]:
        """The payment's row, once the invoice (locked) is checked to be issued and due exactly this."""
        invoice = await self._lock_invoice(new.invoice_id)
        if invoice.status != InvoiceStatus.ISSUED:
            raise PaymentError(f"invoice {invoice.id} is {invoice.status}, not issued")
        if new.currency != invoice.currency or new.amount != invoice.total:
            raise PaymentError(
                f"invoice {invoice.id} is due {invoice.total} {invoice.currency}, "
                f"not {new.amount} {new.currency}"
            )
        values = {**new.model_dump(), "paid_at": new.paid_at or utcnow()}
        row = (await self.session.scalars(self.insert_ignoring_conflicts(PaymentRow, values))).one_or_none()
        if row is None:
            raise PaymentError(f"payment {new.id!r} or a payment of invoice {invoice.id} exists already")
        return invoice, row

    async def get(self, payment_id: str) -> PaymentRecord | None:
        row = await self.session.get(PaymentRow, payment_id, populate_existing=True)
        return None if row is None else PaymentRecord.model_validate(row)

    async def for_invoice(self, invoice_id: str) -> PaymentRecord | None:
        stmt = select(PaymentRow).where(PaymentRow.invoice_id == invoice_id)
        row = (await self.session.scalars(stmt.execution_options(populate_existing=True))).one_or_none()
        return None if row is None else PaymentRecord.model_validate(row)

    async def _lock_invoice(self, invoice_id: str) -> InvoiceRecord:
        """Read the invoice, locking its row until the end of the transaction (PostgreSQL)."""
        stmt = (
            select(InvoiceRow)
            .where(InvoiceRow.id == invoice_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            return await InvoiceRepository(self.session).require(invoice_id)
        return InvoiceRecord.model_validate(row)
