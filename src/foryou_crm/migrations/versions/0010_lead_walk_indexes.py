"""lead walk indexes: on SQLite, each sort order's index carries the filter columns (pipeline,
status, responsible user, the other sort columns, the search text), so a page that walks it
(``foryou_crm.leads.dialects``) tests them in the index; they replace migration 0008's
text-only ``ix_amo_leads_text_by_*``

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 16:00:00

A status filter's page walked the sort's index and read each lead's row to test its status:
since rows carry their listed item (0009), that read is wider, and the page's p95 grew 3.8×
from 100,000 to 1,000,000 leads (bench/RESULTS.md). With those columns in the walked index,
only the page's own rows are read (a tag or custom-field filter still reads each row). Not on
PostgreSQL: its planner has the statistics to choose, and a B-tree entry there is limited to
~2.7 kB (the search text). Plain ``op`` calls, not a batch: a batch would recreate amo_leads on
SQLite and drop the FTS triggers of migration 0003. SQLite's DDL here is not one transaction:
``if_not_exists`` lets a run cut short be run again. The planner's statistics for the new
indexes come with the next sync's ``ANALYZE`` (which SQLite's choice of them relies on).
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Named in foryou_crm.leads.search (Alembic's comparison leaves them alone): the sort's
# columns, then the filter columns a walk tests.
_FILTERS = ["pipeline_id", "status_id", "responsible_user_id"]
_WALK_INDEXES = {
    "ix_amo_leads_walk_by_created": [
        "connection_id",
        "created_at",
        "amo_id",
        *_FILTERS,
        "price",
        "updated_at",
        "search_text",
    ],
    "ix_amo_leads_walk_by_updated": [
        "connection_id",
        "updated_at",
        "amo_id",
        *_FILTERS,
        "price",
        "created_at",
        "search_text",
    ],
    "ix_amo_leads_walk_by_price": [
        "connection_id",
        "price",
        "amo_id",
        *_FILTERS,
        "created_at",
        "updated_at",
        "search_text",
    ],
}
# As migration 0008 made them.
_TEXT_BY_SORT = {
    "ix_amo_leads_text_by_created": ["connection_id", "created_at", "amo_id", "search_text"],
    "ix_amo_leads_text_by_updated": ["connection_id", "updated_at", "amo_id", "search_text"],
    "ix_amo_leads_text_by_price": ["connection_id", "price", "amo_id", "search_text"],
}


def upgrade() -> None:
    _swap(_WALK_INDEXES, _TEXT_BY_SORT)


def downgrade() -> None:
    _swap(_TEXT_BY_SORT, _WALK_INDEXES)


def _swap(create: dict[str, list[str]], drop: dict[str, list[str]]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name, columns in create.items():
        op.create_index(name, "amo_leads", columns, if_not_exists=True)
    for name in drop:
        op.drop_index(name, table_name="amo_leads", if_exists=True)
