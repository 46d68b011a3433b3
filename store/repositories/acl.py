"""The ACL message log: idempotent logging, conversations in order, messages of an order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, func, select

from store.models import AclMessageRow
from store.records import AclMessageRecord, NewAclMessage
from store.repositories.base import Repository


class AclMessageRepository(Repository):
    async def log(self, message: NewAclMessage) -> AclMessageRecord:
        """Log a message; logging the same message again (same agent and direction) returns the first row."""
        key = message.key()
        values = {**message.model_dump(mode="python"), "message_key": key}
        values["direction"] = str(message.direction)
        row = (
            await self.session.scalars(self.insert_ignoring_conflicts(AclMessageRow, values))
        ).one_or_none()
        if row is None:
            row = (
                await self.session.scalars(select(AclMessageRow).where(AclMessageRow.message_key == key))
            ).one()
        return AclMessageRecord.model_validate(row)

    async def log_many(self, messages: Sequence[NewAclMessage]) -> None:
        """Log messages in order, in one statement; a message logged already (same key) is skipped."""
        if not messages:
            return
        rows = []
        for message in messages:
            values = {**message.model_dump(mode="python"), "message_key": message.key()}
            values["direction"] = str(message.direction)
            rows.append(values)
        connection = await self.session.connection()
        await connection.execute(self.insert_ignoring_conflicts_many(AclMessageRow), rows)

    async def conversation(
        self, conversation_id: str, agent_jid: str | None = None
    ) -> list[AclMessageRecord]:
        """Every logged message of a conversation in the order it was logged (optionally one agent's view)."""
        stmt = select(AclMessageRow).where(AclMessageRow.conversation_id == conversation_id)
        if agent_jid is not None:
            stmt = stmt.where(AclMessageRow.agent_jid == agent_jid)
        return await self._list(stmt)

    async def by_order(self, order_id: str) -> list[AclMessageRecord]:
        """Every logged message about an order, in the order it was logged."""
        return await self._list(select(AclMessageRow).where(AclMessageRow.order_id == str(order_id)))

    async def count(self, conversation_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(AclMessageRow)
        if conversation_id is not None:
            stmt = stmt.where(AclMessageRow.conversation_id == conversation_id)
        return int((await self.session.execute(stmt)).scalar_one())

    async def _list(self, stmt: Select[AclMessageRow]) -> list[AclMessageRecord]:
        ordered = stmt.order_by(AclMessageRow.logged_at, AclMessageRow.id)
        return [AclMessageRecord.model_validate(row) for row in await self.session.scalars(ordered)]
