"""API clients: machines that get tokens with the OAuth 2.0 client-credentials grant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import IdString, UTCDateTime, utcnow
from store.enums import UserRole, check_in
from store.models.base import Base


class ApiClientRow(Base):
    __tablename__ = "api_clients"
    __table_args__ = (CheckConstraint(check_in("role", UserRole), name="role"),)

    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    owner_user_id: Mapped[str] = mapped_column(
        IdString, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
