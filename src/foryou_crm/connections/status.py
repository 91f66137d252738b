"""What ``GET /api/amo-crm/status`` (and exchange-code, disconnect) answer: the connection as
the app shows it, with its sync, and — when there is none or it needs reconnecting — why it
ended and when (``ended``)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

import orjson

from foryou_crm.connections.models import (
    ConnectionEnding,
    EndReason,
    Platform,
    SyncStateName,
    platform_name,
)
from foryou_crm.connections.views import ConnectionView, SyncView
from foryou_crm.core.schemas import CamelModel


class SyncOut(CamelModel):
    state: SyncStateName = "idle"
    progress: float = 0.0
    last_synced_at: datetime | None = None
    leads: int = 0
    error: str | None = None


class EndedOut(CamelModel):
    """Why the connection ended (or, with ``needsReconnect``, stopped working) and when; shown
    until the user connects again."""

    reason: EndReason
    at: datetime
    domain: str  # the amoCRM account it was connected to


class StatusOut(CamelModel):
    connected: bool
    has_tokens: bool
    domain: str | None = None
    account_id: str | None = None
    account_name: str | None = None
    currency: str | None = None  # the account's (ISO code), known after the first sync
    currency_symbol: str | None = None
    platform: Platform | None = None
    connected_at: datetime | None = None
    needs_reconnect: bool = False
    sync: SyncOut | None = None
    ended: EndedOut | None = None

    def envelope(self) -> dict[str, Any]:
        return {"success": True, "data": self.model_dump(by_alias=True, mode="json")}


def sync_out(state: SyncView | None) -> SyncOut:
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


@functools.lru_cache(maxsize=1024)
def sync_json(state: SyncView | None) -> orjson.Fragment:
    """``sync_out`` as the JSON a lead list page carries, made once per state: every page
    has it, and a state changes only as a sync moves it."""
    return orjson.Fragment(orjson.dumps(sync_out(state).model_dump(by_alias=True, mode="json")))


def ended_out(
    ending: ConnectionEnding | None, connection: ConnectionView | None
) -> EndedOut | None:
    """Nothing to explain while connected; otherwise the recorded reason (for a connection
    amoCRM stopped accepting, ``refresh_refused``, recorded when the refresh was refused)."""
    if ending is None or (connection is not None and not connection.needs_reconnect):
        return None
    return EndedOut(reason=ending.reason, at=ending.ended_at, domain=ending.domain)


def status_of(
    connection: ConnectionView | None,
    sync: SyncView | None,
    ending: ConnectionEnding | None = None,
) -> StatusOut:
    ended = ended_out(ending, connection)
    if connection is None:
        return StatusOut(connected=False, has_tokens=False, ended=ended)
    return StatusOut(
        connected=not connection.needs_reconnect,
        has_tokens=True,
        domain=connection.domain,
        account_id=str(connection.account_id),
        account_name=connection.account_name,
        currency=connection.currency,
        currency_symbol=connection.currency_symbol,
        platform=platform_name(connection.platform, connection.domain),
        connected_at=connection.connected_at,
        needs_reconnect=connection.needs_reconnect,
        sync=sync_out(sync),
        ended=ended,
    )
