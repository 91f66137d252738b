"""users: admin role, disabled_at and token_version (user administration)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00

``is_admin`` opens /api/admin; ``disabled_at`` stops the user's JWTs at once; ``token_version``
is carried in our JWTs, and a password reset bumps it to revoke every JWT issued before.
Plain ADD COLUMNs with server defaults: existing users become active non-admins at version 0,
which is also what a JWT without a version claim counts as.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import foryou_crm.core.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "users",
        sa.Column("disabled_at", foryou_crm.core.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "users", sa.Column("token_version", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+), not a batch copy: recreating ``users`` on
    # SQLite would drop the table every connection cascades from.
    for column in ("token_version", "disabled_at", "is_admin"):
        op.execute(f"ALTER TABLE users DROP COLUMN {column}")
