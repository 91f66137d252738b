"""The list serves each lead's stored item (``leads.listed``): it is the lead as the detail
view shows it, follows every write (contacts learned later included), a lead stored without
it — before migration 0009 filled them, or written straight into the database — is listed
the same, and a time no ``datetime`` holds is kept as missing rather than failing reads."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command
from sqlalchemy import func, select, update

from foryou_crm.core.migrate import alembic_config
from foryou_crm.leads import store
from foryou_crm.leads.amo import lead_row
from foryou_crm.leads.models import AmoLead
from tests.conftest import bearer
from tests.leads.conftest import api_leads, connect
from tests.support import World

# Each with the list's own order, so the answers of two reads compare item by item.
QUERIES: list[list[tuple[str, str]]] = [
    [("sort", "-updatedAt")],
    [("sort", "price"), ("query", "київ")],
    [("statusId", "142"), ("sort", "createdAt")],
]


async def _every_page(world: World, token: str, params: list[tuple[str, str]]) -> list[Any]:
    answers, page = [], 1
    while True:
        data = await api_leads(world, token, [*params, ("limit", "250"), ("page", str(page))])
        del data["sync"]  # its lastSyncedAt is not what is compared
        answers.append(data)
        if not data["hasMore"]:
            return answers
        page += 1


async def _unlisted(world: World) -> int:
    async with world.services.sessionmaker() as session:
        found = await session.execute(
            select(func.count()).select_from(AmoLead).where(AmoLead.listed.is_(None))
        )
        return int(found.scalar_one())


async def test_a_listed_item_is_the_lead_as_its_detail_shows_it(world: World) -> None:
    token = await connect(world, "listed-detail@foryou.example")
    items = (await api_leads(world, token, {"limit": 250}))["items"]
    # The contacts' names and phones came after the leads (a later phase of the sync): the
    # stored items were rendered again with them.
    assert any(c["name"] and c["phone"] for item in items for c in item["contacts"])
    for item in items[::10]:
        r = await world.client.get(f"/api/amo-crm/leads/{item['id']}", headers=bearer(token))
        assert r.status_code == 200, r.text
        detail = r.json()["data"]
        contacts = detail.pop("contacts")
        assert {key: detail[key] for key in item if key != "contacts"} == {
            key: value for key, value in item.items() if key != "contacts"
        }
        assert [{key: c[key] for key in ("id", "name", "phone", "isMain")} for c in contacts] == (
            item["contacts"]
        )


async def test_leads_without_their_stored_item_are_listed_the_same(
    world: World, database_url: str
) -> None:
    token = await connect(world, "listed-missing@foryou.example")
    assert await _unlisted(world) == 0
    before = [await _every_page(world, token, query) for query in QUERIES]
    assert all(len(answers[0]["items"]) > 10 for answers in before)

    # Every other lead loses its item, as rows written before migration 0009 had none.
    async with world.services.sessionmaker() as session:
        await session.execute(update(AmoLead).where(AmoLead.id % 2 == 0).values(listed=None))
        await session.commit()
    assert await _unlisted(world) > 0
    assert [await _every_page(world, token, query) for query in QUERIES] == before

    # Migration 0009 renders the missing items of a mirror that is already there.
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0008")
    await asyncio.to_thread(command.upgrade, config, "head")
    assert await _unlisted(world) == 0
    assert [await _every_page(world, token, query) for query in QUERIES] == before


async def test_a_time_no_datetime_holds_is_kept_as_missing(world: World) -> None:
    # amoCRM's times are Unix seconds; one beyond the year 9999 would fail every read of its
    # lead (and, rendered at write, the whole page of the sync that brought it).
    row = lead_row(
        {"id": 7, "name": "Дача", "created_at": 10**15, "closed_at": -(10**15)},
        connection_id=1,
        gen=1,
        known={},
    )
    assert (row["created_at"], row["closed_at"]) == (0, None)

    token = await connect(world, "listed-times@foryou.example")
    async with world.services.sessionmaker() as session:
        stored = (await session.execute(select(AmoLead).limit(1))).scalar_one()
        copy = {c.key: getattr(stored, c.key) for c in AmoLead.__table__.columns if c.key != "id"}
        # Written as an older version might have: the columns hold the impossible times.
        copy.update(amo_id=999_000_777, created_at=10**15, closed_at=-(10**15))
        await store.upsert_leads(session, [copy])
        await session.commit()
    item = (await api_leads(world, token, {"query": "999000777"}))["items"][0]
    assert (item["id"], item["createdAt"], item["closedAt"]) == (
        999_000_777,
        "1970-01-01T00:00:00Z",
        None,
    )
