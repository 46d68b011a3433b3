"""Products a manufacturer offers, with their customisation options."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.coltypes import IdString, Money, UTCDateTime, new_id, utcnow
from store.models.base import Base


class ProductRow(Base):
    __tablename__ = "products"
    __table_args__ = (CheckConstraint("base_price >= 0", name="base_price"),)

    id: Mapped[str] = mapped_column(IdString, primary_key=True, default=new_id)
    manufacturer_id: Mapped[str] = mapped_column(
        IdString, ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[Any] = mapped_column(JSON)
    base_price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
