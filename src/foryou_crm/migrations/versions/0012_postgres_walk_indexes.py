"""postgres walk indexes: on PostgreSQL too, each sort order has an index that carries the
filter columns (pipeline, status, responsible user, the other sort columns), so a filtered
page's walk tests them in the index and reads only its own rows

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 02:00:00

A status filter's page walked ``ix_amo_leads_created`` backwards and fetched every lead it
passed from the heap to test its status: 1,699 rows for 51 at 1,000,000 leads (a status of
3 %), scattered across a table ten times larger than at 100,000 — 3.5 ms cold, 0.96 ms warm,
and the page's p95 grew 2.4× from 100,000 to 1,000,000 leads (bench/RESULTS.md). With the
filter columns in the index they are its ``Index Cond``, and only the page's rows are
fetched: 0.37 ms cold, 0.49 ms warm, the same at any size. Unlike SQLite's (0010) without
the search text: a B-tree entry here is limited to ~2.7 kB, and the trigram GIN index
answers text queries. The sort indexes stay (the unfiltered list reads the narrower one).
PostgreSQL blocks writes to ``amo_leads`` while they are built: measured ~3.5 s for the
three at 1,000,000 leads; reads go on.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Named like SQLite's (``foryou_crm.leads.search``: Alembic's comparison leaves them alone).
_FILTERS = ["pipeline_id", "status_id", "responsible_user_id"]
_WALK_INDEXES = {
    "ix_amo_leads_walk_by_created": [
        "connection_id",
        "created_at",
        "amo_id",
        *_FILTERS,
        "price",
        "updated_at",
    ],
    "ix_amo_leads_walk_by_updated": [
        "connection_id",
        "updated_at",
        "amo_id",
        *_FILTERS,
        "price",
        "created_at",
    ],
    "ix_amo_leads_walk_by_price": [
        "connection_id",
        "price",
        "amo_id",
        *_FILTERS,
        "created_at",
        "updated_at",
    ],
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, columns in _WALK_INDEXES.items():
        op.create_index(name, "amo_leads", columns)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in _WALK_INDEXES:
        op.drop_index(name, table_name="amo_leads")
