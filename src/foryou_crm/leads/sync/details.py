"""A lead's details beyond its contacts: the account's currency and lead custom field
definitions (full passes, phase REFERENCE), the latest notes and the open tasks.

Everything is read in bulk, never one request per lead: a full pass (phase DETAILS) asks for
the notes and open tasks of 250 leads at a time (``filter[entity_id][]``, 250 a page, the
batch's last lead id saved as the cursor so a stopped job goes on after it); the incremental
pass reads what changed since its marks — contacts and companies newest first
(``order[updated_at]=desc``, which works without amoCRM's filtering add-on), notes and tasks
by ``filter[updated_at][from]`` (documented on their own lists, not part of the add-on) — and
a re-fetch reads the details of the leads a webhook named.

amoCRM stamps no lead change for a note or a task (the sandbox documents this choice), so
these reads are what keeps them fresh. A deleted task has no stamp to find it by: the
incremental pass reads amoCRM's events feed for ``task_deleted`` since its mark (one request
as a rule). amoCRM has no event for a deleted note; one leaves at the next full pass or
re-fetch of its lead."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.client import AmoCRMClient
from foryou_crm.leads import details_store, store
from foryou_crm.leads.amo import company_row, contact_row, custom_field_row, note_row, task_row
from foryou_crm.leads.sync import contacts
from foryou_crm.leads.sync.job import Job
from foryou_crm.leads.sync.pacing import read_pages

log = structlog.get_logger("foryou_crm.leads.sync")

BATCH = 250
Params = list[tuple[str, str]]
Page = tuple[list[dict[str, Any]], bool]  # the items, and whether another page follows
KINDS = ("contacts", "companies", "notes", "tasks")


async def _pages(job: Job, entity: str, params: Params) -> AsyncIterator[list[dict[str, Any]]]:
    """Each page of a filtered list, as it comes."""
    page = 1
    while True:
        job.stop_if_asked()

        async def get(c: AmoCRMClient, p: int = page) -> Page:
            return await c.list_page(entity, params, page=p)

        items, more = await job.pacer.call(get)
        yield items
        if not more or not items:
            return
        page += 1


async def _all_pages(job: Job, entity: str, params: Params) -> list[dict[str, Any]]:
    """Every page of a filtered list."""
    return [item async for items in _pages(job, entity, params) for item in items]


async def refresh_definitions(job: Job) -> None:
    """The account's currency and the lead custom field definitions (a full pass's
    REFERENCE phase: two requests as a rule)."""
    account = await job.pacer.call(lambda c: c.get_account())
    fields = await _all_pages(job, "leads/custom_fields", [])
    rows = [custom_field_row(f, connection_id=job.cid) for f in fields]

    async def write(session: AsyncSession) -> None:
        await details_store.replace_custom_fields(session, job.cid, [r for r in rows if r])
        await details_store.save_currency(
            session, job.cid, account.get("currency"), account.get("currency_symbol")
        )

    await job.commit(write)


def _entity_filter(ids: list[int]) -> Params:
    return [("filter[entity_id][]", str(i)) for i in ids]


async def _activity_of(
    job: Job, ids: list[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The notes and open tasks of these (≤ 250) leads, as rows."""
    notes = await _all_pages(job, "leads/notes", _entity_filter(ids))
    tasks = await _all_pages(
        job,
        "tasks",
        [("filter[entity_type]", "leads"), ("filter[is_completed]", "0"), *_entity_filter(ids)],
    )
    wanted = set(ids)
    note_rows = [r for n in notes if (r := note_row(n, connection_id=job.cid))]
    task_rows = [
        r for t in tasks if not t.get("is_completed") and (r := task_row(t, connection_id=job.cid))
    ]
    return (
        [r for r in note_rows if r["lead_id"] in wanted],
        [r for r in task_rows if r["lead_id"] in wanted],
    )


@dataclass(frozen=True)
class _Activity:
    """One batch of leads and their notes and open tasks, as rows."""

    ids: list[int]
    notes: list[dict[str, Any]]
    tasks: list[dict[str, Any]]


class _Batches:
    """The mirror's lead ids after a cursor, ``BATCH`` at a time, handed out by number (1, 2,
    …, asked for in that order by concurrent readers): the ids are read once, in order, and
    only a few batches ahead of the requests."""

    def __init__(self, job: Job, after: int | None) -> None:
        self._job = job
        self._after = after
        self._read = 0  # batches read from the mirror so far
        self._ready: dict[int, list[int]] = {}
        self._lock = asyncio.Lock()

    async def take(self, number: int) -> list[int]:
        async with self._lock:
            while self._read < number:

                async def batch(
                    session: AsyncSession, start: int | None = self._after
                ) -> list[int]:
                    return await details_store.lead_ids_in(session, self._job.cid, start, BATCH)

                ids: list[int] = await self._job.read(batch)
                self._read += 1
                self._ready[self._read] = ids
                self._after = ids[-1] if ids else self._after
            return self._ready.pop(number)


