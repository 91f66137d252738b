"""The connection, its sync state, and why the user's last connection ended. Every mirror row
hangs off a connection (``ON DELETE CASCADE``): deleting the connection deletes everything
stored for it; the ending belongs to the user and stays."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from foryou_crm.core.db import Base, UTCDateTime

Platform = Literal["amocrm", "kommo"]
KOMMO = 2


def platform_name(platform: int | None, domain: str) -> Platform:
    """amoCRM's ``platform`` (1 amoCRM, 2 Kommo) when known, else told by the domain."""
    if platform == KOMMO or domain.endswith((".kommo.com", ".amocrm.com")):
        return "kommo"
    return "amocrm"


@dataclass(frozen=True)
class ConnectionRef:
    """What calling amoCRM for a connection needs, detached from any database session."""

    id: int
    user_id: int
    account_id: int
    domain: str
    platform: int
    is_admin: bool
    amo_user_id: int | None


class AmoConnection(Base):
    """A user's own amoCRM/Kommo connection: one per user, never shared."""

    __tablename__ = "amocrm_connections"
    # Never reuse an id: a sync still running for a deleted connection must not write into a
    # new connection that got the same id (SQLite reuses rowids without AUTOINCREMENT).
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    account_id: Mapped[int] = mapped_column(BigInteger, index=True)
    domain: Mapped[str] = mapped_column(String(255))
    platform: Mapped[int] = mapped_column(Integer)
    account_name: Mapped[str] = mapped_column(String(255), default="")
    # The account's currency (ISO code and sign), read by every full pass; prices are in it.
    currency: Mapped[str | None] = mapped_column(String(8))
    currency_symbol: Mapped[str | None] = mapped_column(String(8))
    amo_user_id: Mapped[int | None] = mapped_column(BigInteger)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    access_token_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    token_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    needs_reconnect: Mapped[bool] = mapped_column(Boolean, default=False)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def ref(self) -> ConnectionRef:
        return ConnectionRef(**{f.name: getattr(self, f.name) for f in fields(ConnectionRef)})


EndReason = Literal["agent_disconnected", "integration_removed", "refresh_refused", "admin_removed"]
"""Why a connection ended (or, for ``refresh_refused``, stopped working until reconnected):
the agent's «Відключити», amoCRM's uninstall hook, amoCRM refusing the refresh token, or an
administrator of this service removing it."""


class ConnectionEnding(Base):
    """The last time a user's connection ended, and why; one per user, kept until the user
    connects again, so the screens can say what happened and what to do next. It outlives the
    connection row on purpose (no foreign key to it)."""

    __tablename__ = "amocrm_connection_endings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[EndReason] = mapped_column(String(32))
    domain: Mapped[str] = mapped_column(String(255))  # the account the connection was to
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())


# What the agent sees: asked for and waiting for a worker, being read, stopped by an error, or
# up to date as of ``last_synced_at``.
SyncStateName = Literal["idle", "queued", "running", "failed"]
# What a queued sync was asked to do: ``auto`` lets the job choose (resume, full when due, else
# incremental).
SyncRequest = Literal["auto", "full", "incremental"]


class SyncState(Base):
    """One per connection: what the sync is doing, what was asked of it, and where to resume
    after a restart. The queue only schedules work; this row is the truth about it (a job that
    finds nothing asked here does nothing), so a lost or duplicated job costs nothing."""

    __tablename__ = "amo_sync_states"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("amocrm_connections.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[SyncStateName] = mapped_column(String(16), default="idle")
    requested: Mapped[str] = mapped_column(String(16), default="")  # SyncRequest or ""
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # leads.sync.phases.Phase: the step a running (or interrupted) sync is in.
    phase: Mapped[str] = mapped_column(String(16), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    # The full pass's generation: leads it saw carry it (amo_leads.sync_gen).
    gen: Mapped[int] = mapped_column(Integer, default=0)
    # Claimed (+1) by every job that writes this connection's mirror; a checkpoint is written
    # only while the job still holds it, so a worker taken for dead writes nothing late.
    fence: Mapped[int] = mapped_column(Integer, default=0)
    # The full pass reads leads by id, ascending: the last page written with every page before
    # it, and the last lead id on it …
    cursor_page: Mapped[int] = mapped_column(Integer, default=0)
    cursor_id: Mapped[int | None] = mapped_column(BigInteger)
    # … and the same as of the last check that no already-read lead was deleted since (a
    # deletion shifts amoCRM's offset pages; the pass backs up to here when one was).
    checked_page: Mapped[int] = mapped_column(Integer, default=0)
    checked_id: Mapped[int | None] = mapped_column(BigInteger)
    # Set when the pass backed up: the page to read first to find where ``cursor_id`` is now.
    anchor_page: Mapped[int | None] = mapped_column(Integer)
    # Ids found in amoCRM's trash since the full pass began (each deletion counts once).
    deleted_seen: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Newest updated_at when the running full pass began: the incremental pass after it
    # catches whatever changed while the pages were read.
    full_high_water: Mapped[int | None] = mapped_column(BigInteger)
    first_created_at: Mapped[int | None] = mapped_column(BigInteger)
    # Newest updated_at already mirrored: incremental syncs read down to it.
    high_water: Mapped[int | None] = mapped_column(BigInteger)
    # The same for a lead's details, per kind ({"contacts", "companies", "notes", "tasks"}:
    # the newest updated_at of each read so far); a full pass starts them at full_high_water.
    detail_marks: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    leads_count: Mapped[int] = mapped_column(Integer, default=0)
    # +1 with every write to this connection's leads (``leads.store``): counts of the lead
    # list are kept per version (``leads.counts``) and recounted only once it moves.
    mirror_version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_full_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    webhook_subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
