"""Phase CONTACTS: the names of the leads' contacts. amoCRM gives a lead only its contacts'
ids; names are read once (``filter[id]`` in batches of 250) and kept, so later syncs ask only
for contacts they have not seen. Without amoCRM's API filtering the filter is silently ignored
(another page of contacts comes back): then every contact is listed instead. Names are saved
page by page, so a stopped job loses none of them."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.leads import store
from foryou_crm.leads.amo import contact_name
from foryou_crm.leads.sync.job import Job
from foryou_crm.leads.sync.pacing import read_pages

log = structlog.get_logger("foryou_crm.leads.sync")

BATCH = 250


async def resolve(job: Job, **values: Any) -> None:
    """Fetch the names still missing and put them into the leads waiting for them; ``values``
    are saved on the sync state with the last write."""

    async def wanted_and_known(session: AsyncSession) -> tuple[set[int], set[int]]:
        wanted = await store.pending_contact_ids(session, job.cid)
        return wanted, set(await store.known_contact_names(session, job.cid, wanted))

    wanted, known = await job.read(wanted_and_known)
    missing = sorted(wanted - known)
    fetched = await _fetch_names(job, missing) if missing else 0

    async def fill(session: AsyncSession) -> int:
        return await store.fill_contact_names(session, job.cid)

    changed = await job.commit(fill, **values)
    log.info(
        "leads_contacts_resolved",
        connection_id=job.cid,
        contacts_fetched=fetched,
        leads_updated=changed,
    )


async def _save(job: Job, names: dict[int, str]) -> None:
    if not names:
        return

    async def write(session: AsyncSession) -> None:
        await store.save_contacts(session, job.cid, names)

    await job.commit(write)


async def _fetch_names(job: Job, ids: list[int]) -> int:
    wanted = set(ids)
    batches = [ids[i : i + BATCH] for i in range(0, len(ids), BATCH)]
    filter_ignored = False
    fetched = 0

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
        nonlocal fetched
        names = {int(x["id"]): contact_name(x) for x in contacts if not x.get("_absent")}
        fetched += len(names)
        await _save(job, names)

    pages = job.deps.pages_in_flight
    await read_pages(fetch, keep, first=1, in_flight=pages, should_stop=job.should_stop)
    job.stop_if_asked()
    if not filter_ignored:
        return fetched

    async def fetch_all(page: int) -> tuple[list[dict[str, Any]], bool]:
        return await job.pacer.call(lambda c: c.list_contacts_page(page))

    async def keep_wanted(page: int, contacts: list[dict[str, Any]]) -> None:
        nonlocal fetched
        names = {int(x["id"]): contact_name(x) for x in contacts if int(x["id"]) in wanted}
        fetched += len(names)
        await _save(job, names)

    await read_pages(fetch_all, keep_wanted, first=1, in_flight=pages, should_stop=job.should_stop)
    job.stop_if_asked()
    return fetched
