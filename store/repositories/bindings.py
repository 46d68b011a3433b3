"""Agent bindings: which party an XMPP account may act for, in which role."""

from __future__ import annotations

from sqlalchemy import delete, select

from store.coltypes import utcnow
from store.enums import AgentRole
from store.models.bindings import AgentBindingRow
from store.records.bindings import BindingRecord, NewBinding, normalise_jid
from store.repositories.base import Repository


class BindingRepository(Repository):
    async def bind(self, new: NewBinding) -> tuple[BindingRecord, bool]:
        """Bind a JID to a party in a role; the binding and whether it is new (binding twice is harmless)."""
        values = {**new.model_dump(), "role": str(new.role), "created_at": utcnow()}
        row = (
            await self.session.scalars(self.insert_ignoring_conflicts(AgentBindingRow, values))
        ).one_or_none()
        if row is not None:
            return BindingRecord.model_validate(row), True
        stmt = select(AgentBindingRow).where(
            AgentBindingRow.jid == new.jid,
            AgentBindingRow.role == str(new.role),
            AgentBindingRow.party_id == new.party_id,
        )
        existing = (await self.session.scalars(stmt)).one()
        return BindingRecord.model_validate(existing), False

    async def of(self, jid: str) -> list[BindingRecord]:
        """Every binding of ``jid`` (a bare or full JID)."""
        stmt = (
            select(AgentBindingRow)
            .where(AgentBindingRow.jid == normalise_jid(jid))
            .order_by(AgentBindingRow.role, AgentBindingRow.party_id)
        )
        return [BindingRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def list_all(self, role: AgentRole | None = None) -> list[BindingRecord]:
        stmt = select(AgentBindingRow).order_by(
            AgentBindingRow.jid, AgentBindingRow.role, AgentBindingRow.party_id
        )
        if role is not None:
            stmt = stmt.where(AgentBindingRow.role == str(role))
        return [BindingRecord.model_validate(row) for row in await self.session.scalars(stmt)]

    async def unbind(self, jid: str, role: AgentRole | None = None, party_id: str | None = None) -> int:
        """Remove the bindings of ``jid`` (only of ``role`` / ``party_id`` when given); how many went."""
        stmt = delete(AgentBindingRow).where(AgentBindingRow.jid == normalise_jid(jid))
        if role is not None:
            stmt = stmt.where(AgentBindingRow.role == str(role))
        if party_id is not None:
            stmt = stmt.where(AgentBindingRow.party_id == party_id)
        result = await self.session.execute(stmt)
        return int(result.rowcount)  # type: ignore[attr-defined]
