"""Keyset pagination of ``GET /api/amo-crm/leads``: following ``nextCursor`` lists exactly what
``page`` lists, for every sort and filter; a scroll stays exact while the mirror changes under
it (and ``total`` follows the change: counts are kept per mirror version); a cursor that is
not one of ours, or is sent with another sort or filter, is a 422 in the error envelope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from foryou_crm.leads import store
from foryou_crm.leads.filter import LeadFilter
from foryou_crm.leads.models import AmoLead
from foryou_crm.leads.schemas import LeadsEnvelope
from tests.conftest import bearer, register
from tests.leads.conftest import api_leads, connect
from tests.support import World

SORTS = ("-createdAt", "createdAt", "-updatedAt", "updatedAt", "-price", "price")
Params = list[tuple[str, str]]


async def by_pages(world: World, token: str, params: Params, limit: int) -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        data = await api_leads(world, token, [*params, ("limit", str(limit)), ("page", str(page))])
        ids += [item["id"] for item in data["items"]]
        if not data["hasMore"]:
            assert data["nextCursor"] is None
            return ids
        page += 1


async def by_cursor(world: World, token: str, params: Params, limit: int) -> list[int]:
    ids: list[int] = []
    cursor: list[tuple[str, str]] = []
    while True:
        data = await api_leads(world, token, [*params, ("limit", str(limit)), *cursor])
        ids += [item["id"] for item in data["items"]]
        if not data["hasMore"]:
            assert data["nextCursor"] is None
            return ids
        cursor = [("cursor", data["nextCursor"])]


async def _filters(world: World, token: str) -> dict[str, Params]:
    """One of each kind, with values taken from the synced mirror."""
    sample = (await api_leads(world, token, {"limit": 1, "sort": "price"}))["items"][0]
    word = sample["name"].split(",")[0].split()[0].lower()
    mid = (await api_leads(world, token, {"limit": 1, "page": 100, "sort": "createdAt"}))["items"]
    created = mid[0]["createdAt"][:10]
    return {
        "none": [],
        "status": [
            ("pipelineId", str(sample["pipelineId"])),
            ("statusId", str(sample["statusId"])),
        ],
        "price + date range": [("priceFrom", "1"), ("createdFrom", created)],
        "responsible": [("responsibleUserId", "9001102")],
        "text": [("query", word)],
        "tag": [("tag", "VIP")],
    }


async def test_following_cursors_lists_what_pages_list(world: World) -> None:
    token = await connect(world, "cursor-pages@foryou.example")
    # The answer, written without the models, is exactly what the documented model says.
    r = await world.client.get("/api/amo-crm/leads", params={"limit": 3}, headers=bearer(token))
    envelope = LeadsEnvelope.model_validate_json(r.content)
    assert envelope.model_dump(mode="json", by_alias=True) == r.json()
    for name, params in (await _filters(world, token)).items():
        for sort in SORTS:
            query = [*params, ("sort", sort)]
            pages = await by_pages(world, token, query, 7)
            assert pages, (name, sort)
            assert len(set(pages)) == len(pages), (name, sort)
            assert await by_cursor(world, token, query, 7) == pages, (name, sort)
            total = (await api_leads(world, token, query))["total"]
            assert total == len(pages), (name, sort)


async def _lead_rows(world: World) -> list[dict[str, Any]]:
    async with world.services.sessionmaker() as session:
        leads = (await session.execute(select(AmoLead))).scalars().all()
        skip = {"id"}
        return [
            {c.key: getattr(lead, c.key) for c in AmoLead.__table__.columns if c.key not in skip}
            for lead in leads
        ]


async def test_a_scroll_stays_exact_while_the_mirror_changes(world: World) -> None:
    token = await connect(world, "cursor-moves@foryou.example")
    query: Params = [("sort", "-createdAt"), ("limit", "10")]
    first = await api_leads(world, token, query)
    before = await by_pages(world, token, [("sort", "-createdAt")], 250)
    assert [item["id"] for item in first["items"]] == before[:10]
    seen, unseen = before[:10], before[10:]

    rows = await _lead_rows(world)
    newest = max(rows, key=lambda r: r["created_at"])
    oldest = min(rows, key=lambda r: r["created_at"])
    connection_id = newest["connection_id"]
    oldest_day = datetime.fromtimestamp(oldest["created_at"], UTC).date().isoformat()
    filters: list[Params] = [
        [("query", newest["name"].split()[0].lower())],
        [("priceFrom", "0")],
        [("createdTo", oldest_day)],
    ]
    totals = [(await api_leads(world, token, params))["total"] for params in filters]

    # One lead newer than every seen one (sorts before the cursor: not in the rest of the
    # scroll), one older than all (at its end); one seen and one unseen lead deleted.
    added_before = {**newest, "amo_id": 999_000_001, "created_at": newest["created_at"] + 60}
    added_after = {**oldest, "amo_id": 999_000_002, "created_at": oldest["created_at"] - 60}
    gone_seen, gone_unseen = seen[3], unseen[len(unseen) // 2]
    async with world.services.sessionmaker() as session:
        await store.upsert_leads(session, [added_before, added_after])
        await store.delete_leads(session, connection_id, [gone_seen, gone_unseen])
        await session.commit()

    rest = await by_cursor(
        world, token, [("sort", "-createdAt"), ("cursor", first["nextCursor"])], 10
    )
    assert rest == [*(i for i in unseen if i != gone_unseen), 999_000_002]
    # Totals follow the mirror at once (counts are kept per mirror version, which every
    # write moves): the same filters, counted before the writes, count again.
    after = [(await api_leads(world, token, params))["total"] for params in filters]
    for params, total in zip(filters, after, strict=True):
        assert total == len(await by_pages(world, token, params, 250)), params
    assert after[1] == totals[1] == len(before)  # two added, two deleted
    assert after[2] == totals[2] + 1  # the lead added on the oldest day


async def test_a_text_scroll_stays_exact_while_the_mirror_changes(world: World) -> None:
    """A text query's pages come from its matches kept per mirror version
    (``leads.matches``): a write moves the version, so the next page reads them again and the
    scroll goes on from its cursor exactly — the leads added behind it and deleted ahead of
    it included."""
    token = await connect(world, "cursor-text@foryou.example")
    rows = await _lead_rows(world)
    newest = max(rows, key=lambda r: r["created_at"])
    word = newest["name"].split()[0].lower()
    query: Params = [("query", word), ("sort", "-createdAt")]
    before = await by_pages(world, token, query, 250)
    assert len(before) > 8, before
    first = await api_leads(world, token, [*query, ("limit", "4")])
    seen, unseen = before[:4], before[4:]
    assert [item["id"] for item in first["items"]] == seen
    matching = [r for r in rows if r["amo_id"] in set(before)]
    oldest = min(matching, key=lambda r: r["created_at"])

    added_before = {**newest, "amo_id": 999_000_011, "created_at": newest["created_at"] + 60}
    added_after = {**oldest, "amo_id": 999_000_012, "created_at": oldest["created_at"] - 60}
    gone_seen, gone_unseen = seen[1], unseen[len(unseen) // 2]
    async with world.services.sessionmaker() as session:
        await store.upsert_leads(session, [added_before, added_after])
        await store.delete_leads(session, newest["connection_id"], [gone_seen, gone_unseen])
        await session.commit()

    rest = await by_cursor(world, token, [*query, ("cursor", first["nextCursor"])], 4)
    assert rest == [*(i for i in unseen if i != gone_unseen), 999_000_012]
    after = await by_pages(world, token, query, 3)
    gone = (gone_seen, gone_unseen)
    assert after == [999_000_011, *(i for i in before if i not in gone), 999_000_012]
    assert (await api_leads(world, token, query))["total"] == len(before)  # 2 in, 2 out


async def _assert_cursor_refused(world: World, token: str, params: Params) -> None:
    r = await world.client.get("/api/amo-crm/leads", params=params, headers=bearer(token))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["success"] is False
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert [f["field"] for f in body["error"]["details"]["fields"]] == ["cursor"]


async def test_foreign_tampered_and_mismatched_cursors_are_422(world: World) -> None:
    token = await connect(world, "cursor-bad@foryou.example")
    cursor = (await api_leads(world, token, {"limit": 5, "query": "київ"}))["nextCursor"]
    assert cursor
    body, mac = cursor.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    for bad in ("garbage", "", ".", f"{flipped}.{mac}", f"{body}.", body, "x" * 600, "ü.ü"):
        await _assert_cursor_refused(world, token, [("query", "київ"), ("cursor", bad)])
    # Made for another sort or another filter.
    await _assert_cursor_refused(
        world, token, [("query", "київ"), ("sort", "price"), ("cursor", cursor)]
    )
    await _assert_cursor_refused(world, token, [("query", "львів"), ("cursor", cursor)])
    await _assert_cursor_refused(world, token, [("cursor", cursor)])
    # The same cursor with its own filter works.
    ok = await world.client.get(
        "/api/amo-crm/leads", params={"query": "київ", "cursor": cursor}, headers=bearer(token)
    )
    assert ok.status_code == 200, ok.text

    spec = (await world.client.get("/openapi.json")).json()
    operation = spec["paths"]["/api/amo-crm/leads"]["get"]
    assert "422" in operation["responses"]
    assert "cursor" in {p["name"] for p in operation["parameters"]}
    page = spec["components"]["schemas"]["LeadsPageOut"]["properties"]
    assert "nextCursor" in page


async def test_the_list_reads_only_the_token_users_connection(world: World) -> None:
    """The user and the connection are read in one query: a user without one gets 409, the
    one with it their own mirror."""
    token_a = await connect(world, "cursor-owner-a@foryou.example")
    token_b = str((await register(world.client, "cursor-owner-b@foryou.example"))["accessToken"])
    r = await world.client.get("/api/amo-crm/leads", headers=bearer(token_b))
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "AMO_NOT_CONNECTED"
    assert (await api_leads(world, token_a, {"limit": 1}))["total"] > 0


def test_the_cursor_is_checked_against_every_other_parameter() -> None:
    """The cursor's check sees the parameters validated before it: a filter parameter added
    after ``cursor`` would be left out of the check (and every cursor of such a filter would
    be refused), so ``cursor`` stays the last field."""
    assert list(LeadFilter.model_fields)[-1] == "cursor"
