"""Ledger identities: the ledger party and user of each onboarded platform party."""

from __future__ import annotations

from sqlalchemy import select

from ontology.contract import PartyRole
from store.coltypes import utcnow
from store.errors import ConflictError
from store.models.ledger_identities import LedgerIdentityRow
from store.records.ledger_identities import LedgerIdentityRecord, NewLedgerIdentity
from store.repositories.base import Repository


class LedgerIdentityRepository(Repository):
    async def record(self, new: NewLedgerIdentity) -> tuple[LedgerIdentityRecord, bool]:
        """Store an onboarded identity; the stored one and whether it is new. Recording the same platform
        party (or the same ledger user) again keeps the first row, whatever the second says: the caller
        compares (two onboardings racing end with one row)."""
        values = {**new.model_dump(), "role": str(new.role), "created_at": utcnow()}
        row = (
            await self.session.scalars(self.insert_ignoring_conflicts(LedgerIdentityRow, values))
        ).one_or_none()
        if row is not None:
            return LedgerIdentityRecord.model_validate(row), True
        existing = await self.get(new.role, new.platform_id) or await self.by_user(new.ledger_user)
        if existing is None:  # pragma: no cover - the conflict is on one of the two unique keys
            raise ConflictError(f"ledger identity of {new.role} {new.platform_id} clashes with a stored one")
        return existing, False

    async def get(self, role: PartyRole, platform_id: str) -> LedgerIdentityRecord | None:
        stmt = select(LedgerIdentityRow).where(
            LedgerIdentityRow.role == str(role), LedgerIdentityRow.platform_id == platform_id
        )
        row = (await self.session.scalars(stmt)).one_or_none()
        return None if row is None else LedgerIdentityRecord.model_validate(row)

    async def by_user(self, ledger_user: str) -> LedgerIdentityRecord | None:
        stmt = select(LedgerIdentityRow).where(LedgerIdentityRow.ledger_user == ledger_user)
        row = (await self.session.scalars(stmt)).one_or_none()
        return None if row is None else LedgerIdentityRecord.model_validate(row)

    async def of_party(self, ledger_party: str) -> list[LedgerIdentityRecord]:
        """The platform parties that sign as ``ledger_party`` (one, unless the store was edited by hand)."""
        stmt = (
            select(LedgerIdentityRow)
            .where(LedgerIdentityRow.ledger_party == ledger_party)
            .order_by(LedgerIdentityRow.role, LedgerIdentityRow.platform_id)
        )
        return [LedgerIdentityRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def list_all(self, role: PartyRole | None = None) -> list[LedgerIdentityRecord]:
        stmt = select(LedgerIdentityRow).order_by(LedgerIdentityRow.role, LedgerIdentityRow.platform_id)
        if role is not None:
            stmt = stmt.where(LedgerIdentityRow.role == str(role))
        return [LedgerIdentityRecord.model_validate(row) for row in await self.session.scalars(stmt)]
