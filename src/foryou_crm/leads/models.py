"""The local mirror of each connection's amoCRM data.

Every row belongs to one connection (``ON DELETE CASCADE``): disconnect and the uninstall hook
delete a connection and its mirror goes with it. amoCRM times are kept as amoCRM sends them,
Unix seconds, so filters and sorts compare plain integers on every database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from foryou_crm.core.db import Base

_CONNECTION_FK = "amocrm_connections.id"


class MirrorRow:
    """A row of one connection's mirror, keyed by amoCRM's own id within that connection."""

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey(_CONNECTION_FK, ondelete="CASCADE"))
    amo_id: Mapped[int] = mapped_column(BigInteger)


class AmoPipeline(MirrorRow, Base):
    __tablename__ = "amo_pipelines"
    __table_args__ = (UniqueConstraint("connection_id", "amo_id"),)

    name: Mapped[str] = mapped_column(String(255))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)


class AmoStatus(MirrorRow, Base):
    """A pipeline stage. 142 (won) and 143 (lost) exist in every pipeline, so a status is
    identified by (pipeline, status)."""

    __tablename__ = "amo_statuses"
    __table_args__ = (UniqueConstraint("connection_id", "pipeline_amo_id", "amo_id"),)

    pipeline_amo_id: Mapped[int] = mapped_column(BigInteger)
    name: Mapped[str] = mapped_column(String(255))
    color: Mapped[str | None] = mapped_column(String(32))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    type: Mapped[int] = mapped_column(Integer, default=0)


class AmoUser(MirrorRow, Base):
    """amoCRM users known to this connection (all of them for an admin token, else the
    token's own user), for responsible-user names."""

    __tablename__ = "amo_users"
    __table_args__ = (UniqueConstraint("connection_id", "amo_id"),)

    name: Mapped[str] = mapped_column(String(255))


class AmoContact(MirrorRow, Base):
    """A contact of the connection's leads: leads only carry contact ids, so contacts are read
    by id (a full pass re-reads them all) and kept fresh by the incremental pass, which reads
    contacts changed since its mark. Phones and e-mails are ``[{value, type}]`` (``type``:
    amoCRM's enum code, MOB/WORK/PRIV…)."""

    __tablename__ = "amo_contacts"
    __table_args__ = (UniqueConstraint("connection_id", "amo_id"),)

    name: Mapped[str] = mapped_column(Text)
    phones: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    emails: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    position: Mapped[str | None] = mapped_column(Text)
    company_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=0)


class AmoCompany(MirrorRow, Base):
    """The companies of the connection's leads (a lead has at most one)."""

    __tablename__ = "amo_companies"
    __table_args__ = (UniqueConstraint("connection_id", "amo_id"),)

    name: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[int] = mapped_column(BigInteger, default=0)


class AmoCustomField(MirrorRow, Base):
    """A lead custom field's definition, with its enums ``[{id, value, sort}]``: what the
    list can be filtered by. A lead's own values carry their names and types, so the detail
    view never needs these."""

    __tablename__ = "amo_custom_fields"
    __table_args__ = (UniqueConstraint("connection_id", "amo_id"),)

    name: Mapped[str] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(40))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    enums: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class AmoLeadEnum(Base):
    """One enum value chosen on a lead (select, multiselect, radio): the list's custom-field
    filter is an index lookup here instead of a walk through every lead's JSON."""

    __tablename__ = "amo_lead_enums"
    __table_args__ = (Index("ix_amo_lead_enums_lead", "connection_id", "lead_id"),)

    connection_id: Mapped[int] = mapped_column(
        ForeignKey(_CONNECTION_FK, ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    enum_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    lead_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class AmoNote(MirrorRow, Base):
    """The latest notes of a lead (at most ``NOTES_PER_LEAD``; older ones are dropped)."""

    __tablename__ = "amo_notes"
    __table_args__ = (
        UniqueConstraint("connection_id", "amo_id"),
        Index("ix_amo_notes_lead", "connection_id", "lead_id", "created_at"),
    )

    lead_id: Mapped[int] = mapped_column(BigInteger)
    note_type: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class AmoTask(MirrorRow, Base):
    """An open task of a lead (completed and deleted ones leave the mirror)."""

    __tablename__ = "amo_tasks"
    __table_args__ = (
        UniqueConstraint("connection_id", "amo_id"),
        Index("ix_amo_tasks_lead", "connection_id", "lead_id", "complete_till"),
    )

    lead_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text, default="")
    task_type_id: Mapped[int | None] = mapped_column(BigInteger)
    complete_till: Mapped[int] = mapped_column(BigInteger)
    responsible_user_id: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class AmoLead(MirrorRow, Base):
    __tablename__ = "amo_leads"
    __table_args__ = (
        UniqueConstraint("connection_id", "amo_id"),
        # One index per sort (with the id tie-break, so pages are stable) and per filter. The
        # trailing price / created_at make "price range + date range" counts index-only.
        Index("ix_amo_leads_created", "connection_id", "created_at", "amo_id", "price"),
        Index("ix_amo_leads_updated", "connection_id", "updated_at", "amo_id"),
        Index("ix_amo_leads_price", "connection_id", "price", "amo_id", "created_at"),
        Index("ix_amo_leads_status", "connection_id", "status_id"),
        Index("ix_amo_leads_pipeline", "connection_id", "pipeline_id", "status_id"),
        Index("ix_amo_leads_responsible", "connection_id", "responsible_user_id", "price"),
        Index("ix_amo_leads_pending", "connection_id", "contacts_pending"),
        # The text search yields lead ids (see leads/search.py); this narrow index keeps
        # "which of them are this connection's" off the wide rows.
        Index("ix_amo_leads_id_connection", "id", "connection_id"),
    )

    name: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[int] = mapped_column(BigInteger, default=0)
    status_id: Mapped[int] = mapped_column(BigInteger)
    pipeline_id: Mapped[int] = mapped_column(BigInteger)
    responsible_user_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)  # Unix seconds, as amoCRM sends them
    updated_at: Mapped[int] = mapped_column(BigInteger)
    closed_at: Mapped[int | None] = mapped_column(BigInteger)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{id, name, phone, main}], the main contact first: what the list shows, copied from
    # amo_contacts (``contacts_pending`` until every contact is known).
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # amoCRM's custom_fields_values, as sent (each value names its field and type).
    custom_fields: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    company_id: Mapped[int | None] = mapped_column(BigInteger)
    # "\x1f"-delimited lowercased tag names, so an exact tag is one LIKE on one column.
    tags_key: Mapped[str] = mapped_column(Text, default="")
    # Lowercased name + contact names + tags: the free-text `query` searches only this.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # True until every contact is known (contacts are fetched after the leads), and again
    # when one of them changed.
    contacts_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # The full-sync generation that last saw this lead; older ones are gone from amoCRM.
    sync_gen: Mapped[int] = mapped_column(Integer, default=0)
    # The lead as the list shows it, JSON (``leads.listed``): rendered when the row is
    # written, so a page reads it instead of building it from the columns above.
    listed: Mapped[bytes | None] = mapped_column(LargeBinary)


class RefetchRequest(Base):
    """A lead a webhook named, waiting to be read back from amoCRM. Written by the webhook
    request; the connection's one queued re-fetch job drains them (and deletes exactly the rows
    it read, so a lead named again meanwhile is read again)."""

    __tablename__ = "amo_refetch_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey(_CONNECTION_FK, ondelete="CASCADE"), index=True
    )
    lead_id: Mapped[int] = mapped_column(BigInteger)
