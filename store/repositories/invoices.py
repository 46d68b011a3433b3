"""Invoices raised for orders."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from store.coltypes import utcnow
from store.enums import InvoiceStatus
from store.errors import ConflictError, NotFoundError, StaleStateError
from store.models import InvoiceRow, OrderRow
from store.records import InvoiceRecord, NewInvoice
from store.repositories.base import Repository


class InvoiceRepository(Repository):
    async def add(self, new: NewInvoice) -> InvoiceRecord:
        """Raise an invoice (status ``issued``).

        :class:`NotFoundError` without the order, :class:`ConflictError` if the id is taken.
        """
        if await self.session.get(OrderRow, new.order_id) is None:
            raise NotFoundError(f"no order {new.order_id!r}")
        now = utcnow()
        values = {
            **new.model_dump(),
            "status": str(InvoiceStatus.ISSUED),
            "created_at": now,
            "updated_at": now,
        }
        row = (await self.session.scalars(self.insert_ignoring_conflicts(InvoiceRow, values))).one_or_none()
        if row is None:
            raise ConflictError(f"an invoice with id {new.id!r} already exists")
        return InvoiceRecord.model_validate(row)

    async def get(self, invoice_id: str) -> InvoiceRecord | None:
        row = await self.session.get(InvoiceRow, invoice_id, populate_existing=True)
        return None if row is None else InvoiceRecord.model_validate(row)

    async def require(self, invoice_id: str) -> InvoiceRecord:
        invoice = await self.get(invoice_id)
        if invoice is None:
            raise NotFoundError(f"no invoice {invoice_id!r}")
        return invoice

    async def by_order(self, order_id: str) -> list[InvoiceRecord]:
        stmt = (
            select(InvoiceRow)
            .where(InvoiceRow.order_id == str(order_id))
            .order_by(InvoiceRow.created_at, InvoiceRow.id)
            .execution_options(populate_existing=True)
        )
        return [InvoiceRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def set_ledger_contract_id(self, invoice_id: str, ledger_contract_id: str) -> InvoiceRecord:
        return await self._set(invoice_id, None, ledger_contract_id=ledger_contract_id)

    async def cancel(self, invoice_id: str) -> InvoiceRecord:
        """Cancel an issued invoice; :class:`StaleStateError` if it is not issued (any more)."""
        return await self._set(invoice_id, InvoiceStatus.ISSUED, status=str(InvoiceStatus.CANCELLED))

    async def mark_paid(self, invoice_id: str) -> InvoiceRecord:
        """Issued -> paid. Use :meth:`PaymentRepository.record`, which also stores the payment."""
        return await self._set(invoice_id, InvoiceStatus.ISSUED, status=str(InvoiceStatus.PAID))

    async def _set(self, invoice_id: str, expected: InvoiceStatus | None, **values: Any) -> InvoiceRecord:
        stmt = update(InvoiceRow).where(InvoiceRow.id == invoice_id)
        if expected is not None:
            stmt = stmt.where(InvoiceRow.status == str(expected))
        returning = (
            stmt.values(**values, updated_at=utcnow())
            .returning(InvoiceRow)
            .execution_options(populate_existing=True)
        )
        row = (await self.session.scalars(returning)).one_or_none()
        if row is None:
            current = await self.require(invoice_id)
            raise StaleStateError(f"invoice {invoice_id} status", expected, current.status)
        return InvoiceRecord.model_validate(row)
