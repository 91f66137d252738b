"""Helpers for the leads tests: connect through the real OAuth flow, wait for the sync the
connection started, read the mirror through the API and the sandbox through its own API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import bearer, register
from tests.support import AMO_ADMIN, World

HOST = "reforyou.amocrm.ru"


async def connect(world: World, email: str, *, login: str = AMO_ADMIN) -> str:
    """Register an app user, connect amoCRM as ``login`` and wait for the first sync."""
    token = str((await register(world.client, email))["accessToken"])
    await world.connect(token, login=login)
    await world.services.queue.run_until_idle()
    return token


async def api_leads(world: World, token: str, params: Any = None) -> dict[str, Any]:
    r = await world.client.get("/api/amo-crm/leads", params=params, headers=bearer(token))
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def all_lead_ids(world: World, token: str, params: list[tuple[str, str]]) -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        data = await api_leads(world, token, [*params, ("limit", "250"), ("page", str(page))])
        ids += [item["id"] for item in data["items"]]
        if not data["hasMore"]:
            assert len(ids) == data["total"]
            return ids
        page += 1


async def status(world: World, token: str) -> dict[str, Any]:
    r = await world.client.get("/api/amo-crm/status", headers=bearer(token))
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


async def sandbox_token(world: World, login: str = AMO_ADMIN) -> str:
    """A fresh access token for ``login`` from the sandbox's own consent flow, so the tests
    read amoCRM directly, not through the service under test."""
    return str(await _sandbox_access_token(world, login))


async def _sandbox_access_token(world: World, login: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    from tests.conftest import SANDBOX, TEST_CLIENT_ID, TEST_CLIENT_SECRET
    from tests.support import Browser

    browser = Browser(world.sandbox_app)
    try:
        location = await browser.consent(
            f"{SANDBOX}/oauth?client_id={TEST_CLIENT_ID}&state=tests-direct-read-0001&mode=popup",
            login=login,
        )
    finally:
        await browser.aclose()
    code = parse_qs(urlsplit(location).query)["code"][0]
    r = await world.sandbox.post(
        f"/accounts/{HOST}/oauth2/access_token",
        json={
            "client_id": TEST_CLIENT_ID,
            "client_secret": TEST_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://testserver/api/amo-crm/callback",
        },
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


async def sandbox_lead_ids(
    world: World, access_token: str, params: list[tuple[str, str]]
) -> list[int]:
    """Every lead id amoCRM (the sandbox) answers for this query, following its pages."""
    ids: list[int] = []
    page = 1
    while True:
        r = await world.sandbox.get(
            f"/accounts/{HOST}/api/v4/leads",
            params=[*params, ("limit", "250"), ("page", str(page))],
            headers={"Authorization": f"Bearer {access_token}"},
        )
        if r.status_code == 204:
            return ids
        assert r.status_code == 200, r.text
        body = r.json()
        ids += [lead["id"] for lead in body["_embedded"]["leads"]]
        if "next" not in body["_links"]:
            return ids
        page += 1


async def sandbox_leads(world: World, access_token: str) -> list[dict[str, Any]]:
    leads: list[dict[str, Any]] = []
    page = 1
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=world.sandbox_app), base_url=str(world.sandbox.base_url)
    ) as http:
        while True:
            r = await http.get(
                f"/accounts/{HOST}/api/v4/leads",
                params={"limit": 250, "page": page, "with": "contacts"},
                headers={"Authorization": f"Bearer {access_token}"},
            )
            if r.status_code == 204:
                return leads
            body = r.json()
            leads += body["_embedded"]["leads"]
            if "next" not in body["_links"]:
                return leads
            page += 1
