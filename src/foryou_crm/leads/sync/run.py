"""One run of a connection's sync job: claim the connection, do what its sync state asks
(resume an interrupted pass at its phase, or start a full or incremental pass), and record
how it ended where the agent sees it.

The sync state is the truth; the queue only schedules. A job that finds nothing asked
(``idle``, or ``failed`` waiting for its retry time) does nothing, so a duplicate or late job
costs one read and no amoCRM call."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.errors import (
    AmoCRMAuthError,
    AmoCRMError,
    AmoCRMForbidden,
    AmoCRMPaymentRequired,
    AmoCRMRateLimited,
    AmoCRMUnavailable,
)
from foryou_crm.connections.errors import NotConnected, ReconnectRequired
from foryou_crm.connections.models import SyncState
from foryou_crm.core import metrics
from foryou_crm.leads import store
from foryou_crm.leads.sync import contacts, details, full, incremental, reference
from foryou_crm.leads.sync.job import Fenced, Job, SyncDeps, claim, connection_exists
from foryou_crm.leads.sync.outcome import failure_outcome
from foryou_crm.leads.sync.pacing import never
from foryou_crm.leads.sync.phases import GONE, NOTHING_ASKED, Outcome, Phase, Stopped

log = structlog.get_logger("foryou_crm.leads.sync")

BLOCKED_BACKOFF = timedelta(minutes=15)
# amoCRM kept answering 429 or not at all: the job saves its place and goes on after this.
SHORT_WAIT = timedelta(seconds=60)
OUR_SIDE_WAIT = timedelta(minutes=1)


def is_asked(state: SyncState, now: datetime) -> bool:
    """Whether the state asks for work now: queued, interrupted, or failed with a pass to go
    on with once its wait is over."""
    if state.state in ("queued", "running"):
        return True
    waited = state.retry_at is None or state.retry_at <= now
    return state.state == "failed" and bool(state.requested) and waited


async def run_sync(
    deps: SyncDeps, connection_id: int, should_stop: Callable[[], bool] = never
) -> Outcome:
    job = await claim(deps, connection_id, should_stop)
    if job is None:
        return GONE
    if not is_asked(job.state, deps.clock.now()):
        return NOTHING_ASKED
    started = time.perf_counter()

    def observed(outcome: metrics.SyncOutcome) -> None:
        phase: metrics.SyncPhase = "full" if job.kind == "full" else "incremental"
        metrics.sync_phase_finished(phase, outcome, time.perf_counter() - started)

    try:
        await _run(job)
    except Stopped:
        log.info("leads_sync_stopped", connection_id=job.cid, phase=job.state.phase)
        observed("stopped")
        return Outcome("stopped", resume_in=0.0)
    except Fenced:
        log.warning("leads_sync_fenced", connection_id=job.cid)
        observed("fenced")
        return Outcome("fenced")
    except NotConnected:
        log.info("leads_sync_connection_gone", connection_id=job.cid)
        observed("gone")
        return GONE
    except IntegrityError:
        # A write for a connection deleted meanwhile (the foreign key refused it)?
        if not await connection_exists(deps, connection_id):
            observed("gone")
            return GONE
        observed("error")
        raise
    except Exception as exc:
        # Broad on purpose: whatever stopped the job is recorded where the agent sees it (the
        # sync state, with a retry time where one helps) and logged with its traceback.
        observed(failure_outcome(exc))
        return await _fail(job, exc)
    observed("ok")
    return Outcome("done", rejected=len(job.rejected))


async def _run(job: Job) -> None:
    st, now = job.state, job.deps.clock.now()
    if st.phase:
        log.info("leads_sync_resuming", connection_id=job.cid, phase=st.phase, page=st.cursor_page)
        await job.commit(state="running", error=None, retry_at=None)
    else:
        await _start(job, now)
    job.kind = st.requested
    is_full = st.requested == "full"
    if st.phase == Phase.REFERENCE:
        await reference.refresh(job)
        await job.commit(phase=Phase.LEADS if is_full else Phase.INCREMENTAL)
    if st.phase == Phase.LEADS:
        if st.full_high_water is None and st.cursor_page == 0:
            await job.commit(full_high_water=await _newest_updated_at(job))
        await full.read_leads(job)
        await job.commit(phase=Phase.CONTACTS, progress=0.9)
    if st.phase == Phase.CONTACTS:
        # The details phase walks the mirror's leads by id with the cursor the leads used.
        await contacts.resolve(job, refresh=True, phase=Phase.DETAILS, cursor_id=None)
    if st.phase == Phase.DETAILS:
        await details.read_activity(job)
        await job.commit(phase=Phase.RECONCILE, progress=0.93)
    if st.phase == Phase.RECONCILE:
        await full.reconcile(job)
        await job.commit(
            phase=Phase.INCREMENTAL,
            high_water=st.full_high_water,
            detail_marks={},  # the details' marks start where the leads' does
            progress=0.97,
        )
    if st.phase == Phase.INCREMENTAL:
        changes = await incremental.catch_up(job, st.high_water)
        marks = await details.catch_up(job, st.high_water)
        await contacts.resolve(job)
        await _finish(job, changes, marks, was_full=is_full)


async def _start(job: Job, now: datetime) -> None:
    st, settings = job.state, job.deps.settings
    kind = st.requested
    if kind not in ("full", "incremental"):
        due = now - timedelta(hours=settings.amocrm_full_sync_hours)
        kind = "full" if st.last_full_at is None or st.last_full_at < due else "incremental"
    values: dict[str, Any] = {
        "state": "running",
        "requested": kind,
        "phase": Phase.REFERENCE,
        "progress": 0.0,
        "error": None,
        "retry_at": None,
        "started_at": now,
    }
    if kind == "full":
        values.update(_fresh_full_pass(st.gen + 1))
    await job.commit(**values)
    log.info("leads_sync_started", connection_id=job.cid, mode=kind, gen=job.state.gen)


def _fresh_full_pass(gen: int) -> dict[str, Any]:
    return {
        "gen": gen,
        "cursor_page": 0,
        "cursor_id": None,
        "checked_page": 0,
        "checked_id": None,
        "anchor_page": None,
        "deleted_seen": [],
        "full_high_water": None,
        "first_created_at": None,
    }


async def _newest_updated_at(job: Job) -> int | None:
    page = await job.pacer.call(
        lambda c: c.list_leads(page=1, limit=1, order=("updated_at", "desc"))
    )
    return incremental.newest_stamp(page.leads)


async def _finish(
    job: Job, changes: incremental.Changes, marks: dict[str, int], *, was_full: bool
) -> None:
    now = job.deps.clock.now()

    async def count(session: AsyncSession) -> int:
        return await store.count_leads(session, job.cid)

    total = int(await job.read(count))
    values: dict[str, Any] = {
        "state": "idle",
        "phase": Phase.NONE,
        "requested": "",
        "progress": 1.0,
        "error": None,
        "retry_at": None,
        "leads_count": total,
        "last_synced_at": now,
        "high_water": changes.high_water,
        "detail_marks": marks,
    }
    if was_full:
        values.update(_fresh_full_pass(job.state.gen), last_full_at=now)
    await job.commit(**values)
    log.info(
        "leads_sync_finished",
        connection_id=job.cid,
        mode="full" if was_full else "incremental",
        leads=total,
        changed=changes.changed,
        trashed=changes.trashed,
        requests=job.pacer.requests,
        rate_limited=job.pacer.rate_limited,
        rejected=len(job.rejected),
    )


def _failure(exc: Exception) -> tuple[str, timedelta | None, bool]:
    """(what the agent reads, how long until the pass goes on — None: not by itself —, whether
    the pass keeps its place)."""
    if isinstance(exc, AmoCRMForbidden):
        return (
            "amoCRM refused access (403): the API is blocked for this account or the token "
            "lacks rights. Sync paused; it will be retried later.",
            BLOCKED_BACKOFF,
            True,
        )
    if isinstance(exc, ReconnectRequired | AmoCRMAuthError):
        return "amoCRM no longer accepts this connection; connect amoCRM again.", None, False
    if isinstance(exc, AmoCRMPaymentRequired):
        return "The amoCRM account is not paid; amoCRM refuses API access.", None, False
    if isinstance(exc, AmoCRMRateLimited):
        return (
            "amoCRM kept answering 429 (too many requests); the sync will go on shortly.",
            SHORT_WAIT,
            True,
        )
    if isinstance(exc, AmoCRMUnavailable):
        return "amoCRM is not answering; the sync will go on shortly.", SHORT_WAIT, True
    if isinstance(exc, AmoCRMError):
        return f"amoCRM error: {exc.message}", None, False
    return "The sync failed on our side; it will be retried.", OUR_SIDE_WAIT, True


async def _fail(job: Job, exc: Exception) -> Outcome:
    message, wait, keep_place = _failure(exc)
    ours = not isinstance(exc, AmoCRMError | ReconnectRequired)
    (log.error if ours else log.warning)(
        "leads_sync_failed",
        connection_id=job.cid,
        phase=job.state.phase,
        error_code=getattr(exc, "code", type(exc).__name__),
        requests=job.pacer.requests,
        exc_info=ours,
    )
    now = job.deps.clock.now()
    values: dict[str, Any] = {
        "state": "failed",
        "error": message,
        "retry_at": now + wait if wait is not None else None,
    }
    if not keep_place:
        values.update(requested="", phase=Phase.NONE)
    try:
        await job.commit(**values)
    except (SQLAlchemyError, Fenced) as failed:  # the database itself failed the job
        log.info("leads_sync_state_not_saved", connection_id=job.cid, error=type(failed).__name__)
    resume = wait if wait is not None and wait <= SHORT_WAIT else None
    return Outcome("failed", resume_in=resume.total_seconds() if resume else None)
