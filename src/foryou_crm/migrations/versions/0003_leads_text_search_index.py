"""leads text search index: pg_trgm GIN on PostgreSQL, an FTS5 trigram table on SQLite

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 05:45:00

The free-text ``query`` is a substring search at any position, which no B-tree can answer.
Both engines index the trigrams of ``amo_leads.search_text`` instead. Neither object is a plain
SQLAlchemy table or index, so the models do not declare them; ``foryou_crm.leads.search``
names them for Alembic's comparison and builds the queries that use them.
"""

from __future__ import annotations

import sqlite3

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Both sides are lowercased by Python already; a case-sensitive index matches exactly what a
# plain substring test (instr) matches, whatever SQLite's own case folding would do.
# External content: the FTS table stores only its index, keyed by amo_leads.id (its rowid),
# and triggers keep it in step with every write, including ON DELETE CASCADE from a connection.
# A later batch-mode migration that recreates amo_leads must recreate these triggers.
_SQLITE_UP = (
    "CREATE VIRTUAL TABLE amo_leads_fts USING fts5("
    "search_text, content='amo_leads', content_rowid='id', tokenize='trigram case_sensitive 1')",
    "CREATE TRIGGER amo_leads_fts_insert AFTER INSERT ON amo_leads BEGIN "
    "INSERT INTO amo_leads_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER amo_leads_fts_delete AFTER DELETE ON amo_leads BEGIN "
    "INSERT INTO amo_leads_fts(amo_leads_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER amo_leads_fts_update AFTER UPDATE OF search_text ON amo_leads "
    "WHEN old.search_text IS NOT new.search_text BEGIN "
    "INSERT INTO amo_leads_fts(amo_leads_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO amo_leads_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO amo_leads_fts(amo_leads_fts) VALUES ('rebuild')",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS amo_leads_fts_update",
    "DROP TRIGGER IF EXISTS amo_leads_fts_delete",
    "DROP TRIGGER IF EXISTS amo_leads_fts_insert",
    "DROP TABLE IF EXISTS amo_leads_fts",
)
# pg_trgm ships with PostgreSQL (contrib) and is a trusted extension since PostgreSQL 13: the
# database owner may create it without superuser rights.
_POSTGRES_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_amo_leads_search_trgm ON amo_leads USING gin (search_text gin_trgm_ops)",
)
_POSTGRES_DOWN = ("DROP INDEX IF EXISTS ix_amo_leads_search_trgm",)


def _run(statements: tuple[str, ...]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_index("ix_amo_leads_id_connection", "amo_leads", ["id", "connection_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        if sqlite3.sqlite_version_info < (3, 34):
            raise RuntimeError(
                f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer; the leads text "
                "search needs SQLite 3.34 or newer (Python's sqlite3 links the system library)."
            )
        _run(_SQLITE_UP)
    elif dialect == "postgresql":
        _run(_POSTGRES_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(_SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(_POSTGRES_DOWN)
    op.drop_index("ix_amo_leads_id_connection", table_name="amo_leads")
