"""The leads API: rights, isolation between users, paging and sorting, pipelines, errors."""

from __future__ import annotations

from typing import Any

from tests.conftest import bearer, register
from tests.leads.conftest import (
    all_lead_ids,
    api_leads,
    connect,
    sandbox_lead_ids,
    sandbox_leads,
    sandbox_token,
)
from tests.support import AMO_AGENT, World

AGENT_ID = 9001102


async def test_agent_mirror_holds_only_the_agents_leads(world: World) -> None:
    admin = await connect(world, "admin@foryou.example")
    agent = await connect(world, "agent@foryou.example", login=AMO_AGENT)
    access = await sandbox_token(world)
    everything = await sandbox_leads(world, access)
    agents_own = sorted(
        lead["id"] for lead in everything if lead["responsible_user_id"] == AGENT_ID
    )
    assert 0 < len(agents_own) < len(everything)

    assert sorted(await all_lead_ids(world, agent, [])) == agents_own
    assert sorted(await all_lead_ids(world, admin, [])) == sorted(x["id"] for x in everything)
    # What amoCRM itself gives the agent's token is what the agent's mirror holds.
    agent_access = await sandbox_token(world, AMO_AGENT)
    assert sorted(await sandbox_lead_ids(world, agent_access, [])) == agents_own
    # Asking for someone else's leads finds nothing.
    assert await all_lead_ids(world, agent, [("responsibleUserId", "9001101")]) == []

    # The agent may not read users: the mirror still names the agent.
    r = await world.client.get("/api/amo-crm/pipelines", headers=bearer(agent))
    assert r.json()["data"]["users"] == [{"id": AGENT_ID, "name": "Андрій Мельник"}]
    data = await api_leads(world, agent)
    assert {item["responsibleUserName"] for item in data["items"]} == {"Андрій Мельник"}


async def test_user_b_never_sees_user_as_leads(world: World) -> None:
    a = await connect(world, "a@foryou.example")
    b_token = str((await register(world.client, "b@foryou.example"))["accessToken"])
    # B not connected: 409, never A's data.
    for method, path in (
        ("GET", "/api/amo-crm/leads"),
        ("GET", "/api/amo-crm/pipelines"),
        ("POST", "/api/amo-crm/sync"),
    ):
        r = await world.client.request(method, path, headers=bearer(b_token))
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "AMO_NOT_CONNECTED"
    # B connects as the agent of the same account: B sees the agent's leads only, A still all.
    await world.connect(b_token, login=AMO_AGENT)

    await world.services.queue.run_until_idle()
    b_ids = set(await all_lead_ids(world, b_token, []))
    a_ids = set(await all_lead_ids(world, a, []))
    assert b_ids < a_ids
    # A disconnecting leaves B's mirror alone.
    r = await world.client.post("/api/amo-crm/disconnect", headers=bearer(a))
    assert r.status_code == 200
    assert set(await all_lead_ids(world, b_token, [])) == b_ids
    r = await world.client.get("/api/amo-crm/leads", headers=bearer(a))
    assert r.status_code == 409


async def test_paging_and_sorting_are_stable(world: World) -> None:
    token = await connect(world, "a@foryou.example")
    for sort, key, reverse in (
        ("-createdAt", "createdAt", True),
        ("createdAt", "createdAt", False),
        ("updatedAt", "updatedAt", False),
        ("-updatedAt", "updatedAt", True),
        ("price", "price", False),
        ("-price", "price", True),
    ):
        whole = (await api_leads(world, token, {"sort": sort, "limit": 250}))["items"]
        whole += (await api_leads(world, token, {"sort": sort, "limit": 250, "page": 2}))["items"]
        assert len(whole) == 300
        values = [item[key] for item in whole]
        assert values == sorted(values, reverse=reverse), sort
        # Ties broken by id in the sort's direction: the order is total.
        pairs = [(item[key], item["id"]) for item in whole]
        assert pairs == sorted(pairs, reverse=reverse), sort
        paged: list[dict[str, Any]] = []
        page = 1
        while True:
            data = await api_leads(world, token, {"sort": sort, "limit": 23, "page": page})
            assert data["page"] == page and data["limit"] == 23 and data["total"] == 300
            paged += data["items"]
            if not data["hasMore"]:
                break
            page += 1
        assert [x["id"] for x in paged] == [x["id"] for x in whole], sort
    # A page past the end is empty, not an error.
    data = await api_leads(world, token, {"page": 99})
    assert data["items"] == [] and data["total"] == 300 and data["hasMore"] is False
    # The default sort is newest first, and sync state rides along.
    data = await api_leads(world, token)
    assert data["limit"] == 50 and data["sync"]["state"] == "idle"
    created = [item["createdAt"] for item in data["items"]]
    assert created == sorted(created, reverse=True)


