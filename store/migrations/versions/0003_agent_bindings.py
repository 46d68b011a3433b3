"""Agent bindings: which party each XMPP account may act for.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agent_bindings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("jid", sa.String(length=512), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("party_id", sa.String(length=512), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "role IN ('platform', 'manufacturer', 'customer', 'supplier')", name=op.f("ck_agent_bindings_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_bindings")),
        sa.UniqueConstraint("jid", "role", "party_id", name=op.f("uq_agent_bindings_jid_role_party_id")),
    )
    op.create_index(op.f("ix_agent_bindings_jid"), "agent_bindings", ["jid"])
    # The manufacturer agents the store knows (their policies' owners) are bound to their manufacturers.
    op.execute(
        "INSERT INTO agent_bindings (jid, role, party_id, created_at, created_by, note) "
        "SELECT lower(agent_jid), 'manufacturer', owner_user_id, updated_at, 'migration 0003', "
        "'owner of the agent policy' FROM agent_policies "
        "WHERE kind = 'manufacturer' AND owner_user_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_agent_bindings_jid"), table_name="agent_bindings")
    op.drop_table("agent_bindings")
