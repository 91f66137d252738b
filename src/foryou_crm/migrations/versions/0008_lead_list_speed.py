"""lead list speed: amo_sync_states.mirror_version (bumped by every write to a connection's
leads, so the list's counts are kept until the mirror changes), and on SQLite the three sort
orders again with the search text in the index

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:45:00

A text query on SQLite walks the sort's index and tests each lead's search text; with the text
in the index, that test needs no read of the (wide: custom fields) row, and only the page's
rows are read: 11 → 2 ms for a page of 2,300 matches in 100,000 (docs/performance.md). Not on
PostgreSQL: its GIN index answers text queries, and a B-tree entry there is limited to ~2.7 kB
(a long search text would fail the write). Plain ``op`` calls, not a batch: a batch would
recreate amo_leads on SQLite and drop the FTS triggers of migration 0003.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Named in foryou_crm.leads.search (Alembic's comparison leaves them alone).
_TEXT_BY_SORT = {
    "ix_amo_leads_text_by_created": ["connection_id", "created_at", "amo_id", "search_text"],
    "ix_amo_leads_text_by_updated": ["connection_id", "updated_at", "amo_id", "search_text"],
    "ix_amo_leads_text_by_price": ["connection_id", "price", "amo_id", "search_text"],
}


def upgrade() -> None:
    with op.batch_alter_table("amo_sync_states") as batch:
        batch.add_column(
            sa.Column("mirror_version", sa.BigInteger(), nullable=False, server_default="0")
        )
    if op.get_bind().dialect.name == "sqlite":
        for name, columns in _TEXT_BY_SORT.items():
            op.create_index(name, "amo_leads", columns)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _TEXT_BY_SORT:
            op.drop_index(name, table_name="amo_leads")
    with op.batch_alter_table("amo_sync_states") as batch:
        batch.drop_column("mirror_version")
