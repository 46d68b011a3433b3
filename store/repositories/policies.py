"""Agent policies: one current policy per agent, replaced by versioned upserts."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import select, update

from store.coltypes import utcnow
from store.enums import PolicyKind
from store.errors import NotFoundError, StaleStateError
from store.models import AgentPolicyRow, UserRow
from store.records import PolicyRecord, jsonable
from store.repositories.base import Repository

M = TypeVar("M", bound=BaseModel)


class PolicyRepository(Repository):
    async def put(
        self,
        agent_jid: str,
        kind: PolicyKind,
        policy: BaseModel | dict[str, Any],
        *,
        owner_user_id: str | None = None,
        expected_version: int | None = None,
    ) -> PolicyRecord:
        """Create (version 1) or replace (version + 1) the agent's policy.

        With ``expected_version`` the write only happens if the stored version is that one (0: no policy
        yet), else :class:`StaleStateError` and nothing is written.
        """
        if owner_user_id is not None and await self.session.get(UserRow, owner_user_id) is None:
            raise NotFoundError(f"no user {owner_user_id!r}")
        now = utcnow()
        values = {
            "kind": str(kind),
            "policy": jsonable(policy),
            "owner_user_id": owner_user_id,
            "updated_at": now,
        }
        row: AgentPolicyRow | None = None
        if expected_version in (None, 0):
            insert = self.insert_ignoring_conflicts(
                AgentPolicyRow, {**values, "agent_jid": agent_jid, "version": 1}
            )
            row = (await self.session.scalars(insert)).one_or_none()
        if row is None and expected_version != 0:
            stmt = update(AgentPolicyRow).where(AgentPolicyRow.agent_jid == agent_jid)
            if expected_version is not None:
                stmt = stmt.where(AgentPolicyRow.version == expected_version)
            returning = (
                stmt.values(**values, version=AgentPolicyRow.version + 1)
                .returning(AgentPolicyRow)
                .execution_options(populate_existing=True)
            )
            row = (await self.session.scalars(returning)).one_or_none()
        if row is None:
            current = await self.get(agent_jid)
            raise StaleStateError(
                f"policy of {agent_jid}", expected_version, current.version if current else 0
            )
        return PolicyRecord.model_validate(row)

    async def get(self, agent_jid: str) -> PolicyRecord | None:
        stmt = select(AgentPolicyRow).where(AgentPolicyRow.agent_jid == agent_jid)
        row = (await self.session.scalars(stmt.execution_options(populate_existing=True))).one_or_none()
        return None if row is None else PolicyRecord.model_validate(row)

    async def get_as(self, agent_jid: str, model: type[M]) -> M | None:
        """The agent's policy validated as ``model`` (e.g. an ontology policy class)."""
        record = await self.get(agent_jid)
        return None if record is None else model.model_validate(record.policy)

    async def list_all(self, kind: PolicyKind | None = None) -> list[PolicyRecord]:
        stmt = (
            select(AgentPolicyRow)
            .order_by(AgentPolicyRow.agent_jid)
            .execution_options(populate_existing=True)
        )
        if kind is not None:
            stmt = stmt.where(AgentPolicyRow.kind == str(kind))
        return [PolicyRecord.model_validate(row) for row in await self.session.scalars(stmt)]
