"""Payments mirror the ledger: the payer's PaymentClaim and the payee's PaymentReceipt contract ids.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.add_column(sa.Column("ledger_claim_contract_id", sa.String(length=512), nullable=True))
        batch.add_column(sa.Column("ledger_contract_id", sa.String(length=512), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payments") as batch:
        batch.drop_column("ledger_contract_id")
        batch.drop_column("ledger_claim_contract_id")
