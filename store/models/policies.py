"""Each agent's current policy (strategy, reservation values, capacity...), versioned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import IdString, UTCDateTime, utcnow
from store.enums import PolicyKind, check_in
from store.models.base import Base


class AgentPolicyRow(Base):
    __tablename__ = "agent_policies"
    __table_args__ = (
        CheckConstraint(check_in("kind", PolicyKind), name="kind"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_jid: Mapped[str] = mapped_column(String(512), unique=True)
    owner_user_id: Mapped[str | None] = mapped_column(
        IdString, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    policy: Mapped[Any] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
