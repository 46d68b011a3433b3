"""Agreements (customer order contracts, supply agreements) and their ledger contract ids."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from store.coltypes import utcnow
from store.enums import AgreementKind
from store.errors import ConflictError, NotFoundError
from store.models import AgreementRow, OrderRow
from store.records import AgreementRecord, NewAgreement
from store.repositories.base import Repository


class AgreementRepository(Repository):
    async def add(self, new: NewAgreement) -> AgreementRecord:
        """Store an agreement.

        :class:`NotFoundError` without the order, :class:`ConflictError` if the id or ledger id is taken.
        """
        if await self.session.get(OrderRow, new.order_id) is None:
            raise NotFoundError(f"no order {new.order_id!r}")
        now = utcnow()
        values = {**new.model_dump(), "kind": str(new.kind), "created_at": now, "updated_at": now}
        row = (await self.session.scalars(self.insert_ignoring_conflicts(AgreementRow, values))).one_or_none()
        if row is None:
            raise ConflictError(
                f"agreement {new.id!r} or ledger contract {new.ledger_contract_id!r} exists already"
            )
        return AgreementRecord.model_validate(row)

    async def get(self, agreement_id: str) -> AgreementRecord | None:
        row = await self.session.get(AgreementRow, agreement_id, populate_existing=True)
        return None if row is None else AgreementRecord.model_validate(row)

    async def get_by_ledger_contract_id(self, ledger_contract_id: str) -> AgreementRecord | None:
        stmt = select(AgreementRow).where(AgreementRow.ledger_contract_id == ledger_contract_id)
        row = (await self.session.scalars(stmt.execution_options(populate_existing=True))).one_or_none()
        return None if row is None else AgreementRecord.model_validate(row)

    async def by_order(self, order_id: str, kind: AgreementKind | None = None) -> list[AgreementRecord]:
        stmt = (
            select(AgreementRow)
            .where(AgreementRow.order_id == str(order_id))
            .order_by(AgreementRow.created_at, AgreementRow.id)
            .execution_options(populate_existing=True)
        )
        if kind is not None:
            stmt = stmt.where(AgreementRow.kind == str(kind))
        return [AgreementRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def set_status(self, agreement_id: str, status: str) -> AgreementRecord:
        return await self._set(agreement_id, status=str(status))

    async def set_ledger_contract_id(
        self, agreement_id: str, ledger_contract_id: str, status: str | None = None
    ) -> AgreementRecord:
        """Record the ledger contract the agreement was committed as (and optionally its new status)."""
        holder = await self.get_by_ledger_contract_id(ledger_contract_id)
        if holder is not None and holder.id != agreement_id:
            raise ConflictError(f"ledger contract {ledger_contract_id!r} belongs to agreement {holder.id!r}")
        values: dict[str, Any] = {"ledger_contract_id": ledger_contract_id}
        if status is not None:
            values["status"] = str(status)
        return await self._set(agreement_id, **values)

    async def _set(self, agreement_id: str, **values: Any) -> AgreementRecord:
        stmt = (
            update(AgreementRow)
            .where(AgreementRow.id == agreement_id)
            .values(**values, updated_at=utcnow())
            .returning(AgreementRow)
            .execution_options(populate_existing=True)
        )
        row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            raise NotFoundError(f"no agreement {agreement_id!r}")
        return AgreementRecord.model_validate(row)
