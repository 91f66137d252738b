"""The sync jobs: plain async functions over a sessionmaker and the TokenManager, so the same
code runs in-process (``runner.py``) or in a separate worker.

- Full pass: pipelines and users, then every lead visible to the token (``limit=250``,
  ``with=contacts``, pages pipelined), then contact names, then leads not seen in this pass are
  removed, then an incremental pass catches what changed while the pages were read. Resumable:
  the last page written with all pages before it is saved with that page; upserts never
  duplicate.
- Incremental pass: pipelines, trashed leads (``with=only_deleted``) and changed leads, newest
  ``updated_at`` first, down to the high-water mark.
- Re-fetch: the leads a webhook named, read back from the API (the payload is not trusted)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foryou_crm.amocrm.client import AmoCRMClient, LeadsPage
from foryou_crm.amocrm.errors import (
    AmoCRMAuthError,
    AmoCRMError,
    AmoCRMForbidden,
    AmoCRMPaymentRequired,
    AmoCRMRateLimited,
)
from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.connections import repository
from foryou_crm.connections.errors import NotConnected, ReconnectRequired
from foryou_crm.connections.models import AmoConnection, ConnectionRef, SyncState
from foryou_crm.core import metrics
from foryou_crm.core.clock import Clock
from foryou_crm.leads import store
from foryou_crm.leads.amo import contact_name, lead_row
from foryou_crm.leads.sync.outcome import failure_outcome
from foryou_crm.leads.sync.pacing import Pacer, read_pages

log = structlog.get_logger("foryou_crm.leads.sync")

PAGE_LIMIT = 250
# A full pass also reconciles ids (leads that vanished without a trace); once a day is plenty.
FULL_EVERY = timedelta(hours=24)
BLOCKED_BACKOFF = timedelta(minutes=15)
VERIFY_STALE_MAX = 50


@dataclass
class SyncDeps:
    sessionmaker: async_sessionmaker[AsyncSession]
    tokens: TokenManager
    clock: Clock
    # Enough to keep the budget busy while a page is in flight and another being written.
    pages_in_flight: int = 4


@dataclass
class _Job:
    deps: SyncDeps
    ref: ConnectionRef
    pacer: Pacer
    gen: int

    @property
    def cid(self) -> int:
        return self.ref.id


# --- state --------------------------------------------------------------------------------


async def _set_state(deps: SyncDeps, connection_id: int, **values: Any) -> None:
    values["updated_at"] = deps.clock.now()
    async with deps.sessionmaker() as session, session.begin():
        await session.execute(
            update(SyncState).where(SyncState.connection_id == connection_id).values(**values)
        )


async def _load(deps: SyncDeps, connection_id: int) -> tuple[ConnectionRef, SyncState] | None:
    async with deps.sessionmaker() as session, session.begin():
        row = await session.get(AmoConnection, connection_id)
        if row is None:
            return None
        state = await repository.ensure_sync_state(session, connection_id)
        return row.ref(), state


# --- entry points -------------------------------------------------------------------------


async def run_sync(deps: SyncDeps, connection_id: int, *, full: bool | None = None) -> str:
    """One sync of one connection; returns the final state (``idle``/``failed``/``gone``).

    ``full=None`` decides: resume an interrupted full pass, run a full pass when none has
    finished or the last is older than a day, else an incremental pass."""
    loaded = await _load(deps, connection_id)
    if loaded is None:
        return "gone"
    ref, state = loaded
    if full is None:
        full = (
            state.phase == "full"
            or state.last_full_at is None
            or state.last_full_at < deps.clock.now() - FULL_EVERY
        )
    job = _Job(deps, ref, Pacer(deps.tokens, ref), state.gen)
    phase: metrics.SyncPhase = "full" if full else "incremental"
    started = time.perf_counter()
    try:
        if full:
            await _full(job, state)
        else:
            await _incremental(job, state, progress_from=0.0)
    except NotConnected:
        log.info("leads_sync_connection_gone", connection_id=connection_id)
        metrics.sync_phase_finished(phase, "gone", time.perf_counter() - started)
        return "gone"
    except IntegrityError:
        # A write for a connection that was deleted meanwhile (the foreign key refused it).
        if await _load(deps, connection_id) is None:
            metrics.sync_phase_finished(phase, "gone", time.perf_counter() - started)
            return "gone"
        raise
    except Exception as exc:
        # Broad on purpose: whatever stopped the job is recorded where the agent sees it (the
        # sync state, with a retry time where one helps) and logged with its traceback.
        await _fail(job, exc)
        metrics.sync_phase_finished(phase, failure_outcome(exc), time.perf_counter() - started)
        return "failed"
    metrics.sync_phase_finished(phase, "ok", time.perf_counter() - started)
    return "idle"


async def _fail(job: _Job, exc: Exception) -> None:
    retry_at = None
    if isinstance(exc, AmoCRMForbidden):
        message = (
            "amoCRM refused access (403): the API is blocked for this account or the token "
            "lacks rights. Sync paused; it will be retried later."
        )
        retry_at = job.deps.clock.now() + BLOCKED_BACKOFF
    elif isinstance(exc, ReconnectRequired | AmoCRMAuthError):
        message = "amoCRM no longer accepts this connection; connect amoCRM again."
    elif isinstance(exc, AmoCRMPaymentRequired):
        message = "The amoCRM account is not paid; amoCRM refuses API access."
    elif isinstance(exc, AmoCRMRateLimited):
        message = "amoCRM kept answering 429 (too many requests); the sync will be retried."
        retry_at = job.deps.clock.now() + timedelta(minutes=1)
    elif isinstance(exc, AmoCRMError):
        message = f"amoCRM error: {exc.message}"
    else:
        message = "The sync failed on our side; it will be retried."
    log_method = log.error if not isinstance(exc, AmoCRMError) else log.warning
    log_method(
        "leads_sync_failed",
        connection_id=job.cid,
        error_code=getattr(exc, "code", type(exc).__name__),
        requests=job.pacer.requests,
        exc_info=not isinstance(exc, AmoCRMError),
    )
    try:
        await _set_state(job.deps, job.cid, state="failed", error=message, retry_at=retry_at)
    except SQLAlchemyError as exc:  # the database itself failed the job; it is logged above
        log.info("leads_sync_state_not_saved", connection_id=job.cid, error=type(exc).__name__)


# --- reference data ------------------------------------------------------------------------


async def _refresh_reference(job: _Job) -> None:
    """Pipelines for everyone; users for admins, else at least the token's own user."""
    pipelines = await job.pacer.call(lambda c: c.get_pipelines())
    users: list[dict[str, Any]] | None
    if job.ref.is_admin:
        try:
            users = await job.pacer.call(lambda c: c.get_users())
        except AmoCRMForbidden:
            users = None  # rights changed since connecting: fall back below
    else:
        users = None
    if users is None:
        me = await job.pacer.call(lambda c: c.get_current_user())
        uid = (me or {}).get("id") or job.ref.amo_user_id
        users = [{"id": uid, "name": (me or {}).get("name") or ""}] if uid else []
    async with job.deps.sessionmaker() as session, session.begin():
        await store.replace_reference(session, job.cid, pipelines, users)


