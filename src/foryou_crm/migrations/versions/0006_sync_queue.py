"""leads sync on a job queue: the sync state's outbox and fence, the full pass's id cursor and
deletion checks, pending webhook re-fetches, and (PostgreSQL) Procrastinate's own schema

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 07:00:00

Procrastinate's schema is its pinned version's ``schema.sql`` (``SchemaManager.get_schema()``
of procrastinate 3.10), applied verbatim. A later Procrastinate upgrade adds a revision that
runs that release's ``procrastinate/sql/migrations/*.sql`` in the same way (``pre`` scripts
before the new code is deployed, ``post`` after; see docs/operations.md). SQLite has no
queue tables: there the jobs run inside ``serve`` on an in-memory queue.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager
from sqlalchemy.util import await_only

from foryou_crm.core.db import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_QUEUE_DROP = (
    "DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, "
    "procrastinate_jobs, procrastinate_workers CASCADE",
    # Every function of the schema file, whatever its signature.
    "DO $$ DECLARE f record; BEGIN "
    "FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP "
    "EXECUTE 'DROP FUNCTION IF EXISTS ' || f.sig || ' CASCADE'; END LOOP; END $$",
    "DROP TYPE IF EXISTS procrastinate_job_status, procrastinate_job_event_type, "
    "procrastinate_job_to_defer_v1 CASCADE",
)


def _run_script(sql: str) -> None:
    """A multi-statement script (function bodies, DO blocks) in the migration's transaction:
    asyncpg prepares whatever SQLAlchemy sends, and a prepared statement holds one command, so
    the script goes through the driver's own simple-query ``execute``."""
    raw = op.get_bind().connection.dbapi_connection
    assert raw is not None
    await_only(raw.driver_connection.execute(sql))


def upgrade() -> None:
    with op.batch_alter_table("amo_sync_states") as batch:
        batch.add_column(sa.Column("requested", sa.String(16), nullable=False, server_default=""))
        batch.add_column(sa.Column("requested_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("fence", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("cursor_id", sa.BigInteger(), nullable=True))
        batch.add_column(
            sa.Column("checked_page", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("checked_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("anchor_page", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("deleted_seen", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    op.create_table(
        "amo_refetch_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["amocrm_connections.id"],
            name=op.f("fk_amo_refetch_requests_connection_id_amocrm_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amo_refetch_requests")),
    )
    op.create_index(
        op.f("ix_amo_refetch_requests_connection_id"),
        "amo_refetch_requests",
        ["connection_id"],
    )
    if op.get_bind().dialect.name == "postgresql":
        _run_script(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run_script(";\n".join(_QUEUE_DROP))
    op.drop_index(op.f("ix_amo_refetch_requests_connection_id"), "amo_refetch_requests")
    op.drop_table("amo_refetch_requests")
    with op.batch_alter_table("amo_sync_states") as batch:
        for column in (
            "deleted_seen",
            "anchor_page",
            "checked_id",
            "checked_page",
            "cursor_id",
            "fence",
            "requested_at",
            "requested",
        ):
            batch.drop_column(column)
