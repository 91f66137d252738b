"""Phases LEADS and RECONCILE of a full pass: every lead visible to the token, read by id.

amoCRM pages by offset (``page``, ``limit=250``) and has no keyset paging we can rely on
(``filter[id]`` needs a paid add-on and is otherwise silently ignored). With ``order[id]=asc``
a lead created during the pass lands after everything read so far, so it cannot shift a page
still to come. A lead *deleted* after it was read does: every later lead moves up one place
and the first lead of the next page read slips, unread, into the pages already read.

So the pass reads in batches of ``BATCH_PAGES`` pages and after each batch looks at amoCRM's
trash (``with=only_deleted``, newest first, one request as a rule). If a lead with an id at or
below the cursor went to the trash since the last look, the batch may have skipped leads: the
pass backs up to where the last clean look left it and finds that lead's place again by
reading around the page it was on (an *anchored* read: a page that holds the cursor's id — or
the boundary right after it — shows exactly which lead follows). Re-read leads are upserts.
Every page is written with its checkpoint (``Job.commit``), so after a crash the pass goes on
from the last page written: the first look afterwards certifies those pages or backs up.

What this does not see: a lead deleted *and restored* between two looks (its restore is in
the trash no more), and, for an agent's token, a lead handed to another agent while the pages
are read (it leaves this token's list without going to the trash). The incremental pass that
ends every full pass reads each lead changed since the pass began, those included; only a
neighbour at a page boundary could be missed, until the next full pass."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.client import LeadsPage
from foryou_crm.leads import store
from foryou_crm.leads.sync import incremental, rows
from foryou_crm.leads.sync.job import Job
from foryou_crm.leads.sync.pacing import read_pages

log = structlog.get_logger("foryou_crm.leads.sync")

PAGE_LIMIT = 250
# Pages between two looks at the trash: one extra request per 10,000 leads, and at most this
# many pages read again when a deletion made the pass back up. After a back-up the batches
# shrink (a quarter each time, down to one page) so a busy account, deleting leads all the
# time, still lets the pass through; clean looks grow them again.
BATCH_PAGES = 40
MAX_ANCHOR_STEPS = 400


async def _page(job: Job, page: int) -> LeadsPage:
    return await job.pacer.call(
        lambda c: c.list_leads(page=page, limit=PAGE_LIMIT, order=("id", "asc"))
    )


async def read_leads(job: Job) -> None:
    """Phase LEADS, from wherever the state says it stands."""
    pages = BATCH_PAGES
    while True:
        if job.state.anchor_page is not None:
            ended = await _anchor(job)
            if not ended:
                ended = await _batch(job, pages)
        else:
            ended = await _batch(job, pages)
        clean = await _look_at_trash(job)
        if clean and ended:
            return
        pages = min(BATCH_PAGES, pages * 2) if clean else max(1, pages // 4)


async def _batch(job: Job, pages: int) -> bool:
    """Read up to ``pages`` pages after the cursor, each written with its checkpoint; whether
    the list ended."""
    st = job.state
    first = st.cursor_page + 1
    done: dict[int, int | None] = {}  # page → its last usable id, as pages are written

    async def fetch(page: int) -> tuple[list[dict[str, Any]], bool]:
        result = await _page(job, page)
        return result.leads, result.has_next

    async def write(page: int, leads: list[dict[str, Any]]) -> None:
        ids = rows.ids_of(leads)
        done[page] = max(ids) if ids else None
        cursor_page, cursor_id = st.cursor_page, st.cursor_id
        while cursor_page + 1 in done:
            cursor_page += 1
            cursor_id = done.pop(cursor_page) or cursor_id
        first_created = st.first_created_at
        if page == 1 and leads:
            first_created = _created_at(leads[0])
        progress = _progress(first_created, max(map(_created_at, leads)), st.full_high_water)

        async def upsert(session: AsyncSession) -> None:
            await rows.write(session, job, leads)

        # Saved with the rows: after a crash the pass goes on after `cursor_page`.
        await job.commit(
            upsert,
            cursor_page=cursor_page,
            cursor_id=cursor_id,
            first_created_at=first_created,
            progress=max(progress, st.progress),
        )
        log.debug("leads_page_written", connection_id=job.cid, page=page, leads=len(leads))

    read = await read_pages(
        fetch,
        write,
        first=first,
        until=first + pages - 1,
        in_flight=job.deps.pages_in_flight,
        should_stop=job.should_stop,
    )
    job.stop_if_asked()
    return read.ended


async def _look_at_trash(job: Job) -> bool:
    """Whether every page read since the last look still stands (then they are certified);
    else back up to the last certified place."""
    st = job.state
    if st.full_high_water is None or st.cursor_id is None:
        # Nothing read yet, or no lead existed when the pass began: nothing to shift.
        await job.commit(checked_page=st.cursor_page, checked_id=st.cursor_id)
        return True
    seen = set(st.deleted_seen or [])
    new = await incremental.trashed_since(job, st.full_high_water) - seen
    behind = sorted(i for i in new if i <= st.cursor_id)
    deleted_seen = sorted(seen | new)
    if not behind:
        await job.commit(
            deleted_seen=deleted_seen, checked_page=st.cursor_page, checked_id=st.cursor_id
        )
        return True
    log.info(
        "leads_sync_backed_up",
        connection_id=job.cid,
        deleted_behind_cursor=len(behind),
        from_page=st.cursor_page,
        to_page=st.checked_page,
    )
    await job.commit(
        deleted_seen=deleted_seen,
        cursor_page=st.checked_page,
        cursor_id=st.checked_id,
        anchor_page=st.checked_page if st.checked_id is not None else None,
    )
    return False


async def _anchor(job: Job) -> bool:
    """Find where the lead after ``cursor_id`` is now, starting at ``anchor_page`` (where the
    cursor's page was), write that page's leads after the cursor; whether the list ended."""
    st = job.state
    cursor = st.cursor_id
    assert cursor is not None and st.anchor_page is not None
    page, step = st.anchor_page, 0
    came: int = 0  # -1: moved left to get here, +1: moved right
    previous: tuple[int, LeadsPage] | None = None
    for _ in range(MAX_ANCHOR_STEPS):
        job.stop_if_asked()
        result = await _page(job, page)
        ids = rows.ids_of(result.leads)
        if not ids and page > 1 and came != 1:
            step = -1  # past the end of a list that got shorter
        elif not ids or (ids[-1] <= cursor and not result.has_next):
            return await _take(job, page, [], has_next=False)  # nothing follows the cursor
        elif ids[0] > cursor and (page == 1 or came == 1):
            return await _take(job, page, result.leads, result.has_next)
        elif ids[0] > cursor:
            step = -1
        elif ids[-1] <= cursor and came == -1 and previous is not None:
            return await _take(job, previous[0], previous[1].leads, previous[1].has_next)
        elif ids[-1] <= cursor:
            step = 1
        else:
            after = [lead for lead, i in zip(result.leads, ids, strict=False) if i > cursor]
            return await _take(job, page, after, result.has_next)
        previous, came, page = (page, result), step, page + step
    raise RuntimeError(f"no place found for lead {cursor} after {MAX_ANCHOR_STEPS} pages")


async def _take(job: Job, page: int, leads: list[dict[str, Any]], has_next: bool) -> bool:
    ids = rows.ids_of(leads)

    async def upsert(session: AsyncSession) -> None:
        await rows.write(session, job, leads)

    await job.commit(
        upsert,
        cursor_page=page,
        cursor_id=max(ids) if ids else job.state.cursor_id,
        anchor_page=None,
    )
    log.info("leads_sync_anchored", connection_id=job.cid, page=page, leads=len(leads))
    return not has_next


def _created_at(lead: Any) -> int:
    try:
        return int(lead.get("created_at") or 0)
    except (TypeError, ValueError, AttributeError):
        return 0


def _progress(first: int | None, newest: int, end: int | None) -> float:
    """Pages come oldest first (ids grow with time), so how far the creation times got towards
    the newest change estimates how much is read; amoCRM gives no total for leads. The leads
    phase is 0–90 % of the sync."""
    if first is None or end is None or end <= first:
        return 0.0
    return round(0.9 * min(0.99, max(0.0, (newest - first) / (end - first))), 4)


async def reconcile(job: Job) -> int:
    """Phase RECONCILE: leads the pass did not see are gone from amoCRM (or from what this
    token may see); how many were removed. Then the planner's statistics, as the table
    changed wholesale."""

    async def drop(session: AsyncSession) -> int:
        stale = await store.stale_lead_ids(session, job.cid, job.state.gen)
        return await store.delete_leads(session, job.cid, stale)

    removed = int(await job.commit(drop, progress=0.95))
    await store.refresh_statistics(job.deps.sessionmaker)
    log.info("leads_reconciled", connection_id=job.cid, removed=removed)
    return removed
