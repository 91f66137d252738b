"""principal notices: on PostgreSQL, every change to a user, their connection or its sync
state is announced on the ``foryou_principals`` channel (``NOTIFY``, the user's id as the
payload; ``*`` for a ``TRUNCATE``), so a process may keep what ``/status`` and the lead list
read of them (``connections.principals``) and forget it the moment it changes. Nothing on
SQLite (its one process writes what it keeps).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 21:30:00

Triggers fire after the row is written and PostgreSQL delivers the notice when (and only if)
the transaction commits; identical notices of one transaction arrive once.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

CHANNEL = "foryou_principals"
# (table, the expression naming the user a changed row belongs to, as NEW/OLD rows)
_ROWS = (
    ("users", "{row}.id"),
    ("amocrm_connections", "{row}.user_id"),
    (
        "amo_sync_states",
        "(SELECT user_id FROM amocrm_connections WHERE id = {row}.connection_id)",
    ),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, owner in _ROWS:
        new, old = owner.format(row="NEW"), owner.format(row="OLD")
        op.execute(
            f"""
            CREATE OR REPLACE FUNCTION foryou_notice_{table}() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'TRUNCATE' THEN
                    PERFORM pg_notify('{CHANNEL}', '*');
                    RETURN NULL;
                END IF;
                -- No owner: a sync state deleted with its connection, whose own deletion
                -- named the user.
                IF TG_OP <> 'INSERT' AND ({old}) IS NOT NULL THEN
                    PERFORM pg_notify('{CHANNEL}', ({old})::text);
                END IF;
                IF TG_OP <> 'DELETE' AND ({new}) IS NOT NULL THEN
                    PERFORM pg_notify('{CHANNEL}', ({new})::text);
                END IF;
                RETURN NULL;
            END
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            f"CREATE TRIGGER foryou_notice_{table}_rows AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION foryou_notice_{table}()"
        )
        op.execute(
            f"CREATE TRIGGER foryou_notice_{table}_truncate AFTER TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION foryou_notice_{table}()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, _ in _ROWS:
        op.execute(f"DROP TRIGGER IF EXISTS foryou_notice_{table}_rows ON {table}")
        op.execute(f"DROP TRIGGER IF EXISTS foryou_notice_{table}_truncate ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS foryou_notice_{table}()")
