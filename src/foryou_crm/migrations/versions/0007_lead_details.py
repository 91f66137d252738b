"""a lead's details in the mirror: contacts' phones/e-mails/position/company, companies, lead
custom field definitions and chosen enums (the list's custom-field filter), the latest notes
and the open tasks; the account's currency; per-kind marks of the incremental pass

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:40:00

Existing connections fill these on their next full pass (the contacts and companies phase
re-reads every contact of the mirror).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_FK = "amocrm_connections.id"


def _mirror_table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("amo_id", sa.BigInteger(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["connection_id"],
            [_FK],
            name=op.f(f"fk_{name}_connection_id_amocrm_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("connection_id", "amo_id", name=op.f(f"uq_{name}_connection_id")),
    )


# (table, column) added to existing tables; dropped with ALTER TABLE … DROP COLUMN (SQLite
# 3.35+), never a batch copy: recreating amocrm_connections on SQLite would cascade-delete
# every mirror row, recreating amo_leads would drop its text-search triggers.
def _added() -> tuple[tuple[str, sa.Column[object]], ...]:
    return (
        ("amocrm_connections", sa.Column("currency", sa.String(8), nullable=True)),
        ("amocrm_connections", sa.Column("currency_symbol", sa.String(8), nullable=True)),
        (
            "amo_sync_states",
            sa.Column("detail_marks", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
        ),
        ("amo_leads", sa.Column("company_id", sa.BigInteger(), nullable=True)),
        ("amo_contacts", sa.Column("phones", sa.JSON(), nullable=False, server_default="[]")),
        ("amo_contacts", sa.Column("emails", sa.JSON(), nullable=False, server_default="[]")),
        ("amo_contacts", sa.Column("position", sa.Text(), nullable=True)),
        ("amo_contacts", sa.Column("company_id", sa.BigInteger(), nullable=True)),
        (
            "amo_contacts",
            sa.Column("updated_at", sa.BigInteger(), nullable=False, server_default="0"),
        ),
    )


def upgrade() -> None:
    for table, column in _added():
        op.add_column(table, column)
    _mirror_table(
        "amo_companies",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    _mirror_table(
        "amo_custom_fields",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("code", sa.String(255), nullable=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("enums", sa.JSON(), nullable=False),
    )
    _mirror_table(
        "amo_notes",
        sa.Column("lead_id", sa.BigInteger(), nullable=False),
        sa.Column("note_type", sa.String(40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_amo_notes_lead", "amo_notes", ["connection_id", "lead_id", "created_at"])
    _mirror_table(
        "amo_tasks",
        sa.Column("lead_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("task_type_id", sa.BigInteger(), nullable=True),
        sa.Column("complete_till", sa.BigInteger(), nullable=False),
        sa.Column("responsible_user_id", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_amo_tasks_lead", "amo_tasks", ["connection_id", "lead_id", "complete_till"])
    op.create_table(
        "amo_lead_enums",
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.BigInteger(), nullable=False),
        sa.Column("enum_id", sa.BigInteger(), nullable=False),
        sa.Column("lead_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            [_FK],
            name=op.f("fk_amo_lead_enums_connection_id_amocrm_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "connection_id", "field_id", "enum_id", "lead_id", name=op.f("pk_amo_lead_enums")
        ),
    )
    op.create_index("ix_amo_lead_enums_lead", "amo_lead_enums", ["connection_id", "lead_id"])


def downgrade() -> None:
    op.drop_index("ix_amo_lead_enums_lead", "amo_lead_enums")
    op.drop_table("amo_lead_enums")
    op.drop_index("ix_amo_tasks_lead", "amo_tasks")
    op.drop_table("amo_tasks")
    op.drop_index("ix_amo_notes_lead", "amo_notes")
    op.drop_table("amo_notes")
    op.drop_table("amo_custom_fields")
    op.drop_table("amo_companies")
    for table, column in reversed(_added()):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column.name}")
