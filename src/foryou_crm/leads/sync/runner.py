"""The in-process scheduler around the sync jobs: one task per connection at a time, a periodic
incremental sync, resume after a restart, webhook re-fetches. A separate worker process would
call the same ``jobs.run_sync`` / ``jobs.refetch_leads``."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import select

from foryou_crm.connections import repository
from foryou_crm.connections.models import AmoConnection, SyncState
from foryou_crm.core.config import Settings
from foryou_crm.leads import webhooks
from foryou_crm.leads.sync import jobs

log = structlog.get_logger("foryou_crm.leads.runner")


class LeadsRunner:
    """Runs the sync jobs as tasks of this process. Exchange-code, lead webhooks and
    ``POST /sync`` reach it as ``Services.sync_runner``; issue 13 replaces it with jobs on a
    queue."""

    def __init__(self, deps: jobs.SyncDeps, settings: Settings) -> None:
        self.deps = deps
        self.settings = settings
        self._syncs: dict[int, asyncio.Task[str]] = {}
        self._others: set[asyncio.Task[object]] = set()
        self._pending_refetch: dict[int, set[int]] = {}
        self._periodic: asyncio.Task[None] | None = None
        self._stopped = False

    async def connected(self, connection_id: int) -> None:
        """A connection was activated: subscribe webhooks (admins) and run the first sync.
        Returns at once; the work runs as a task of its own."""
        self._spawn(self._after_connect(connection_id))

    async def _after_connect(self, connection_id: int) -> None:
        async with self.deps.sessionmaker() as session, session.begin():
            await repository.ensure_sync_state(session, connection_id)
        if self.settings.amocrm_rate_limit_rps <= 50:
            # The OAuth flow has just sent its own requests (token, account, users); a pause
            # lets their arrivals at amoCRM clear the one-second window before the pages.
            await asyncio.sleep(1.0)
        # Subscribed first, so changes made while the first sync reads pages are announced.
        await webhooks.subscribe(
            self.settings, self.deps.sessionmaker, self.deps.tokens, connection_id
        )
        self.schedule(connection_id, full=True)

    # --- scheduling -------------------------------------------------------------------------

    def running(self, connection_id: int) -> bool:
        task = self._syncs.get(connection_id)
        return task is not None and not task.done()

    def schedule(self, connection_id: int, *, full: bool | None = None) -> bool:
        """Start a sync unless one is running for this connection. True if started."""
        if self._stopped or self.running(connection_id):
            return False
        task = asyncio.create_task(jobs.run_sync(self.deps, connection_id, full=full))
        self._syncs[connection_id] = task
        return True

    async def idle(self) -> None:
        """Until no sync or re-fetch task runs (tests, the CLI)."""
        while pending := [t for t in (*self._syncs.values(), *self._others) if not t.done()]:
            await asyncio.wait(pending)

    def refetch(self, connection_ids: list[int], lead_ids: list[int]) -> None:
        for connection_id in connection_ids:
            queued = self._pending_refetch.get(connection_id)
            if queued is not None:
                queued.update(lead_ids)  # a drain task for this connection is already queued
                continue
            self._pending_refetch[connection_id] = set(lead_ids)
            self._spawn(self._drain_refetch(connection_id))

    async def _drain_refetch(self, connection_id: int) -> None:
        while ids := self._pending_refetch.get(connection_id):
            self._pending_refetch[connection_id] = set()
            await jobs.refetch_leads(self.deps, connection_id, sorted(ids))
        self._pending_refetch.pop(connection_id, None)

    def _spawn(self, coro: Coroutine[Any, Any, object]) -> None:
        if self._stopped:
            # Shutting down (a late webhook, say): starting work now would outlive the engine.
            coro.close()
            return
        task: asyncio.Task[object] = asyncio.create_task(coro)
        self._others.add(task)
        task.add_done_callback(self._others.discard)

    # --- lifespan ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Resume syncs a restart interrupted, then keep every connection fresh."""
        self._stopped = False
        async with self.deps.sessionmaker() as session:
            interrupted = (
                await session.execute(
                    select(SyncState.connection_id).where(SyncState.state == "running")
                )
            ).scalars()
            for connection_id in interrupted:
                log.info("leads_sync_resuming", connection_id=connection_id)
                self.schedule(connection_id)
        self._periodic = asyncio.create_task(self._periodic_loop())

    async def _periodic_loop(self) -> None:
        interval = timedelta(seconds=self.settings.amocrm_sync_interval_seconds)
        tick = max(1.0, min(30.0, interval.total_seconds() / 5))
        while True:
            await asyncio.sleep(tick)
            try:
                await self.tick(interval)
            except Exception:
                # Broad on purpose, logged with its traceback: one failed round (the database
                # away for a moment) must not end the schedule of every later one.
                log.exception("leads_scheduler_failed")

    async def tick(self, interval: timedelta) -> int:
        """Start the syncs that are due; returns how many started."""
        now = self.deps.clock.now()
        async with self.deps.sessionmaker() as session:
            rows = await session.execute(
                select(AmoConnection.id, SyncState)
                .outerjoin(SyncState, SyncState.connection_id == AmoConnection.id)
                .where(AmoConnection.needs_reconnect.is_(False))
            )
            due = [cid for cid, state in rows if jobs.is_due(state, now, interval)]
        return sum(self.schedule(cid) for cid in due)

    async def stop(self) -> None:
        self._stopped = True
        tasks: list[asyncio.Task[object]] = [*self._syncs.values(), *self._others]
        if self._periodic is not None:
            tasks.append(self._periodic)
        for task in tasks:
            task.cancel()
        for task in tasks:
            # Each ends in CancelledError (or already ended in its own error, which the job
            # recorded in its sync state): stopping only waits for them to finish.
            with contextlib.suppress(BaseException):
                await task
        self._syncs.clear()
        self._periodic = None
