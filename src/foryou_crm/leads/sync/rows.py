"""Leads from amoCRM into mirror rows, one malformed lead never failing the others."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.core import metrics
from foryou_crm.leads import store
from foryou_crm.leads.amo import MalformedLead, contact_ids_of, lead_id, lead_row
from foryou_crm.leads.sync.job import Job

log = structlog.get_logger("foryou_crm.leads.sync")
# A job's ``kind`` once its pass started; a re-fetch has none.
_PHASES: dict[str, metrics.SyncPhase] = {"full": "full", "incremental": "incremental"}


def reject(
    job: Job, lead: Any, exc: Exception, reason: metrics.RejectedReason = "malformed"
) -> None:
    """Log one lead left out — amoCRM answered it in a shape we cannot store, or refused that
    lead — count it (metric, and on the job, which then ends as failed so the queue shows
    it too)."""
    found = lead.get("id") if isinstance(lead, dict) else None
    job.rejected.append(found if isinstance(found, int) else -1)
    phase = _PHASES.get(job.kind, "refetch")
    metrics.sync_item_rejected(phase, reason)
    log.error(
        "leads_sync_lead_rejected",
        connection_id=job.cid,
        lead_id=str(found)[:40],
        phase=phase,
        reason=str(exc)[:200],
    )


def ids_of(leads: list[dict[str, Any]]) -> list[int]:
    """The usable ids of ``leads``, in their order."""
    ids = []
    for lead in leads:
        try:
            ids.append(lead_id(lead))
        except MalformedLead:
            continue
    return ids


async def write(session: AsyncSession, job: Job, leads: list[dict[str, Any]]) -> None:
    """Upsert ``leads`` with the contacts already known."""
    contact_ids = set()
    for lead in leads:
        try:
            contact_ids.update(contact_ids_of(lead))
        except (TypeError, AttributeError):
            continue  # rejected below with its reason
    known = await store.known_contacts(session, job.cid, contact_ids)
    rows = []
    for lead in leads:
        try:
            rows.append(lead_row(lead, connection_id=job.cid, gen=job.state.gen, known=known))
        except (TypeError, ValueError, AttributeError) as exc:
            # amoCRM's shape, not ours: one lead we cannot store must not stop the others.
            reject(job, lead, exc)
    await store.upsert_leads(session, rows)
