"""The jobs the queue runs, registered on a Procrastinate ``App``: thin functions over
``run``, ``refetch`` and ``schedule``. No task has ``retry=``: with a queueing lock a retry can
collide with the next queued job and leave the row ``doing`` forever (procrastinate #1446);
a job that must wait saves its place and defers its own continuation instead, and the tick
re-defers whatever lost its job."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import structlog
from procrastinate import App, JobContext
from procrastinate.jobs import Status

from foryou_crm.leads.sync import refetch, schedule
from foryou_crm.leads.sync.job import SyncDeps
from foryou_crm.leads.sync.phases import Outcome
from foryou_crm.leads.sync.run import run_sync
from foryou_crm.leads.sync.schedule import PRUNE, RECOVER, REFETCH, SYNC, TICK, Deferrer

log = structlog.get_logger("foryou_crm.leads.sync")

# Every 10 seconds (the sixth cron field is seconds), deduplicated across workers.
EVERY_10_SECONDS = "* * * * * */10"
HOURLY = "17 * * * *"
# Procrastinate fetches the highest priority first (sync and re-fetch jobs have 0).
CONTROL_PRIORITY = 10
# Finished jobs are deleted at once; failed and aborted ones stay this long for inspection.
KEEP_FAILED_HOURS = 72


class RejectedItems(Exception):
    """The job finished but left out items amoCRM answered malformed or refused (each logged
    and counted): raised so the queue records the job as failed and `foryou-crm jobs` shows
    it."""


@dataclass
class WorkerEnv:
    """What the tasks of one worker run on; passed as the jobs' ``additional_context``."""

    deps: SyncDeps
    queue: Deferrer
    stopping: asyncio.Event  # set on SIGTERM: jobs save their place and return
    stalled_after: float


def _env(ctx: JobContext) -> WorkerEnv:
    env: WorkerEnv = ctx.additional_context["env"]
    return env


async def _finish(env: WorkerEnv, outcome: Outcome, defer: Any, connection_id: int) -> str:
    if outcome.resume_in is not None:
        await defer(connection_id, delay=outcome.resume_in)
    if outcome.rejected:
        raise RejectedItems(f"{outcome.rejected} lead(s) left out; see the log")
    return outcome.result


def register(app: App) -> None:
    """The tasks, on ``app``; periodic schedules are added by ``register_periodic``."""

    @app.task(name=SYNC, queue="sync", pass_context=True)
    async def sync_connection(ctx: JobContext, connection_id: int) -> str:
        env = _env(ctx)
        outcome = await run_sync(env.deps, connection_id, env.stopping.is_set)
        return await _finish(env, outcome, env.queue.defer_sync, connection_id)

    @app.task(name=REFETCH, queue="sync", pass_context=True)
    async def refetch_leads(ctx: JobContext, connection_id: int) -> str:
        env = _env(ctx)
        outcome = await refetch.run_refetch(env.deps, connection_id, env.stopping.is_set)
        return await _finish(env, outcome, env.queue.defer_refetch, connection_id)

    @app.task(name=TICK, queue="control", queueing_lock=TICK, pass_context=True)
    async def tick(ctx: JobContext, timestamp: int) -> int:
        env = _env(ctx)
        return await schedule.tick(env.deps, env.queue)

    @app.task(name=RECOVER, queue="control", queueing_lock=RECOVER, pass_context=True)
    async def recover_stalled(ctx: JobContext, timestamp: int) -> int:
        """Jobs of workers that stopped sending heartbeats (killed, machine lost) are marked
        failed — not retried: a retry could collide with the next queued job's queueing lock
        (#1446) — and their connection's job is deferred again at once; the sync state says
        where it resumes."""
        env, jobs = _env(ctx), ctx.app.job_manager
        stalled = list(await jobs.get_stalled_jobs(seconds_since_heartbeat=env.stalled_after))
        for job in stalled:
            await jobs.finish_job(job, status=Status.FAILED, delete_job=False)
            log.warning(
                "queue_stalled_job_recovered",
                job_id=job.id,
                task=job.task_name,
                worker_id=job.worker_id,
                connection_id=job.task_kwargs.get("connection_id"),
            )
            connection_id = job.task_kwargs.get("connection_id")
            if job.task_name == SYNC and isinstance(connection_id, int):
                await env.queue.defer_sync(connection_id)
            elif job.task_name == REFETCH and isinstance(connection_id, int):
                await env.queue.defer_refetch(connection_id)
        return len(stalled)

    @app.task(name=PRUNE, queue="control", queueing_lock=PRUNE)
    async def prune_jobs(timestamp: int) -> None:
        await app.job_manager.delete_old_jobs(
            nb_hours=KEEP_FAILED_HOURS, include_failed=True, include_aborted=True
        )


def register_periodic(app: App) -> None:
    """The tick and the stalled-job recovery every 10 s, the pruning of old failed jobs every
    hour, on every worker (the queue defers each once per timestamp, whichever worker gets
    there first). Ahead of the syncs: when every slot of every worker is busy, the recovery of
    a dead worker's jobs takes the first slot that frees, not a place behind the syncs."""
    registry = app.periodic_registry
    for name, cron in ((TICK, EVERY_10_SECONDS), (RECOVER, EVERY_10_SECONDS), (PRUNE, HOURLY)):
        if (name, name) not in registry.periodic_tasks:
            registry.register_task(
                task=app.tasks[name],
                cron=cron,
                periodic_id=name,
                configure_kwargs={"priority": CONTROL_PRIORITY},
            )
