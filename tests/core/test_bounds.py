"""Every input is bounded at the edge (issue 14): out-of-range ids, dates, pages, NUL in text,
odd JWT claims, undecodable bodies and webhook ids each answer an honest 4xx naming what was
wrong — never a 500 from a database or a parser further in. Run on SQLite and on PostgreSQL
(the boundary values themselves are accepted on both)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from foryou_crm.core.metrics import SYNC_ITEMS_REJECTED
from foryou_crm.leads.models import RefetchRequest
from tests.conftest import bearer, register
from tests.leads.conftest import HOST, api_leads, connect
from tests.support import World

BIG = str(2**63)
HUGE = "1" + "0" * 30

OUT_OF_BOUNDS: list[tuple[list[tuple[str, str]], str]] = [
    ([("statusId", BIG)], "statusId"),
    ([("statusId", "1"), ("statusId", HUGE)], "statusId"),
    ([("responsibleUserId", BIG)], "responsibleUserId"),
    ([("pipelineId", BIG)], "pipelineId"),
    ([("pipelineId", HUGE)], "pipelineId"),
    ([("statusId", str(i)) for i in range(1, 102)], "statusId"),  # 101 repeats: capped at 100
    ([("createdTo", "9999-12-31")], "createdTo"),
    ([("updatedTo", "9999-12-31")], "updatedTo"),
    ([("createdFrom", "1969-12-31")], "createdFrom"),
    ([("updatedFrom", "2101-01-02T00:00:00Z")], "updatedFrom"),
    ([("updatedFrom", "1969-12-30T23:59:59Z")], "updatedFrom"),
    ([("createdTo", "0001-01-01T00:00:00+01:00")], "createdTo"),
    ([("createdFrom", "9999-12-31T23:59:59-23:59")], "createdFrom"),
    ([("query", "a\x00b")], "query"),
    ([("tag", "\x00")], "tag"),
    ([("query", "x" * 201)], "query"),
    ([("page", "4001")], "page"),
    ([("page", HUGE)], "page"),
    ([("limit", BIG)], "limit"),
    ([("priceFrom", HUGE)], "priceFrom"),
]


async def test_out_of_bounds_filters_are_422_naming_the_parameter(world: World) -> None:
    token = await connect(world, "bounds@foryou.example")
    for params, name in OUT_OF_BOUNDS:
        r = await world.client.get("/api/amo-crm/leads", params=params, headers=bearer(token))
        assert r.status_code == 422, (params[-1], r.text)
        error = r.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert {f["field"].split(".")[0] for f in error["details"]["fields"]} == {name}


async def test_the_bounds_themselves_are_accepted_on_this_database(world: World) -> None:
    token = await connect(world, "edge@foryou.example")
    everything = (await api_leads(world, token))["total"]
    top = str(2**63 - 1)
    for params in (
        [("statusId", top), ("responsibleUserId", top), ("pipelineId", top)],
        [("statusId", str(i)) for i in range(1, 101)],
        [("page", "4000"), ("limit", "250")],
        [("query", top)],
    ):
        data = await api_leads(world, token, params)
        assert data["items"] == [], params
    for params in (
        [("createdFrom", "1970-01-01"), ("createdTo", "2100-12-31")],
        [("updatedFrom", "1970-01-01T00:00:00Z"), ("updatedTo", "2100-12-31T23:59:59Z")],
        # The start of 1970-01-01 east of UTC, the end of 2100-12-31 west of it.
        [("createdFrom", "1970-01-01T00:00:00+14:00"), ("createdTo", "2100-12-31T23:59:59-12:00")],
    ):
        assert (await api_leads(world, token, params))["total"] == everything > 0, params


async def _token(app: FastAPI, **claims: Any) -> str:
    settings = app.state.services.settings
    now = int(time.time())
    values = {"iss": settings.jwt_issuer, "iat": now, "exp": now + 600, "jti": "x", **claims}
    return jwt.encode(values, settings.jwt_secret.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": HUGE},
        {"sub": BIG},
        {"sub": "2147483648"},  # one past users.id (INTEGER on PostgreSQL)
        {"sub": "-1"},
        {"sub": "0"},
        {"sub": " 1"},
        {"sub": "١"},  # an Arabic-Indic one
        {"sub": 1},  # a number, not the string the spec asks for
        {"sub": None},
        {"sub": "1", "ver": 1e400},
        {"sub": "1", "ver": "0"},
        {"sub": "1", "ver": 2**63},
        {"sub": "1", "exp": 1e400},
        {"sub": "1", "exp": float("nan")},
        {"sub": "1", "exp": "tomorrow"},
        {"sub": "1", "exp": True},
        {"sub": "1", "exp": 10**30},
        {"sub": "1", "iat": -(10**30)},
        {"sub": "1", "iat": [1]},
    ],
    ids=repr,
)
async def test_odd_jwt_claims_are_401_never_a_lookup(
    app: FastAPI, client: httpx.AsyncClient, claims: dict[str, Any]
) -> None:
    await register(client, "someone@example.com")  # user 1 exists: only the claim is wrong
    token = await _token(app, **claims)
    for path in ("/api/auth/me", "/api/amo-crm/leads"):
        r = await client.get(path, headers=bearer(token))
        assert r.status_code == 401, (path, r.text)
        assert r.json()["error"]["code"] == "UNAUTHORIZED"


async def test_a_plain_jwt_of_the_same_shape_is_accepted(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    user = (await register(client, "someone@example.com"))["user"]
    r = await client.get("/api/auth/me", headers=bearer(await _token(app, sub=str(user["id"]))))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    "path", ["/api/auth/login", "/api/auth/register", "/api/amo-crm/exchange-code"]
)
async def test_undecodable_bodies_are_422(
    app: FastAPI, client: httpx.AsyncClient, path: str
) -> None:
    token = (await register(client, "someone@example.com"))["accessToken"]
    for body in (b'{"email": "\xff\xfe"}', b"\xc3\x28", b"\x00\x00\x00"):
        r = await client.post(
            path,
            content=body,
            headers={"Content-Type": "application/json", **bearer(token)},
        )
        assert r.status_code == 422, (path, body, r.text)
        assert r.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_nul_in_a_registered_name_is_422(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/auth/register",
        json={"email": "nul@example.com", "password": "correct-horse-1", "name": "a\x00b"},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"]["fields"][0]["field"] == "name"


async def _refetch_rows(world: World) -> list[int]:
    async with world.services.sessionmaker() as session:
        return list((await session.execute(select(RefetchRequest.lead_id))).scalars())


async def test_webhook_lead_ids_out_of_range_are_refused_at_the_edge(world: World) -> None:
    await connect(world, "hook@foryou.example")
    path = world.sb.account(HOST).webhooks[0].destination.removeprefix("http://testserver")
    lead = world.sb.account(HOST).leads[0]
    for bad in (HUGE, str(10**60), BIG, "-5", "0", "٣", "12abc", ""):
        body = {"leads[update][0][id]": str(lead.id), "leads[update][1][id]": bad}
        r = await world.client.post(path, data=body)
        assert r.status_code == 422, (bad, r.text)
        fields = r.json()["error"]["details"]["fields"]
        assert [f["field"] for f in fields] == ["leads[update][1][id]"]
    assert await _refetch_rows(world) == []
    # A body that is not UTF-8 names no lead: accepted, nothing to do.
    r = await world.client.post(
        path, content=b"leads[update][0][id]=\xff", headers={"Content-Type": "text/plain"}
    )
    assert r.status_code == 422
    # The largest id a BIGINT holds goes through to the re-fetch (amoCRM: no such lead).
    r = await world.client.post(path, data={"leads[update][0][id]": str(2**63 - 1)})
    assert r.status_code == 200 and r.json()["data"] == {"accepted": 1}
    await world.services.queue.run_until_idle()
    assert await _refetch_rows(world) == []


def _rejected(reason: str) -> float:
    return SYNC_ITEMS_REJECTED.labels("refetch", reason)._value.get()


async def test_a_lead_amocrm_refuses_fails_that_item_and_never_wedges_the_queue(
    world: World,
) -> None:
    """amoCRM refusing one named lead for good (a 400 for that id) fails that item, loudly
    (log + metric + the job recorded failed), and the webhooks after it are still served."""
    token = await connect(world, "poison@foryou.example")
    account = world.sb.account(HOST)
    poison, good = account.leads[0], account.leads[1]

    async def refuse_one(request: httpx.Request, response: httpx.Response) -> None:
        if request.url.path.endswith(f"/api/v4/leads/{poison.id}"):
            response.status_code = 400
            response._content = b'{"title": "Bad Request", "status": 400, "detail": "bad id"}'

    world.network.after = refuse_one
    before = _rejected("refused")
    path = account.webhooks[0].destination.removeprefix("http://testserver")
    r = await world.client.post(path, data={"leads[update][0][id]": str(poison.id)})
    assert r.status_code == 200
    await world.services.queue.run_until_idle()
    assert _rejected("refused") == before + 1
    assert await _refetch_rows(world) == []
    failed = [j for j in await world.services.queue.jobs(("failed",)) if j.task == "refetch_leads"]
    assert failed
    # A later webhook for the same connection is still processed.
    r = await world.sandbox.patch(
        f"/_sandbox/accounts/{HOST}/leads", json={"leads": [{"id": good.id, "name": "Пізніше"}]}
    )
    assert r.is_success
    await world.sb.drain_webhooks()
    await world.services.queue.run_until_idle()
    world.network.after = None
    found = (await api_leads(world, token, {"query": "пізніше"}))["items"]
    assert [i["id"] for i in found] == [good.id]
    assert await _refetch_rows(world) == []


async def test_the_callback_answers_a_page_for_any_query(world: World) -> None:
    """The callback has no 422 (a person is in the browser): odd values — NUL, huge, non-ASCII
    — fail a step and get the hand-over page, never a 500."""
    for params in (
        {"code": "a\x00b", "state": "s\x00" * 40},
        {"code": "x" * 5000, "state": "é" * 200, "referer": "\x00", "platform": "9" * 40},
        {"error": "access_denied\x00", "state": "\x00"},
    ):
        r = await world.client.get("/api/amo-crm/callback", params=params)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/html")
