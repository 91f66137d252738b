"""Phase INCREMENTAL: what changed since the high-water mark — leads moved to amoCRM's trash
(``with=only_deleted``) are removed, changed leads (``order[updated_at]=desc``, down to the
mark) written. Both are plain lists, no ``filter[…]``: amoCRM ignores filters on accounts
without its API-filtering add-on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.client import AmoCRMClient, LeadsPage
from foryou_crm.leads import store
from foryou_crm.leads.sync import rows
from foryou_crm.leads.sync.job import Job

log = structlog.get_logger("foryou_crm.leads.sync")

PAGE_LIMIT = 250
TRASH = [("with", "only_deleted")]


@dataclass(frozen=True)
class Changes:
    high_water: int | None  # the new mark
    changed: int
    trashed: int


async def newest_first(
    job: Job, since: int | None, params: list[tuple[str, str]] | None
) -> tuple[list[dict[str, Any]], int | None, int]:
    """Leads by ``updated_at`` descending, page by page, until one is older than ``since``.
    Leads updated exactly at ``since`` are read again: two changes can share a second.
    Returns the leads, the newest ``updated_at`` and how many pages were read."""
    found: list[dict[str, Any]] = []
    newest: int | None = None
    page = 1
    while True:
        job.stop_if_asked()

        async def fetch(c: AmoCRMClient, p: int = page) -> LeadsPage:
            return await c.list_leads(
                page=p, limit=PAGE_LIMIT, order=("updated_at", "desc"), params=params
            )

        result = await job.pacer.call(fetch)
        stamps = [_updated_at(lead) for lead in result.leads]
        if page == 1 and stamps:
            newest = stamps[0]
        fresh = [
            lead
            for lead, stamp in zip(result.leads, stamps, strict=True)
            if since is None or stamp >= since
        ]
        found.extend(fresh)
        if len(fresh) < len(result.leads) or not result.has_next:
            return found, newest, page
        page += 1


def newest_stamp(leads: list[dict[str, Any]]) -> int | None:
    return _updated_at(leads[0]) if leads else None


def _updated_at(lead: Any) -> int:
    try:
        return int(lead.get("updated_at") or 0)
    except (TypeError, ValueError, AttributeError):
        return 0


async def trashed_since(job: Job, since: int) -> set[int]:
    """Ids of leads moved to amoCRM's trash at or after ``since`` (amoCRM stamps a deletion
    as a change of the lead)."""
    trashed, _, _ = await newest_first(job, since, TRASH)
    return set(rows.ids_of(trashed))


async def remove(job: Job, ids: set[int]) -> None:
    if not ids:
        return

    async def write(session: AsyncSession) -> None:
        await store.delete_leads(session, job.cid, ids)

    await job.commit(write)


async def catch_up(job: Job, since: int | None) -> Changes:
    """Apply what changed since ``since``; the mark to keep for the next pass."""
    trashed = await trashed_since(job, since) if since is not None else set()
    await remove(job, trashed)
    changed, newest, pages = await newest_first(job, since, None)
    for start in range(0, len(changed), PAGE_LIMIT):
        batch = changed[start : start + PAGE_LIMIT]

        async def write(session: AsyncSession, leads: list[dict[str, Any]] = batch) -> None:
            await rows.write(session, job, leads)

        await job.commit(write)
    high_water = max(x for x in (newest, since, 0) if x is not None) or None
    if pages > 1 and newest is not None:
        # amoCRM pages by offset: a lead deleted after page 1 was read moves every later lead
        # up one place, and one changed lead slips unread into the pages already read. Such a
        # deletion is in the trash with updated_at ≥ the newest change we saw. Any lead
        # trashed since the first look keeps the mark where it was: the next pass reads this
        # range again. (Compared by id, not by rows removed here: a webhook re-fetch may have
        # removed it from the mirror already.)
        late = await trashed_since(job, newest) - trashed
        await remove(job, late)
        trashed |= late
        if late:
            high_water = since
            log.info("leads_sync_range_kept", connection_id=job.cid, deleted_during_read=len(late))
    return Changes(high_water, len(changed), len(trashed))
