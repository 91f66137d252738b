"""amo_sync_states.mirror_version: bumped by every write to a connection's leads, so a count
of the lead list can be kept until the mirror changes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("amo_sync_states") as batch:
        batch.add_column(
            sa.Column("mirror_version", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("amo_sync_states") as batch:
        batch.drop_column("mirror_version")
