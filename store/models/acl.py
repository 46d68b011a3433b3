"""The log of every ACL message every agent sent or received, one row per (agent, direction, message)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import UTCDateTime, utcnow
from store.enums import Direction, check_in
from store.models.base import Base

#: 64-bit ids on PostgreSQL; SQLite only auto-increments an ``INTEGER PRIMARY KEY``.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class AclMessageRow(Base):
    __tablename__ = "acl_messages"
    __table_args__ = (
        CheckConstraint(check_in("direction", Direction), name="direction"),
        Index("ix_acl_messages_conversation_id_id", "conversation_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    #: sha256 of (agent, direction, canonical message JSON): logging the same message twice is a no-op.
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    agent_jid: Mapped[str] = mapped_column(String(512), index=True)
    direction: Mapped[str] = mapped_column(String(3))
    conversation_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    order_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    performative: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(512))
    receivers: Mapped[Any] = mapped_column(JSON)
    protocol: Mapped[str | None] = mapped_column(String(128), nullable=True)
    ontology: Mapped[str | None] = mapped_column(String(128), nullable=True)
    language: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reply_with: Mapped[str | None] = mapped_column(String(255), nullable=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reply_by: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    content: Mapped[str] = mapped_column(Text)
    message: Mapped[Any] = mapped_column(JSON)
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