async def test_pipelines_match_amocrm(world: World) -> None:
    token = await connect(world, "a@foryou.example")
    r = await world.client.get("/api/amo-crm/pipelines", headers=bearer(token))
    assert r.status_code == 200
    data = r.json()["data"]
    account = world.sb.account("reforyou.amocrm.ru")
    assert [p["id"] for p in data["pipelines"]] == [p.id for p in account.pipelines]
    for ours, theirs in zip(data["pipelines"], account.pipelines, strict=True):
        assert ours["name"] == theirs.name and ours["isMain"] == theirs.is_main
        assert [(s["id"], s["name"], s["color"], s["type"]) for s in ours["statuses"]] == [
            (s.id, s.name, s.color, s.type) for s in theirs.statuses
        ]
    assert {u["id"]: u["name"] for u in data["users"]} == {
        u.id: u.name for u in account.users.values()
    }
    # Every lead's status and pipeline are named from the mirror.
    items = (await api_leads(world, token, {"limit": 250}))["items"]
    assert all(i["statusName"] and i["pipelineName"] and i["statusColor"] for i in items)


BAD: list[tuple[dict[str, str], set[str]]] = [
    ({"page": "0"}, {"page"}),
    ({"limit": "251"}, {"limit"}),
    ({"limit": "0"}, {"limit"}),
    ({"sort": "name"}, {"sort"}),
    ({"statusId": "abc"}, {"statusId"}),
    ({"pipelineId": "x"}, {"pipelineId"}),
    ({"priceFrom": "-1", "priceTo": "cheap"}, {"priceFrom", "priceTo"}),
    ({"createdFrom": "yesterday"}, {"createdFrom"}),
    ({"updatedTo": "2026-13-40"}, {"updatedTo"}),
    ({"createdTo": "2026-02-30T10:00"}, {"createdTo"}),
]


async def test_bad_parameters_are_422_naming_them(world: World) -> None:
    # Connected: the connection is checked first (409 AMO_NOT_CONNECTED), then the parameters.
    token = await connect(world, "a@foryou.example")
    for params, fields in BAD:
        r = await world.client.get("/api/amo-crm/leads", params=params, headers=bearer(token))
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        # "statusId.0": the parameter, and which of its values.
        assert {f["field"].split(".")[0] for f in error["details"]["fields"]} == fields
        assert all(name in error["message"] for name in fields)


async def test_dates_accept_dates_and_date_times(world: World) -> None:
    token = await connect(world, "a@foryou.example")
    for value in (
        "2026-01-01",
        "2026-01-01T10:00:00",
        "2026-01-01T10:00:00Z",
        "2026-01-01T12:00+02:00",
    ):
        r = await world.client.get(
            "/api/amo-crm/leads", params={"createdFrom": value}, headers=bearer(token)
        )
        assert r.status_code == 200, (value, r.text)


async def test_leads_need_a_jwt(world: World) -> None:
    for path in ("/api/amo-crm/leads", "/api/amo-crm/pipelines"):
        r = await world.client.get(path)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "UNAUTHORIZED"