async def read_activity(job: Job) -> None:
    """Phase DETAILS: the notes and open tasks of every lead of the mirror, 250 leads a
    batch, from the saved cursor on, and the batch's leads filled with their contacts' names
    and phones (fetched in phase CONTACTS). Several batches are asked for at once (a batch is
    a few requests in a row), so the rate budget, not each batch's round trips and writes,
    sets the pace; the cursor moves past a batch only once every batch before it is written
    too."""
    batches = _Batches(job, job.state.cursor_id)
    written: dict[int, int] = {}  # batch number → its last lead id, written but not yet passed
    passed = 0  # batches before the cursor
    leads = filled = 0

    async def fetch(number: int) -> tuple[list[_Activity], bool]:
        ids = await batches.take(number)
        if not ids:
            return [], False
        notes, tasks = await _activity_of(job, ids)
        return [_Activity(ids, notes, tasks)], len(ids) == BATCH

    async def write(number: int, items: list[_Activity]) -> None:
        nonlocal passed, leads, filled
        (activity,) = items
        written[number] = activity.ids[-1]
        cursor = job.state.cursor_id
        while passed + 1 in written:
            passed += 1
            cursor = written.pop(passed)

        async def replace(session: AsyncSession) -> int:
            await details_store.replace_activity(
                session, job.cid, activity.ids, activity.notes, activity.tasks
            )
            return await store.fill_contacts(session, job.cid, everyone=True, lead_ids=activity.ids)

        filled += await job.commit(replace, cursor_id=cursor)
        leads += len(activity.ids)

    await read_pages(
        fetch, write, first=1, in_flight=job.deps.pages_in_flight, should_stop=job.should_stop
    )
    job.stop_if_asked()
    log.info("leads_details_read", connection_id=job.cid, leads=leads, contacts_filled=filled)


