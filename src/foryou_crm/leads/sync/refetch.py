"""Re-fetch: the leads amoCRM's webhooks named, read back one by one from the API (the payload
is not trusted). Webhook requests only add rows to ``amo_refetch_requests`` and defer the
connection's re-fetch job (at most one queued: its queueing lock); the job reads the rows,
deleting exactly those it read, so a lead named again meanwhile is read again.

One job reads at most ``PER_JOB`` leads, then defers its continuation: re-fetches and syncs of
a connection share its lock and run first come, first served, so a storm of webhooks (each
named lead costs a request) never keeps a sync from its turn."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.client import AmoCRMClient
from foryou_crm.amocrm.errors import (
    AmoCRMAuthError,
    AmoCRMError,
    AmoCRMForbidden,
    AmoCRMMisconfigured,
    AmoCRMPaymentRequired,
    AmoCRMRateLimited,
    AmoCRMUnavailable,
)
from foryou_crm.connections.errors import NotConnected, ReconnectRequired
from foryou_crm.connections.models import SyncState
from foryou_crm.core import metrics
from foryou_crm.leads import store
from foryou_crm.leads.models import RefetchRequest
from foryou_crm.leads.sync import contacts, details, rows
from foryou_crm.leads.sync.job import Fenced, Job, SyncDeps, claim
from foryou_crm.leads.sync.outcome import failure_outcome
from foryou_crm.leads.sync.pacing import never
from foryou_crm.leads.sync.phases import GONE, Outcome, Stopped

log = structlog.get_logger("foryou_crm.leads.sync")

BATCH = 50
# About ten seconds of one account's budget: then the connection's next job has its turn.
PER_JOB = 50
# amoCRM refused or did not answer: the rows stay, the job goes on after this many seconds.
RETRY_IN = 60.0


async def run_refetch(
    deps: SyncDeps, connection_id: int, should_stop: Callable[[], bool] = never
) -> Outcome:
    job = await claim(deps, connection_id, should_stop)
    if job is None:
        return GONE
    started = time.perf_counter()

    def observed(outcome: metrics.SyncOutcome) -> None:
        metrics.sync_phase_finished("refetch", outcome, time.perf_counter() - started)

    try:
        more = await drain(job)
    except Stopped:
        observed("stopped")
        return Outcome("stopped", resume_in=0.0)
    except Fenced:
        observed("fenced")
        return Outcome("fenced")
    except (NotConnected, ReconnectRequired, AmoCRMAuthError) as exc:
        # Nothing can be read with this connection any more; reconnecting makes a new one,
        # whose first full pass reads everything.
        await _forget(deps, connection_id)
        observed("gone" if isinstance(exc, NotConnected) else "reconnect")
        return GONE
    except AmoCRMError as exc:
        log.warning("leads_refetch_failed", connection_id=connection_id, error_code=exc.code)
        observed(failure_outcome(exc))
        return Outcome("failed", resume_in=RETRY_IN, rejected=len(job.rejected))
    observed("ok")
    return Outcome("done", resume_in=0.0 if more else None, rejected=len(job.rejected))


async def _forget(deps: SyncDeps, connection_id: int) -> None:
    async with deps.sessionmaker() as session, session.begin():
        await session.execute(
            delete(RefetchRequest).where(RefetchRequest.connection_id == connection_id)
        )


async def drain(job: Job) -> bool:
    """Read back the requested leads, up to PER_JOB; whether requests are left."""
    updated = removed = 0
    while updated + removed < PER_JOB:
        job.stop_if_asked()

        async def pending(session: AsyncSession) -> list[tuple[int, int]]:
            found = await session.execute(
                select(RefetchRequest.id, RefetchRequest.lead_id)
                .where(RefetchRequest.connection_id == job.cid)
                .order_by(RefetchRequest.id)
                .limit(BATCH)
            )
            return [(int(a), int(b)) for a, b in found]

        requests = await job.read(pending)
        if not requests:
            break
        present, gone = await _reread(job, sorted({lead for _, lead in requests}))
        await _apply(job, present, gone, [request for request, _ in requests])
        # The lead and everything about it: a webhook for a note, a task or a contact names
        # the lead too.
        await details.reread(job, rows.ids_of(present))
        updated, removed = updated + len(present), removed + len(gone)
    await contacts.resolve(job)

    async def count(session: AsyncSession) -> None:
        total = await store.count_leads(session, job.cid)
        await session.execute(
            update(SyncState).where(SyncState.connection_id == job.cid).values(leads_count=total)
        )

    await job.commit(count)

    async def waiting(session: AsyncSession) -> int:
        found = await session.scalar(
            select(func.count())
            .select_from(RefetchRequest)
            .where(RefetchRequest.connection_id == job.cid)
        )
        return int(found or 0)

    left = await job.read(waiting)
    log.info("leads_refetched", connection_id=job.cid, updated=updated, removed=removed, left=left)
    return bool(left)


async def _apply(
    job: Job, present: list[dict[str, Any]], gone: list[int], requests: list[int]
) -> None:
    """Upsert what is there, remove what is not, and the requests answered, together."""

    async def write(session: AsyncSession) -> None:
        await rows.write(session, job, present)
        await store.delete_leads(session, job.cid, gone)
        await session.execute(delete(RefetchRequest).where(RefetchRequest.id.in_(requests)))

    await job.commit(write)


# Answers about the whole account (tokens, blocked, unpaid, too fast, down, our settings): the
# job waits and tries again. Any other refusal (400, 404, a redirect, a body that is not
# amoCRM's) names this one lead: it is left out, loudly — else a lead amoCRM will never serve
# would hold every request queued behind it forever.
_ACCOUNT_WIDE = (
    AmoCRMAuthError,
    AmoCRMForbidden,
    AmoCRMMisconfigured,
    AmoCRMPaymentRequired,
    AmoCRMRateLimited,
    AmoCRMUnavailable,
)


async def _reread(job: Job, lead_ids: list[int]) -> tuple[list[dict[str, Any]], list[int]]:
    """Each lead read back from amoCRM: (the present ones, the ids of the absent ones). A
    lead amoCRM refuses is in neither: its request is answered all the same."""
    present: list[dict[str, Any]] = []
    gone: list[int] = []
    for lead_id in lead_ids:

        async def get(c: AmoCRMClient, i: int = lead_id) -> dict[str, Any] | None:
            return await c.get_lead(i)

        try:
            lead = await job.pacer.call(get)
        except _ACCOUNT_WIDE:
            raise
        except AmoCRMError as exc:
            rows.reject(job, {"id": lead_id}, exc, reason="refused")
            continue
        if lead is None:
            gone.append(lead_id)
        elif rows.ids_of([lead]) != [lead_id]:
            rows.reject(job, lead, ValueError(f"asked for lead {lead_id}, amoCRM answered this"))
        else:
            present.append(lead)
    return present, gone
