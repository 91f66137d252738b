"""Our filters over the mirror return exactly what amoCRM's own API filtering returns for the
same query — and keep doing so when the account's API filtering is switched off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.leads.conftest import (
    HOST,
    all_lead_ids,
    connect,
    sandbox_lead_ids,
    sandbox_leads,
    sandbox_token,
)
from tests.support import World

Case = tuple[str, list[tuple[str, str]], list[tuple[str, str]]]


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _matrix(leads: list[dict[str, Any]]) -> list[Case]:
    """(name, our query, amoCRM's query) pairs built from the seeded data."""
    by_price = sorted(lead["price"] for lead in leads)
    lo, hi = by_price[len(by_price) // 4], by_price[len(by_price) // 2]
    created = sorted(lead["created_at"] for lead in leads)
    c_from, c_to = created[len(created) // 3], created[2 * len(created) // 3]
    # Whole UTC days on our side: amoCRM's equivalent is [start of day, end of day].
    d_from = int(datetime.fromisoformat(_day(c_from)).replace(tzinfo=UTC).timestamp())
    d_to = int(
        (datetime.fromisoformat(_day(c_to)).replace(tzinfo=UTC) + timedelta(days=1)).timestamp()
    )
    updated = sorted(lead["updated_at"] for lead in leads)
    u_from, u_to = updated[len(updated) // 5], updated[len(updated) // 2]
    sample = leads[len(leads) // 2]
    pipeline, status = sample["pipeline_id"], sample["status_id"]
    agent, agent2 = 9001102, 9001103
    word = sample["name"].split(",")[0].split()[0].lower()
    return [
        ("everything", [], []),
        ("pipeline", [("pipelineId", str(pipeline))], [("filter[pipeline_id]", str(pipeline))]),
        (
            "pipeline + status",
            [("pipelineId", str(pipeline)), ("statusId", str(status))],
            [
                ("filter[statuses][0][pipeline_id]", str(pipeline)),
                ("filter[statuses][0][status_id]", str(status)),
            ],
        ),
        (
            "won in every pipeline",
            [("statusId", "142")],
            [
                ("filter[statuses][0][pipeline_id]", "7710001"),
                ("filter[statuses][0][status_id]", "142"),
                ("filter[statuses][1][pipeline_id]", "7710002"),
                ("filter[statuses][1][status_id]", "142"),
            ],
        ),
        (
            "two responsible users",
            [("responsibleUserId", str(agent)), ("responsibleUserId", str(agent2))],
            [
                ("filter[responsible_user_id][]", str(agent)),
                ("filter[responsible_user_id][]", str(agent2)),
            ],
        ),
        (
            "price range",
            [("priceFrom", str(lo)), ("priceTo", str(hi))],
            [("filter[price][from]", str(lo)), ("filter[price][to]", str(hi))],
        ),
        ("price from only", [("priceFrom", str(hi))], [("filter[price][from]", str(hi))]),
        (
            "created dates",
            [("createdFrom", _day(c_from)), ("createdTo", _day(c_to))],
            [("filter[created_at][from]", str(d_from)), ("filter[created_at][to]", str(d_to - 1))],
        ),
        (
            "updated date-times",
            [("updatedFrom", _iso(u_from)), ("updatedTo", _iso(u_to))],
            [("filter[updated_at][from]", str(u_from)), ("filter[updated_at][to]", str(u_to))],
        ),
        ("text: a word of a name", [("query", word)], [("query", word)]),
        ("text: a contact's surname", [("query", "Шевченко")], [("query", "Шевченко")]),
        ("text: a tag", [("query", "VIP")], [("query", "VIP")]),
        ("text: upper case", [("query", "DUBAI")], [("query", "DUBAI")]),
        (
            "pipeline + price + responsible",
            [("pipelineId", "7710001"), ("priceFrom", str(lo)), ("responsibleUserId", str(agent))],
            [
                ("filter[pipeline_id]", "7710001"),
                ("filter[price][from]", str(lo)),
                ("filter[responsible_user_id]", str(agent)),
            ],
        ),
        (
            "text + created range",
            [("query", "dubai"), ("createdFrom", _iso(c_from))],
            [("query", "dubai"), ("filter[created_at][from]", str(c_from))],
        ),
        ("nothing matches", [("query", "no-such-lead-xyz")], [("query", "no-such-lead-xyz")]),
    ]


async def _compare(world: World, token: str, access: str, cases: list[Case]) -> None:
    for name, ours, theirs in cases:
        mirror = await all_lead_ids(world, token, ours)
        amo = await sandbox_lead_ids(world, access, theirs)
        assert sorted(mirror) == sorted(amo), name
        assert len(mirror) == len(set(mirror)), name


async def test_filters_match_amocrm_then_survive_filtering_off(world: World) -> None:
    token = await connect(world, "agent-a@foryou.example")
    access = await sandbox_token(world)
    leads = await sandbox_leads(world, access)
    cases = _matrix(leads)
    # The matrix really filters: most cases keep some leads and drop others.
    sizes = [len(await sandbox_lead_ids(world, access, theirs)) for _, _, theirs in cases]
    assert sum(0 < size < len(leads) for size in sizes) >= 12, sizes
    await _compare(world, token, access, cases)

    # Without the paid add-on amoCRM ignores filter[...] (it now answers everything) …
    world.sb.configure_account(HOST, is_api_filter_enabled=False)
    assert len(await sandbox_lead_ids(world, access, cases[1][2])) == len(leads)
    # … while our answers stay the same: they never depended on it.
    expected = {name: sorted(await all_lead_ids(world, token, ours)) for name, ours, _ in cases}
    world.sb.configure_account(HOST, is_api_filter_enabled=True)
    await _compare(world, token, access, cases)
    world.sb.configure_account(HOST, is_api_filter_enabled=False)
    for name, ours, _ in cases:
        assert sorted(await all_lead_ids(world, token, ours)) == expected[name], name


async def test_a_sync_without_api_filtering_is_complete(world: World) -> None:
    """Contact names are asked for by filter[id]; without filtering amoCRM answers with other
    contacts, so the sync must notice and list contacts instead."""
    world.sb.configure_account(HOST, is_api_filter_enabled=False)
    token = await connect(world, "agent-a@foryou.example")
    world.sb.configure_account(HOST, is_api_filter_enabled=True)
    access = await sandbox_token(world)
    leads = await sandbox_leads(world, access)
    await _compare(world, token, access, _matrix(leads))
    # Every contact has its real name.
    names = {c.id: c.name for c in world.sb.account(HOST).contacts.values()}
    data = await all_items(world, token)
    contacts = [c for item in data for c in item["contacts"]]
    assert contacts and all(c["name"] == names[c["id"]] for c in contacts)


async def test_tag_filter_is_an_exact_tag(world: World) -> None:
    token = await connect(world, "agent-a@foryou.example")
    access = await sandbox_token(world)
    leads = await sandbox_leads(world, access)
    for tag in ("VIP", "Київ", "київ", "Off-plan"):
        expected = sorted(
            lead["id"]
            for lead in leads
            if any(t["name"].lower() == tag.lower() for t in lead["_embedded"]["tags"])
        )
        assert expected
        assert sorted(await all_lead_ids(world, token, [("tag", tag)])) == expected
    assert await all_lead_ids(world, token, [("tag", "VI")]) == []


async def all_items(world: World, token: str) -> list[dict[str, Any]]:
    from tests.leads.conftest import api_leads

    items: list[dict[str, Any]] = []
    page = 1
    while True:
        data = await api_leads(world, token, {"limit": 250, "page": page})
        items += data["items"]
        if not data["hasMore"]:
            return items
        page += 1