# --- full pass ------------------------------------------------------------------------------


async def _newest_updated_at(job: _Job) -> int | None:
    page = await job.pacer.call(
        lambda c: c.list_leads(page=1, limit=1, order=("updated_at", "desc"))
    )
    return int(page.leads[0]["updated_at"]) if page.leads else None


async def _full(job: _Job, state: SyncState) -> None:
    deps = job.deps
    resuming = state.phase == "full"
    if not resuming:
        job.gen = state.gen + 1
        state.cursor_page = 0
        state.full_high_water = None
        state.first_created_at = None
    await _set_state(
        deps,
        job.cid,
        state="running",
        phase="full",
        gen=job.gen,
        cursor_page=state.cursor_page,
        progress=state.progress if resuming else 0.0,
        error=None,
        retry_at=None,
        started_at=deps.clock.now(),
    )
    log.info(
        "leads_sync_started",
        connection_id=job.cid,
        mode="full",
        resume_after_page=state.cursor_page if resuming else None,
        gen=job.gen,
    )
    await _refresh_reference(job)
    high_water = state.full_high_water
    if high_water is None:
        high_water = await _newest_updated_at(job)
        await _set_state(deps, job.cid, full_high_water=high_water)

    loaded = await _read_leads(job, state, high_water)
    total = await _count(job)
    log.info(
        "leads_loaded",
        connection_id=job.cid,
        leads=total,
        pages=loaded,
        requests=job.pacer.requests,
        rate_limited=job.pacer.rate_limited,
    )
    await _set_state(deps, job.cid, progress=0.9, leads_count=total)
    await resolve_contacts(job)
    await _set_state(deps, job.cid, progress=0.95)
    await _drop_unseen(job)
    await store.refresh_statistics(deps.sessionmaker)
    state.high_water = high_water
    await _incremental(job, state, progress_from=0.97, as_part_of_full=True)


