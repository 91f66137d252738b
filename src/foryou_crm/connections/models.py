"""The connection, its sync state, and why the user's last connection ended. Every mirror row
hangs off a connection (``ON DELETE CASCADE``): deleting the connection deletes everything
stored for it; the ending belongs to the user and stays."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Literal

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
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


SyncStateName = Literal["idle", "running", "failed"]


class SyncState(Base):
    """One per connection: what the sync is doing, and where to resume after a restart."""

    __tablename__ = "amo_sync_states"

    connection_id: Mapped[int] = mapped_column(
        ForeignKey("amocrm_connections.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[SyncStateName] = mapped_column(String(16), default="idle")
    phase: Mapped[str] = mapped_column(String(16), default="")  # full | incremental | ""
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    gen: Mapped[int] = mapped_column(Integer, default=0)
    # The full pass: last page written with every page before it (resume after it).
    cursor_page: Mapped[int] = mapped_column(Integer, default=0)
    # Newest updated_at when the running full pass began: the incremental pass after it
    # catches whatever changed while the pages were read.
    full_high_water: Mapped[int | None] = mapped_column(BigInteger)
    first_created_at: Mapped[int | None] = mapped_column(BigInteger)
    # Newest updated_at already mirrored: incremental syncs read down to it.
    high_water: Mapped[int | None] = mapped_column(BigInteger)
    leads_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_full_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    webhook_subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
