"""The periodic tick: which connections need a job now. It is how the outbox is swept (a
request that committed ``queued`` but whose defer was lost — a crash between commit and defer,
a restart of the in-process queue on SQLite, a CLI beside the demo), how an interrupted or
waiting pass goes on, and how incremental passes (every ``amocrm_sync_interval_seconds``) and
the daily full pass are asked for."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy import select

from foryou_crm.connections import repository
from foryou_crm.connections.models import AmoConnection, SyncState
from foryou_crm.leads.models import RefetchRequest
from foryou_crm.leads.sync.job import SyncDeps
from foryou_crm.leads.sync.run import is_asked
from foryou_crm.users.models import User

log = structlog.get_logger("foryou_crm.leads.sync")

# Task names as stored in the queue's job rows (never rename one without an alias).
SYNC = "sync_connection"
REFETCH = "refetch_leads"
TICK = "tick"
RECOVER = "recover_stalled"
PRUNE = "prune_jobs"


class Deferrer(Protocol):
    async def defer_sync(self, connection_id: int, delay: float | None = None) -> bool: ...

    async def defer_refetch(self, connection_id: int, delay: float | None = None) -> bool: ...

    async def active(self, task: str) -> set[int]: ...


def is_due(state: SyncState, now: datetime, interval: timedelta) -> bool:
    """An idle (or failed, with nothing left to go on with) connection whose last sync is older
    than the interval, and no pause is running."""
    if state.state not in ("idle", "failed") or is_asked(state, now):
        return False
    if state.retry_at is not None and state.retry_at > now:
        return False
    return state.last_synced_at is None or state.last_synced_at <= now - interval


async def due_connections(deps: SyncDeps) -> list[int]:
    """Connections whose sync should have a job now; the due ones are marked ``queued`` (in
    one transaction) on the way. A disabled user's connection is not polled: nobody can read
    its mirror, and its calls would spend the account's budget that every agent shares; what
    was already asked still runs, and once enabled again the next tick finds it due."""
    now = deps.clock.now()
    interval = timedelta(seconds=deps.settings.amocrm_sync_interval_seconds)
    wanted: list[int] = []
    async with deps.sessionmaker() as session, session.begin():
        found = await session.execute(
            select(AmoConnection.id, SyncState, User.disabled_at.is_not(None))
            .join(User, User.id == AmoConnection.user_id)
            .outerjoin(SyncState, SyncState.connection_id == AmoConnection.id)
            .where(AmoConnection.needs_reconnect.is_(False))
        )
        for connection_id, state, disabled in found.all():
            if state is not None and is_asked(state, now):
                wanted.append(connection_id)
            elif disabled:
                continue
            elif state is None or is_due(state, now, interval):
                await repository.request_sync(session, connection_id, now)
                wanted.append(connection_id)
    return wanted


async def tick(deps: SyncDeps, queue: Deferrer) -> int:
    """Defer what is due and what lost its job; how many jobs were deferred."""
    syncing = await queue.active(SYNC)
    deferred = 0
    for connection_id in await due_connections(deps):
        if connection_id not in syncing:
            deferred += await queue.defer_sync(connection_id)
    refetching = await queue.active(REFETCH)
    async with deps.sessionmaker() as session:
        waiting = (await session.execute(select(RefetchRequest.connection_id).distinct())).scalars()
        for connection_id in set(waiting) - refetching:
            deferred += await queue.defer_refetch(connection_id)
    if deferred:
        log.info("leads_sync_tick", deferred=deferred)
    return deferred