async def _read_leads(job: _Job, state: SyncState, high_water: int | None) -> int:
    deps = job.deps
    cursor = state.cursor_page
    done: set[int] = set()
    first_created = state.first_created_at

    async def fetch(page: int) -> tuple[list[dict[str, Any]], bool]:
        result: LeadsPage = await job.pacer.call(
            lambda c: c.list_leads(page=page, limit=PAGE_LIMIT)
        )
        return result.leads, result.has_next

    async def write(page: int, leads: list[dict[str, Any]]) -> None:
        nonlocal cursor, first_created
        done.add(page)
        while cursor + 1 in done:
            cursor += 1
        if page == 1 and leads:
            first_created = int(leads[0].get("created_at") or 0)
        newest_created = max(int(lead.get("created_at") or 0) for lead in leads)
        progress = _progress(first_created, newest_created, high_water)
        async with deps.sessionmaker() as session, session.begin():
            await _write_leads(session, job, leads)
            # Saved with the rows: after a restart the pass resumes after `cursor`.
            await session.execute(
                update(SyncState)
                .where(SyncState.connection_id == job.cid)
                .values(
                    cursor_page=cursor,
                    progress=progress,
                    first_created_at=first_created,
                    updated_at=deps.clock.now(),
                )
            )
        log.debug("leads_page_fetched", connection_id=job.cid, page=page, leads=len(leads))

    last = await read_pages(fetch, write, first=cursor + 1, in_flight=deps.pages_in_flight)
    return max(last, cursor)


def _progress(first: int | None, newest: int, end: int | None) -> float:
    """Pages come oldest first (amoCRM's default order is by id, ids grow with time), so how
    far the creation times got towards the newest change estimates how much is read; amoCRM
    gives no total for leads. The leads phase is 0–90 % of the sync."""
    if first is None or end is None or end <= first:
        return 0.0
    return round(0.9 * min(0.99, max(0.0, (newest - first) / (end - first))), 4)


async def _write_leads(session: AsyncSession, job: _Job, leads: list[dict[str, Any]]) -> None:
    ids = {int(c["id"]) for lead in leads for c in _contacts(lead)}
    names = await store.known_contact_names(session, job.cid, ids)
    rows = [lead_row(lead, connection_id=job.cid, gen=job.gen, names=names) for lead in leads]
    await store.upsert_leads(session, rows)


def _contacts(lead: dict[str, Any]) -> list[dict[str, Any]]:
    items = (lead.get("_embedded") or {}).get("contacts") or []
    return [c for c in items if isinstance(c, dict) and c.get("id") is not None]


async def _count(job: _Job) -> int:
    async with job.deps.sessionmaker() as session:
        return await store.count_leads(session, job.cid)


async def _drop_unseen(job: _Job) -> None:
    """Leads this full pass did not see are gone (or no longer visible to the token). A lead
    deleted while the pages were read shifts later pages by one and can hide a live lead, so a
    few stragglers are checked one by one before anything is removed."""
    async with job.deps.sessionmaker() as session:
        stale = await store.stale_lead_ids(session, job.cid, job.gen)
    if not stale:
        return
    present, gone = await _reread(job, stale) if len(stale) <= VERIFY_STALE_MAX else ([], stale)
    removed = await _apply(job, present, gone)
    log.info("leads_reconciled", connection_id=job.cid, removed=removed, kept=len(present))


async def _reread(job: _Job, lead_ids: list[int]) -> tuple[list[dict[str, Any]], list[int]]:
    """Each lead read back from amoCRM: (the present ones, the ids of the absent ones)."""
    present: list[dict[str, Any]] = []
    gone: list[int] = []
    for lead_id in lead_ids:

        async def get(c: AmoCRMClient, i: int = lead_id) -> dict[str, Any] | None:
            return await c.get_lead(i)

        lead = await job.pacer.call(get)
        if lead is None:
            gone.append(lead_id)
        else:
            present.append(lead)
    return present, gone


async def _apply(job: _Job, present: list[dict[str, Any]], gone: list[int]) -> int:
    """Upsert the present leads and remove the absent ones, together; how many went."""
    async with job.deps.sessionmaker() as session, session.begin():
        if present:
            await _write_leads(session, job, present)
        return await store.delete_leads(session, job.cid, gone)


