"""Files customers upload (CAD drawings, artwork) to give as the value of a product's file option."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import IdString, UTCDateTime, new_id, utcnow
from store.models.base import Base


class UploadRow(Base):
    """One uploaded file: who uploaded it, what it is (media type from its content), its bytes.

    ``order_id`` is the first order that took it; an upload no order took within a day may be deleted
    (:meth:`store.repositories.uploads.UploadRepository.delete_unattached`)."""

    __tablename__ = "uploads"
    __table_args__ = (CheckConstraint("size >= 0", name="size"),)

    id: Mapped[str] = mapped_column(IdString, primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(IdString, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    order_id: Mapped[str | None] = mapped_column(
        IdString, ForeignKey("orders.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
