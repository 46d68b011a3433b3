"""Which party each XMPP account may act for: the store's side of "identity from the transport, authority
from the store". A message's sender is the bare JID the XMPP server stamped; an agent serves it only as far
as a binding of that JID allows (see ``agents/runtime/directory.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import UTCDateTime, utcnow
from store.enums import AgentRole, check_in
from store.models.base import Base


class AgentBindingRow(Base):
    __tablename__ = "agent_bindings"
    __table_args__ = (
        CheckConstraint(check_in("role", AgentRole), name="role"),
        UniqueConstraint("jid", "role", "party_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    jid: Mapped[str] = mapped_column(String(512), index=True)
    role: Mapped[str] = mapped_column(String(16))
    party_id: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
