"""Orders get a number for people ("Order 1042"); history rows get their event code and parameters.

Existing orders are numbered from 1001 in the order they were created.

Revision ID: 0007_words
Revises: 0006_uploads
Create Date: 2026-12-14
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_words"
down_revision: str | None = "0006_uploads"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("orders", sa.Column("number", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE orders SET number = 1000 + (SELECT COUNT(*) FROM orders AS earlier"
        " WHERE earlier.created_at < orders.created_at"
        " OR (earlier.created_at = orders.created_at AND earlier.id <= orders.id))"
    )
    with op.batch_alter_table("orders") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f("uq_orders_number"), ["number"])
    with op.batch_alter_table("order_status_history") as batch:
        batch.add_column(sa.Column("event", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("params", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("order_status_history") as batch:
        batch.drop_column("params")
        batch.drop_column("event")
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(op.f("uq_orders_number"), type_="unique")
        batch.drop_column("number")
