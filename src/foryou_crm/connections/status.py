"""What ``GET /api/amo-crm/status`` (and exchange-code, disconnect) answer: the connection as
the app shows it, with its sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from foryou_crm.connections.models import (
    AmoConnection,
    Platform,
    SyncState,
    SyncStateName,
    platform_name,
)
from foryou_crm.core.schemas import CamelModel


class SyncOut(CamelModel):
    state: SyncStateName = "idle"
    progress: float = 0.0
    last_synced_at: datetime | None = None
    leads: int = 0
    error: str | None = None


class StatusOut(CamelModel):
    connected: bool
    has_tokens: bool
    domain: str | None = None
    account_id: str | None = None
    account_name: str | None = None
    platform: Platform | None = None
    connected_at: datetime | None = None
    needs_reconnect: bool = False
    sync: SyncOut | None = None

    def envelope(self) -> dict[str, Any]:
        return {"success": True, "data": self.model_dump(by_alias=True, mode="json")}


NOT_CONNECTED = StatusOut(connected=False, has_tokens=False)


def sync_out(state: SyncState | None) -> SyncOut:
    """No state row yet reads as idle with nothing mirrored."""
    if state is None:
        return SyncOut()
    return SyncOut(
        state=state.state,
        progress=max(0.0, min(1.0, state.progress or 0.0)),
        last_synced_at=state.last_synced_at,
        leads=state.leads_count or 0,
        error=state.error if state.state == "failed" else None,
    )


def status_of(connection: AmoConnection | None, sync: SyncState | None) -> StatusOut:
    if connection is None:
        return NOT_CONNECTED
    return StatusOut(
        connected=not connection.needs_reconnect,
        has_tokens=True,
        domain=connection.domain,
        account_id=str(connection.account_id),
        account_name=connection.account_name,
        platform=platform_name(connection.platform, connection.domain),
        connected_at=connection.connected_at,
        needs_reconnect=connection.needs_reconnect,
        sync=sync_out(sync),
    )
