"""lead list items: amo_leads.listed, each lead as the list shows it (JSON), rendered when
the lead is written so a page reads it instead of building it (``foryou_crm.leads.listed``);
filled here for the leads already mirrored

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:00:00

Filling renders every lead once in Python, 2,000 at a time (about a minute per million leads);
a lead left without one is still listed, rendered from its columns on each read. Plain
``op.add_column`` and ``ALTER TABLE … DROP COLUMN``, not a batch: a batch would recreate
amo_leads on SQLite and drop the FTS triggers of migration 0003.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from foryou_crm.leads import listed

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("amo_leads", sa.Column("listed", sa.LargeBinary(), nullable=True))
    listed.fill_missing(op.get_bind())


def downgrade() -> None:
    op.execute("ALTER TABLE amo_leads DROP COLUMN listed")
