"""why and when each user's amoCRM connection ended (amocrm_connection_endings)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 09:00:00

One row per user, replaced on every ending and deleted when the user connects again, so the
status can say "the integration was removed in amoCRM on …" instead of just «Не підключено».
Connections already flagged ``needs_reconnect`` get their reason (``refresh_refused``, at the
row's last update — when the refusal was written) so every flagged connection has one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import foryou_crm.core.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "amocrm_connection_endings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("ended_at", foryou_crm.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_amocrm_connection_endings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_amocrm_connection_endings")),
    )
    op.execute(
        "INSERT INTO amocrm_connection_endings (user_id, reason, domain, ended_at) "
        "SELECT user_id, 'refresh_refused', domain, updated_at FROM amocrm_connections "
        "WHERE needs_reconnect"
    )


def downgrade() -> None:
    op.drop_table("amocrm_connection_endings")
