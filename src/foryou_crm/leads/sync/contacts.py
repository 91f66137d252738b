"""Phase CONTACTS: the leads' contacts and their companies. amoCRM gives a lead only its
contacts' and company's ids; they are read by id (``filter[id]`` in batches of 250) and kept.
A full pass re-reads every contact and company the mirror names (``refresh``); other passes
ask only for ones not seen yet, and the incremental pass reads what changed since its mark
(``details.catch_up``). Without amoCRM's API filtering the filter is silently ignored
(another page comes back): then every contact (company) is listed instead. Rows are saved
page by page, so a stopped job loses none of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.leads import details_store, store
from foryou_crm.leads.amo import company_row, contact_row
from foryou_crm.leads.sync.job import Job
from foryou_crm.leads.sync.pacing import read_pages

log = structlog.get_logger("foryou_crm.leads.sync")

BATCH = 250
Keep = Callable[[list[dict[str, Any]]], Awaitable[None]]


async def resolve(job: Job, *, refresh: bool = False, **values: Any) -> None:
    """Fetch the contacts (and companies) still missing and put them into the leads' list
    copy — with ``refresh`` (a full pass), fetch every one the mirror names and leave the
    copying to phase DETAILS, which rewrites the leads batch by batch while its requests are
    out (here it would rewrite every lead with no request out: 15–30 s at 100,000 leads).
    ``values`` are saved on the sync state with the last write."""

    async def wanted_and_known(session: AsyncSession) -> tuple[set[int], set[int]]:
        if refresh:
            return await store.referenced_contact_ids(session, job.cid), set()
        wanted = await store.pending_contact_ids(session, job.cid)
        return wanted, set(await store.known_contacts(session, job.cid, wanted))

    wanted, known = await job.read(wanted_and_known)
    missing = sorted(wanted - known)
    fetched = await save_contacts(job, missing) if missing else 0
    companies = await resolve_companies(job, refresh=refresh)

    async def fill(session: AsyncSession) -> int:
        return 0 if refresh else await store.fill_contacts(session, job.cid)

    changed = await job.commit(fill, **values)
    log.info(
        "leads_contacts_resolved",
        connection_id=job.cid,
        contacts_fetched=fetched,
        companies_fetched=companies,
        leads_updated=changed,
    )


async def save_contacts(job: Job, ids: list[int]) -> int:
    """Read these contacts from amoCRM and save them; how many were found."""

    async def keep(contacts: list[dict[str, Any]]) -> None:
        async def write(session: AsyncSession) -> None:
            await store.save_contacts(
                session, [contact_row(x, connection_id=job.cid) for x in contacts]
            )

        await job.commit(write)

    return await fetch_by_ids(job, "contacts", ids, keep)


async def resolve_companies(job: Job, *, refresh: bool) -> int:
    """The companies the leads and contacts name, not yet known (with ``refresh``, all)."""

    async def missing(session: AsyncSession) -> list[int]:
        wanted = await details_store.referenced_company_ids(session, job.cid)
        if not refresh:
            wanted -= await details_store.known_company_ids(session, job.cid, wanted)
        return sorted(wanted)

    ids = await job.read(missing)
    if not ids:
        return 0

    async def keep(companies: list[dict[str, Any]]) -> None:
        async def write(session: AsyncSession) -> None:
            await details_store.save_companies(
                session, [company_row(x, connection_id=job.cid) for x in companies]
            )

        await job.commit(write)

    return await fetch_by_ids(job, "companies", ids, keep)


async def fetch_by_ids(job: Job, entity: str, ids: list[int], keep: Keep) -> int:
    """Read ``entity`` (contacts, companies) by id, 250 a request, handing each page to
    ``keep``; how many were found."""
    wanted = set(ids)
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    filter_ignored = False
    fetched = 0

    async def fetch(page: int) -> tuple[list[dict[str, Any]], bool]:
        nonlocal filter_ignored
        if filter_ignored or page > len(batches):
            return [], False
        batch = batches[page - 1]
        params = [("filter[id][]", str(i)) for i in batch]
        found, _ = await job.pacer.call(lambda c: c.list_page(entity, params, page=1))
        if any(_id(x) not in set(batch) for x in found):
            filter_ignored = True
            return [], False
        return found or [{"id": batch[0], "_absent": True}], page < len(batches)

    async def keep_page(page: int, found: list[dict[str, Any]]) -> None:
        nonlocal fetched
        present = [x for x in found if not x.get("_absent")]
        fetched += len(present)
        if present:
            await keep(present)

    pages = job.deps.pages_in_flight
    await read_pages(fetch, keep_page, first=1, in_flight=pages, should_stop=job.should_stop)
    job.stop_if_asked()
    if not filter_ignored:
        return fetched

    async def fetch_all(page: int) -> tuple[list[dict[str, Any]], bool]:
        return await job.pacer.call(lambda c: c.list_page(entity, [], page=page))

    async def keep_wanted(page: int, found: list[dict[str, Any]]) -> None:
        await keep_page(page, [x for x in found if _id(x) in wanted])

    await read_pages(fetch_all, keep_wanted, first=1, in_flight=pages, should_stop=job.should_stop)
    job.stop_if_asked()
    return fetched


def _id(entity: dict[str, Any]) -> int:
    try:
        return int(entity.get("id") or 0)
    except (TypeError, ValueError):
        return 0