# --- contact names --------------------------------------------------------------------------


async def resolve_contacts(job: _Job) -> None:
    async with job.deps.sessionmaker() as session:
        wanted = await store.pending_contact_ids(session, job.cid)
        known = await store.known_contact_names(session, job.cid, wanted)
    missing = sorted(wanted - set(known))
    fetched = await _fetch_contact_names(job, missing) if missing else {}
    async with job.deps.sessionmaker() as session, session.begin():
        await store.save_contacts(session, job.cid, fetched)
        changed = await store.fill_contact_names(session, job.cid)
    log.info(
        "leads_contacts_resolved",
        connection_id=job.cid,
        contacts_fetched=len(fetched),
        leads_updated=changed,
    )


async def _fetch_contact_names(job: _Job, ids: list[int]) -> dict[int, str]:
    """Names by ``filter[id]`` in batches of 250. Without API filtering amoCRM ignores the
    filter and answers with other contacts; then every contact is listed instead."""
    names: dict[int, str] = {}
    wanted = set(ids)
    batches = [ids[i : i + PAGE_LIMIT] for i in range(0, len(ids), PAGE_LIMIT)]
    filter_ignored = False

    async def fetch(page: int) -> tuple[list[dict[str, Any]], bool]:
        nonlocal filter_ignored
        if filter_ignored or page > len(batches):
            return [], False
        batch = batches[page - 1]
        contacts = await job.pacer.call(lambda c: c.get_contacts(batch))
        if any(int(x["id"]) not in set(batch) for x in contacts):
            filter_ignored = True
            return [], False
        return contacts or [{"id": batch[0], "_absent": True}], page < len(batches)

    async def keep(page: int, contacts: list[dict[str, Any]]) -> None:
        for x in contacts:
            if not x.get("_absent"):
                names[int(x["id"])] = contact_name(x)

    await read_pages(fetch, keep, first=1, in_flight=job.deps.pages_in_flight)
    if filter_ignored:
        names.clear()

        async def fetch_all(page: int) -> tuple[list[dict[str, Any]], bool]:
            return await job.pacer.call(lambda c: c.list_contacts_page(page))

        async def keep_wanted(page: int, contacts: list[dict[str, Any]]) -> None:
            for x in contacts:
                if int(x["id"]) in wanted:
                    names[int(x["id"])] = contact_name(x)

        await read_pages(fetch_all, keep_wanted, first=1, in_flight=job.deps.pages_in_flight)
    return names


# --- incremental pass -----------------------------------------------------------------------


async def _incremental(
    job: _Job, state: SyncState, *, progress_from: float, as_part_of_full: bool = False
) -> None:
    deps = job.deps
    if not as_part_of_full:
        await _set_state(
            deps,
            job.cid,
            state="running",
            phase="incremental",
            progress=progress_from,
            error=None,
            retry_at=None,
            started_at=deps.clock.now(),
        )
        log.info("leads_sync_started", connection_id=job.cid, mode="incremental")
        await _refresh_reference(job)
    since = state.high_water
    trashed = await _scan_deleted(job, since)
    changed, newest, pages = await _scan_changed(job, since)
    high_water = max(x for x in (newest, since, 0) if x is not None) or None
    if pages > 1 and newest is not None:
        # amoCRM pages by offset: a lead deleted after page 1 was read moves every later lead
        # up one place, and one changed lead slips unread into the pages already read. Such a
        # deletion is in the trash with updated_at ≥ the newest change we saw (amoCRM stamps
        # a deletion as a change). Any lead trashed since the first look keeps the mark where
        # it was: the next pass reads this range again. (Compared by id, not by rows removed
        # here: a webhook re-fetch may have removed it from the mirror already.)
        late = (await _scan_deleted(job, newest)) - trashed
        trashed |= late
        if late:
            high_water = since
            log.info("leads_sync_range_kept", connection_id=job.cid, deleted_during_read=len(late))
    await resolve_contacts(job)
    total = await _count(job)
    now = deps.clock.now()
    values: dict[str, Any] = {
        "state": "idle",
        "phase": "",
        "progress": 1.0,
        "error": None,
        "retry_at": None,
        "leads_count": total,
        "last_synced_at": now,
        "high_water": high_water,
    }
    if as_part_of_full:
        values.update(last_full_at=now, cursor_page=0, full_high_water=None)
    await _set_state(deps, job.cid, **values)
    log.info(
        "leads_sync_finished",
        connection_id=job.cid,
        mode="full" if as_part_of_full else "incremental",
        leads=total,
        changed=changed,
        trashed=len(trashed),
        requests=job.pacer.requests,
        rate_limited=job.pacer.rate_limited,
    )


