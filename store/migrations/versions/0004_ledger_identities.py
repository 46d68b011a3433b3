"""Ledger identities: the ledger party (as allocated) and ledger user each platform party signs with.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ledger_identities",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("platform_id", sa.String(length=512), nullable=False),
        sa.Column("ledger_party", sa.String(length=512), nullable=False),
        sa.Column("ledger_user", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "role IN ('customer', 'manufacturer', 'supplier')", name=op.f("ck_ledger_identities_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_identities")),
        sa.UniqueConstraint("role", "platform_id", name=op.f("uq_ledger_identities_role_platform_id")),
        sa.UniqueConstraint("ledger_user", name=op.f("uq_ledger_identities_ledger_user")),
    )
    op.create_index(op.f("ix_ledger_identities_ledger_party"), "ledger_identities", ["ledger_party"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ledger_identities_ledger_party"), table_name="ledger_identities")
    op.drop_table("ledger_identities")
