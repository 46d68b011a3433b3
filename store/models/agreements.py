"""Agreements reached by negotiation: the customer order contract and the supply agreements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import IdString, UTCDateTime, new_id, utcnow
from store.enums import AgreementKind, check_in
from store.models.base import Base


class AgreementRow(Base):
    __tablename__ = "agreements"
    __table_args__ = (CheckConstraint(check_in("kind", AgreementKind), name="kind"),)

    id: Mapped[str] = mapped_column(IdString, primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(IdString, ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    parties: Mapped[Any] = mapped_column(JSON)
    terms: Mapped[Any] = mapped_column(JSON)
    ledger_contract_id: Mapped[str | None] = mapped_column(String(512), nullable=True, unique=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
