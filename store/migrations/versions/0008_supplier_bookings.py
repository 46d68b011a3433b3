"""Supplier bookings: the machine hours each supplier proxy booked (held or confirmed), kept across restarts.

Revision ID: 0008_supplier_bookings
Revises: 0007_words
Create Date: 2026-12-16
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_supplier_bookings"
down_revision: str | None = "0007_words"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "supplier_bookings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("supplier_id", sa.String(length=64), nullable=False),
        sa.Column("offer_id", sa.String(length=64), nullable=False),
        sa.Column("requester", sa.String(length=512), nullable=False),
        sa.Column("order_id", sa.String(length=64), nullable=False),
        sa.Column("part_id", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("held_until", TIMESTAMP, nullable=False),
        sa.Column("price", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("state IN ('held', 'confirmed')", name=op.f("ck_supplier_bookings_state")),
        sa.CheckConstraint("hours >= 0", name=op.f("ck_supplier_bookings_hours")),
        sa.CheckConstraint("quantity >= 1", name=op.f("ck_supplier_bookings_quantity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_bookings")),
        sa.UniqueConstraint(
            "supplier_id", "offer_id", name=op.f("uq_supplier_bookings_supplier_id_offer_id")
        ),
    )
    op.create_index(op.f("ix_supplier_bookings_order_id"), "supplier_bookings", ["order_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_supplier_bookings_order_id"), table_name="supplier_bookings")
    op.drop_table("supplier_bookings")