async def _scan_newest_first(
    job: _Job, since: int | None, params: list[tuple[str, str]] | None
) -> tuple[list[dict[str, Any]], int | None, int]:
    """Leads by ``updated_at`` descending, page by page, until one is older than ``since``.
    Leads updated exactly at ``since`` are read again: two changes can share a second.
    Returns the leads, the newest ``updated_at`` and how many pages were read."""
    found: list[dict[str, Any]] = []
    newest: int | None = None
    page = 1
    while True:

        async def fetch(c: AmoCRMClient, p: int = page) -> LeadsPage:
            return await c.list_leads(
                page=p, limit=PAGE_LIMIT, order=("updated_at", "desc"), params=params
            )

        result = await job.pacer.call(fetch)
        if page == 1 and result.leads:
            newest = int(result.leads[0].get("updated_at") or 0)
        fresh = [
            lead
            for lead in result.leads
            if since is None or int(lead.get("updated_at") or 0) >= since
        ]
        found.extend(fresh)
        if len(fresh) < len(result.leads) or not result.has_next:
            return found, newest, page
        page += 1


async def _scan_deleted(job: _Job, since: int | None) -> set[int]:
    """Leads moved to amoCRM's trash since ``since``: removed from the mirror; returns their
    ids."""
    if since is None:
        return set()
    trashed, _, _ = await _scan_newest_first(job, since, [("with", "only_deleted")])
    ids = {int(x["id"]) for x in trashed}
    if ids:
        async with job.deps.sessionmaker() as session, session.begin():
            await store.delete_leads(session, job.cid, ids)
    return ids


async def _scan_changed(job: _Job, since: int | None) -> tuple[int, int | None, int]:
    changed, newest, pages = await _scan_newest_first(job, since, None)
    for start in range(0, len(changed), PAGE_LIMIT):
        async with job.deps.sessionmaker() as session, session.begin():
            await _write_leads(session, job, changed[start : start + PAGE_LIMIT])
    return len(changed), newest, pages


# --- re-fetch named leads (webhooks) --------------------------------------------------------


async def refetch_leads(deps: SyncDeps, connection_id: int, lead_ids: list[int]) -> str:
    """Read the named leads back from amoCRM: present → upsert, absent (deleted or not visible
    to this token) → removed from the mirror."""
    loaded = await _load(deps, connection_id)
    if loaded is None:
        return "gone"
    ref, state = loaded
    job = _Job(deps, ref, Pacer(deps.tokens, ref), state.gen)
    present: list[dict[str, Any]] = []
    gone: list[int] = []
    started = time.perf_counter()
    try:
        present, gone = await _reread(job, sorted(set(lead_ids)))
        await _apply(job, present, gone)
        await resolve_contacts(job)
        async with deps.sessionmaker() as session, session.begin():
            total = await store.count_leads(session, connection_id)
            await session.execute(
                update(SyncState)
                .where(SyncState.connection_id == connection_id)
                .values(leads_count=total)
            )
    except (NotConnected, IntegrityError):
        # Disconnected while it ran (an IntegrityError: the foreign key refused a write).
        metrics.sync_phase_finished("refetch", "gone", time.perf_counter() - started)
        return "gone"
    except AmoCRMError as exc:
        log.warning("leads_refetch_failed", connection_id=connection_id, error_code=exc.code)
        metrics.sync_phase_finished("refetch", failure_outcome(exc), time.perf_counter() - started)
        return "failed"
    log.info(
        "leads_refetched", connection_id=connection_id, updated=len(present), removed=len(gone)
    )
    metrics.sync_phase_finished("refetch", "ok", time.perf_counter() - started)
    return "idle"


def is_due(state: SyncState | None, now: datetime, interval: timedelta) -> bool:
    """Whether the periodic scheduler should sync this connection now."""
    if state is None:
        return True
    if state.retry_at is not None and state.retry_at > now:
        return False
    if state.state == "running":
        return False
    return state.last_synced_at is None or state.last_synced_at <= now - interval