async def reread(job: Job, lead_ids: list[int]) -> None:
    """Everything about these leads (just read back by a re-fetch): their notes and open
    tasks, their contacts and companies."""
    ids = sorted(set(lead_ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        notes, tasks = await _activity_of(job, chunk)

        async def write(
            session: AsyncSession,
            chunk: list[int] = chunk,
            notes: list[dict[str, Any]] = notes,
            tasks: list[dict[str, Any]] = tasks,
        ) -> tuple[set[int], set[int]]:
            await details_store.replace_activity(session, job.cid, chunk, notes, tasks)
            return await details_store.parties_of(session, job.cid, chunk)

        contact_ids, company_ids = await job.commit(write)
        await contacts.save_contacts(job, sorted(contact_ids))
        await _save_companies(job, sorted(company_ids))

        async def mark(session: AsyncSession, chunk: list[int] = chunk) -> None:
            await store.mark_contacts_changed(session, job.cid, chunk)

        await job.commit(mark)


async def _save_companies(job: Job, ids: list[int]) -> None:
    async def keep(companies: list[dict[str, Any]]) -> None:
        async def write(session: AsyncSession) -> None:
            await details_store.save_companies(
                session, [company_row(x, connection_id=job.cid) for x in companies]
            )

        await job.commit(write)

    if ids:
        await contacts.fetch_by_ids(job, "companies", ids, keep)


def _stamp(item: dict[str, Any]) -> int:
    try:
        return int(item.get("updated_at") or 0)
    except (TypeError, ValueError):
        return 0


async def _newest_first(job: Job, entity: str, since: int | None, params: Params) -> list[Any]:
    """``entity`` by ``updated_at`` descending until one is older than ``since`` (items
    stamped exactly ``since`` are read again: two changes can share a second). Without a
    mark only the newest one is read: it starts the mark (contacts are the whole account's,
    not only those of the mirror's leads)."""
    found: list[dict[str, Any]] = []
    page = 1
    query = [("order[updated_at]", "desc"), *params]
    limit = 250 if since is not None else 1
    while True:
        job.stop_if_asked()

        async def get(c: AmoCRMClient, p: int = page) -> Page:
            return await c.list_page(entity, query, page=p, limit=limit)

        items, more = await job.pacer.call(get)
        fresh = [x for x in items if since is None or _stamp(x) >= since]
        found.extend(fresh)
        if len(fresh) < len(items) or not more or since is None:
            return found
        page += 1


def _since(kind: str, marks: dict[str, int]) -> Params:
    mark = marks.get(kind)
    return [("filter[updated_at][from]", str(mark))] if mark is not None else []


async def catch_up(job: Job, fallback: int | None) -> dict[str, int]:
    """Apply the details changed since the marks (a kind without one starts at
    ``fallback``, the leads' mark); the marks to keep.

    Notes and tasks are applied a page at a time, each page in its own transaction: after a
    long pause (a worker down for a day, or a first sync of 1,000,000 leads, during which
    47,058 tasks changed in the sandbox) there can be tens of thousands, and held at once
    they took the sync worker from 226 to 315 MiB. A pass that stops half-way keeps its marks,
    so the next one reads those pages again (every write is an upsert)."""
    st = job.state
    since = {k: v for k in KINDS if (v := (st.detail_marks or {}).get(k, fallback)) is not None}
    marks = dict(since)
    changed_contacts = await _newest_first(
        job, "contacts", since.get("contacts"), [("with", "leads")]
    )
    changed_companies = await _newest_first(job, "companies", since.get("companies"), [])

    async def write_parties(session: AsyncSession) -> None:
        ids = [_id(x) for x in changed_contacts]
        known = await details_store.known_contact_ids(session, job.cid, ids)
        await store.save_contacts(
            session,
            [contact_row(x, connection_id=job.cid) for x in changed_contacts if _id(x) in known],
        )
        ids = [_id(x) for x in changed_companies]
        known = await details_store.known_company_ids(session, job.cid, ids)
        await details_store.save_companies(
            session,
            [company_row(x, connection_id=job.cid) for x in changed_companies if _id(x) in known],
        )
        linked = {
            _id(lead)
            for x in changed_contacts
            for lead in ((x.get("_embedded") or {}).get("leads") or [])
            if isinstance(lead, dict)
        }
        await store.mark_contacts_changed(session, job.cid, linked)

    await job.commit(write_parties)
    notes = await _apply_pages(job, "leads/notes", _since("notes", since), _write_notes)
    tasks = await _apply_pages(
        job, "tasks", [("filter[entity_type]", "leads"), *_since("tasks", since)], _write_tasks
    )
    # After the tasks, so a task deleted while they were read is still in the feed's range.
    deleted_tasks = await _deleted_tasks(job, since.get("tasks"))
    if deleted_tasks:

        async def remove(session: AsyncSession) -> None:
            await details_store.apply_tasks(session, job.cid, [], deleted_tasks)

        await job.commit(remove)
    for kind, newest in (
        ("contacts", max(map(_stamp, changed_contacts), default=None)),
        ("companies", max(map(_stamp, changed_companies), default=None)),
        ("notes", notes.newest),
        ("tasks", tasks.newest),
    ):
        if newest is not None:
            marks[kind] = max(newest, marks.get(kind, newest))
    log.info(
        "leads_details_caught_up",
        connection_id=job.cid,
        contacts=len(changed_contacts),
        companies=len(changed_companies),
        notes=notes.items,
        tasks=tasks.items,
        tasks_deleted=len(deleted_tasks),
    )
    return marks


@dataclass
class _Applied:
    items: int = 0
    newest: int | None = None  # the newest ``updated_at`` among them


Writer = Callable[[AsyncSession, int, list[dict[str, Any]]], Awaitable[None]]


async def _apply_pages(job: Job, entity: str, params: Params, write: Writer) -> _Applied:
    """Each page of a list of changes written as it comes."""
    applied = _Applied()
    async for items in _pages(job, entity, params):
        if not items:
            continue

        async def page(session: AsyncSession, items: list[dict[str, Any]] = items) -> None:
            await write(session, job.cid, items)

        await job.commit(page)
        applied.items += len(items)
        newest = max(map(_stamp, items))
        applied.newest = newest if applied.newest is None else max(applied.newest, newest)
    return applied


async def _write_notes(session: AsyncSession, cid: int, notes: list[dict[str, Any]]) -> None:
    rows = [r for n in notes if (r := note_row(n, connection_id=cid))]
    ours = await details_store.existing_lead_ids(session, cid, [r["lead_id"] for r in rows])
    await details_store.apply_notes(session, cid, [r for r in rows if r["lead_id"] in ours])


async def _write_tasks(session: AsyncSession, cid: int, tasks: list[dict[str, Any]]) -> None:
    rows = [r for t in tasks if (r := task_row(t, connection_id=cid))]
    ours = await details_store.existing_lead_ids(session, cid, [r["lead_id"] for r in rows])
    done = {_id(t) for t in tasks if t.get("is_completed")}
    await details_store.apply_tasks(
        session, cid, [r for r in rows if r["lead_id"] in ours and r["amo_id"] not in done], done
    )


async def _deleted_tasks(job: Job, since: int | None) -> set[int]:
    """Ids of tasks deleted at or after ``since`` (the events feed, 100 events a page)."""
    if since is None:
        return set()
    params = [("filter[type]", "task_deleted"), ("filter[created_at][from]", str(since))]
    found: set[int] = set()
    page = 1
    while True:
        job.stop_if_asked()

        async def get(c: AmoCRMClient, p: int = page) -> Page:
            return await c.list_page("events", params, page=p, limit=100)

        events, more = await job.pacer.call(get)
        found.update(_entity_id(e) for e in events if e.get("entity_type") == "task")
        if not more or not events:
            return found - {0}
        page += 1


def _entity_id(event: dict[str, Any]) -> int:
    try:
        return int(event.get("entity_id") or 0)
    except (TypeError, ValueError):
        return 0


def _id(entity: dict[str, Any]) -> int:
    try:
        return int(entity.get("id") or 0)
    except (TypeError, ValueError, AttributeError):
        return 0
