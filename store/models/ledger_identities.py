"""Which ledger party and ledger user each platform party signs with: the store's side of "each party signs
for itself". A customer, manufacturer or supplier of the platform (role + platform id) is onboarded once onto
the ledger (``ledger/identities``): the party id is the one the ledger allocated (``hint::fingerprint`` on
Canton), never derived from the hint; the user is the one whose token the party's component submits with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ontology.contract import PartyRole
from store.coltypes import UTCDateTime, utcnow
from store.enums import check_in
from store.models.base import Base


class LedgerIdentityRow(Base):
    __tablename__ = "ledger_identities"
    __table_args__ = (
        CheckConstraint(check_in("role", PartyRole), name="role"),
        UniqueConstraint("role", "platform_id"),
        UniqueConstraint("ledger_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    role: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(512))
    ledger_party: Mapped[str] = mapped_column(String(512), index=True)
    ledger_user: Mapped[str] = mapped_column(String(128))
    display_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
