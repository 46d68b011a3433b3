"""Negotiation state with optimistic locking, and the unfinished negotiations an agent resumes."""

from __future__ import annotations

from sqlalchemy import select, update

from store.coltypes import utcnow
from store.errors import StaleStateError
from store.models import NegotiationRow
from store.records import NegotiationState
from store.repositories.base import Repository

_MUTABLE = ("order_id", "role", "protocol", "state_name", "state", "round", "deadline", "finished")


class NegotiationRepository(Repository):
    async def save(self, state: NegotiationState, *, saves: int = 1) -> NegotiationState:
        """Store ``state`` if nobody changed it since it was read at ``state.version`` (0: never saved).

        Returns the stored state with its new version; :class:`StaleStateError` (nothing written) when
        the stored version differs, or when a state saved as new already exists. ``saves`` > 1 stores
        the last of that many saves requested together (the version advances by ``saves``, as if each
        had been written in turn).
        """
        if saves < 1:
            raise ValueError(f"saves must be at least 1, not {saves}")
        now = utcnow()
        values = {key: getattr(state, key) for key in _MUTABLE}
        values["role"] = str(state.role)
        where = (
            NegotiationRow.agent_jid == state.agent_jid,
            NegotiationRow.conversation_id == state.conversation_id,
        )
        if state.version == 0:
            insert = self.insert_ignoring_conflicts(
                NegotiationRow,
                {
                    **values,
                    "agent_jid": state.agent_jid,
                    "conversation_id": state.conversation_id,
                    "version": saves,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            row = (await self.session.scalars(insert)).one_or_none()
        else:
            stmt = (
                update(NegotiationRow)
                .where(*where, NegotiationRow.version == state.version)
                .values(**values, version=NegotiationRow.version + saves, updated_at=now)
                .returning(NegotiationRow)
                .execution_options(populate_existing=True)
            )
            row = (await self.session.scalars(stmt)).one_or_none()
        if row is None:
            actual = (
                await self.session.execute(select(NegotiationRow.version).where(*where))
            ).scalar_one_or_none()
            raise StaleStateError(
                f"negotiation {state.conversation_id!r} of {state.agent_jid}", state.version, actual or 0
            )
        return NegotiationState.model_validate(row)

    async def load(self, agent_jid: str, conversation_id: str) -> NegotiationState | None:
        """The agent's state of a conversation (``conversation_id`` is unique per agent)."""
        stmt = select(NegotiationRow).where(
            NegotiationRow.agent_jid == agent_jid, NegotiationRow.conversation_id == conversation_id
        )
        row = (await self.session.scalars(stmt.execution_options(populate_existing=True))).one_or_none()
        return None if row is None else NegotiationState.model_validate(row)

    async def unfinished(self, agent_jid: str) -> list[NegotiationState]:
        """The agent's negotiations not marked finished, oldest first: what to resume after a restart."""
        stmt = (
            select(NegotiationRow)
            .where(NegotiationRow.agent_jid == agent_jid, NegotiationRow.finished.is_(False))
            .order_by(NegotiationRow.created_at, NegotiationRow.id)
            .execution_options(populate_existing=True)
        )
        return [NegotiationState.model_validate(row) for row in await self.session.scalars(stmt)]

    async def by_order(self, order_id: str) -> list[NegotiationState]:
        stmt = (
            select(NegotiationRow)
            .where(NegotiationRow.order_id == str(order_id))
            .order_by(NegotiationRow.created_at, NegotiationRow.id)
            .execution_options(populate_existing=True)
        )
        return [NegotiationState.model_validate(row) for row in await self.session.scalars(stmt)]
