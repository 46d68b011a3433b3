"""Persistent state of each agent's side of a negotiation (resumable after a restart)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import UTCDateTime, utcnow
from store.enums import NegotiationRole, check_in
from store.models.base import Base


class NegotiationRow(Base):
    """One agent's side of one conversation.

    ``conversation_id`` is unique per agent, not globally: in a Contract Net the initiator and every
    participant keep their own state under the same conversation id.
    """

    __tablename__ = "negotiations"
    __table_args__ = (
        UniqueConstraint("agent_jid", "conversation_id"),
        CheckConstraint(check_in("role", NegotiationRole), name="role"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_jid: Mapped[str] = mapped_column(String(512))
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    role: Mapped[str] = mapped_column(String(16))
    protocol: Mapped[str] = mapped_column(String(128))
    state_name: Mapped[str] = mapped_column(String(64))
    state: Mapped[Any] = mapped_column(JSON)
    round: Mapped[int] = mapped_column(Integer, default=0)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
