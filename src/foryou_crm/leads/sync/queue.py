"""``SyncQueue``: the leads sync's job queue — Procrastinate on PostgreSQL (its own small
psycopg pool beside SQLAlchemy's asyncpg engine), its in-memory connector inside ``serve`` on
SQLite. The same tasks and code run in both; only where jobs wait differs.

Locks (Procrastinate's, enforced by unique indexes on its job table):
- ``lock=amo:{connection}`` on every job that writes a connection's mirror: at most one runs;
- ``queueing_lock=sync:{connection}`` / ``refetch:{connection}``: at most one of each waits.
  A second defer raises ``AlreadyEnqueued``, which means "the waiting job will do it" (the job
  reads what to do from the sync state when it starts).
Syncs and re-fetches have the same priority, so the jobs of one connection run first come,
first served (Procrastinate starts a job only when no job with its lock is running or waiting
ahead of it — even one scheduled for later: a continuation waiting for amoCRM holds the
connection's later jobs back, for at most a minute)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import structlog
from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import make_url

from foryou_crm.core.config import Settings
from foryou_crm.leads.sync import tasks
from foryou_crm.leads.sync.job import SyncDeps
from foryou_crm.leads.sync.schedule import REFETCH, SYNC

log = structlog.get_logger("foryou_crm.leads.sync")

QUEUE_PREFIX = "procrastinate_"
# Procrastinate's psycopg pool per process: an API process only defers (1–2 connections);
# a worker fetches, finishes, heartbeats and defers continuations through it, and holds one
# more connection of its own for LISTEN/NOTIFY.
API_POOL = 2
WORKER_POOL = 4


def is_queue_object(name: str | None) -> bool:
    """Procrastinate's tables, types and functions: created by migration 0006 from its own
    schema file, not by the models (Alembic's comparison leaves them alone)."""
    return bool(name and name.startswith(QUEUE_PREFIX))


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL (``postgresql+asyncpg://…``) as a libpq conninfo for psycopg."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(False)


class EmbeddedConnector(InMemoryConnector):
    """Procrastinate's in-memory connector, as ``serve`` runs it on SQLite for as long as the
    process lives. The original keeps every job's events after the job is gone (its tests read
    them): ~2.7 KB per job, and the tick and the stalled-job recovery alone run ~17,000 jobs a
    day. Here a job's events go with the job."""

    async def finish_job_run(self, job_id: int, status: str, delete_job: bool) -> None:
        await super().finish_job_run(job_id, status, delete_job)
        if delete_job:
            self.events.pop(job_id, None)

    async def delete_old_jobs_run(self, nb_hours: int, queue: str, statuses: Iterable[str]) -> None:
        await super().delete_old_jobs_run(nb_hours, queue, statuses)
        for gone in self.events.keys() - self.jobs.keys():
            del self.events[gone]


STOPPED_BY_ITSELF = "the job worker stopped by itself (see the error logged before)"


class WorkerStopped(RuntimeError):
    """Procrastinate stopped the worker by itself: it does so, and returns normally, when one of
    its side tasks fails (a heartbeat that could not reach PostgreSQL, the LISTEN connection
    lost). Raised so that the process does not carry on, or exit 0, without running jobs."""


@dataclass(frozen=True)
class JobRow:
    id: int | None
    task: str
    status: str
    connection_id: int | None
    scheduled_at: str | None
    attempts: int


class SyncQueue:
    def __init__(self, settings: Settings, deps: SyncDeps, *, pool_size: int = API_POOL) -> None:
        self.settings = settings
        self.deps = deps
        url = settings.resolved_database_url
        self.embedded = url.startswith("sqlite")
        connector: Any = (
            EmbeddedConnector()
            if self.embedded
            else PsycopgConnector(
                conninfo=libpq_url(url),
                min_size=1,
                max_size=pool_size,
                timeout=settings.queue_pool_timeout_seconds,
                # No server-side prepared statements: they break behind PgBouncer's
                # transaction pooling (psycopg/psycopg#280); these queries are few and small.
                kwargs={"prepare_threshold": None},
            )
        )
        self.app = App(connector=connector)
        tasks.register(self.app)
        self._opened = False

    # --- lifecycle --------------------------------------------------------------------------

    async def open(self) -> None:
        if not self._opened:
            await self.app.open_async()
            self._opened = True

    async def close(self) -> None:
        if self._opened:
            await self.app.close_async()
            self._opened = False

    # --- deferring --------------------------------------------------------------------------

    async def defer_sync(self, connection_id: int, delay: float | None = None) -> bool:
        """Queue the connection's sync job; False when one is already waiting (it will do
        the work: it reads what to do from the sync state)."""
        return await self._defer(SYNC, connection_id, delay)

    async def defer_refetch(self, connection_id: int, delay: float | None = None) -> bool:
        return await self._defer(REFETCH, connection_id, delay)

    async def _defer(self, task: str, connection_id: int, delay: float | None) -> bool:
        await self.open()
        kind = "sync" if task == SYNC else "refetch"
        deferrer = self.app.configure_task(
            task,
            lock=f"amo:{connection_id}",
            queueing_lock=f"{kind}:{connection_id}",
            schedule_in={"seconds": delay} if delay else None,
        )
        try:
            await deferrer.defer_async(connection_id=connection_id)
        except AlreadyEnqueued:
            return False
        log.info("queue_job_deferred", task=task, connection_id=connection_id, delay=delay)
        return True

    async def sync_after_commit(self, connection_id: int) -> None:
        """Defer right after the request committed the sync state that asks for the work.
        Nothing is lost if this fails (the process dies, the queue's database is away): the
        tick defers every connection whose state says queued."""
        try:
            await self.defer_sync(connection_id)
        except Exception:
            # Broad on purpose, logged with its traceback: the outbox row stays, see above.
            log.exception("queue_defer_failed", task=SYNC, connection_id=connection_id)

    async def refetch_after_commit(self, connection_ids: list[int]) -> None:
        """The same for the re-fetch jobs of the connections a webhook named leads of."""
        for connection_id in connection_ids:
            try:
                await self.defer_refetch(connection_id)
            except Exception:
                # Broad on purpose, logged: the requests stay and the tick defers them.
                log.exception("queue_defer_failed", task=REFETCH, connection_id=connection_id)

    # --- reading ----------------------------------------------------------------------------

    async def active(self, task: str) -> set[int]:
        """Connections that have a job of ``task`` waiting or running."""
        return {
            row.connection_id
            for row in await self.jobs(("todo", "doing"))
            if row.task == task and row.connection_id is not None
        }

    async def jobs(self, statuses: tuple[str, ...] = ("todo", "doing", "failed")) -> list[JobRow]:
        await self.open()
        found: list[JobRow] = []
        for status in statuses:
            for job in await self.app.job_manager.list_jobs_async(status=status):
                cid = job.task_kwargs.get("connection_id")
                found.append(
                    JobRow(
                        id=job.id,
                        task=job.task_name,
                        status=status,
                        connection_id=cid if isinstance(cid, int) else None,
                        scheduled_at=job.scheduled_at.isoformat() if job.scheduled_at else None,
                        attempts=job.attempts,
                    )
                )
        return found

    # --- working ----------------------------------------------------------------------------

    def _env(self, stopping: asyncio.Event) -> dict[str, Any]:
        return {
            "env": tasks.WorkerEnv(
                deps=self.deps,
                queue=self,
                stopping=stopping,
                stalled_after=self.settings.queue_stalled_after_seconds,
            )
        }

    async def run_worker(
        self, *, concurrency: int, stopping: asyncio.Event, name: str = "worker"
    ) -> None:
        """Run jobs until cancelled: the caller sets ``stopping`` first (jobs then save their
        place and return within a page), then cancels; Procrastinate waits up to the grace
        period for running jobs and releases their locks. Also defers the periodic tick and
        the stalled-job recovery (once per timestamp across all workers)."""
        await self.open()
        tasks.register_periodic(self.app)
        settings = self.settings
        try:
            await self.app.run_worker_async(
                name=name,
                concurrency=concurrency,
                install_signal_handlers=False,
                shutdown_graceful_timeout=settings.queue_shutdown_grace_seconds,
                update_heartbeat_interval=settings.queue_heartbeat_seconds,
                stalled_worker_timeout=settings.queue_stalled_after_seconds,
                fetch_job_polling_interval=2.0,
                delete_jobs="successful",
                additional_context=self._env(stopping),
            )
        except Exception as exc:
            if stopping.is_set():
                raise
            # Its own shutdown failed too, e.g. unregistering from a database still away.
            raise WorkerStopped(STOPPED_BY_ITSELF) from exc
        if not stopping.is_set():
            raise WorkerStopped(STOPPED_BY_ITSELF)

    async def run_until_idle(self, concurrency: int = 1) -> None:
        """Run every job that is due, including those the jobs defer, then return (tests; the
        periodic schedule is not started)."""
        await self.open()
        while await self._due():
            await self.app.run_worker_async(
                wait=False,
                concurrency=concurrency,
                install_signal_handlers=False,
                listen_notify=False,
                delete_jobs="successful",
                additional_context=self._env(asyncio.Event()),
            )

    async def _due(self) -> bool:
        from procrastinate import utils

        now = utils.utcnow()
        for job in await self.app.job_manager.list_jobs_async(status="todo"):
            if job.scheduled_at is None or job.scheduled_at <= now:
                return True
        return False
