"""Abuse limits (core/abuse.py) on auth-url, exchange-code, sync and the lead webhook: per
user, per client address and per account, answered 429 TOO_MANY_REQUESTS with Retry-After,
in the order 401 → 429 → 409 → 422. In memory here; shared through Redis when it is set (the
last test)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from foryou_crm.core.abuse import AbuseLimits
from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from tests.conftest import bearer, register, serve
from tests.leads.conftest import HOST, connect
from tests.support import World

REDIS_URL = os.environ.get("FORYOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


async def test_sync_per_user_in_order_401_429_409(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    settings = settings_factory(limit_sync_per_user="2/minute")
    async with serve(settings, clock) as client:
        token = (await register(client, "a@example.com"))["accessToken"]
        other = (await register(client, "b@example.com"))["accessToken"]
        for _ in range(2):  # not connected: 409, counted
            r = await client.post("/api/amo-crm/sync", headers=bearer(token))
            assert r.status_code == 409 and r.json()["error"]["code"] == "AMO_NOT_CONNECTED"
        assert_limited(await client.post("/api/amo-crm/sync", headers=bearer(token)))
        # No JWT is 401 before any limit; another user has a limit of their own.
        assert (await client.post("/api/amo-crm/sync")).status_code == 401
        assert (await client.post("/api/amo-crm/sync", headers=bearer(other))).status_code == 409


async def test_auth_url_and_exchange_code_per_user_429_before_422(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    settings = settings_factory(
        limit_auth_url_per_user="1/minute", limit_exchange_code_per_user="1/minute"
    )
    async with serve(settings, clock) as client:
        token = (await register(client, "a@example.com"))["accessToken"]
        assert (await client.get("/api/amo-crm/auth-url", headers=bearer(token))).status_code == 200
        bad = await client.get("/api/amo-crm/auth-url?client=desktop", headers=bearer(token))
        assert_limited(bad)  # over the limit: 429, whatever else is wrong
        body: dict[str, Any] = {"code": "a" * 43, "state": "b" * 43}
        first = await client.post("/api/amo-crm/exchange-code", json=body, headers=bearer(token))
        assert first.status_code in (400, 403), first.text
        assert_limited(
            await client.post("/api/amo-crm/exchange-code", json={}, headers=bearer(token))
        )


async def test_one_client_address_is_limited_across_users(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    async with serve(settings_factory(limit_per_address="3/minute"), clock) as client:
        tokens = [(await register(client, f"u{i}@example.com"))["accessToken"] for i in range(4)]
        for token in tokens[:3]:
            r = await client.get("/api/amo-crm/auth-url", headers=bearer(token))
            assert r.status_code == 200
        assert_limited(await client.get("/api/amo-crm/auth-url", headers=bearer(tokens[3])))


async def test_lead_webhooks_per_account(world: World) -> None:
    await connect(world, "hook@foryou.example")
    # The world's app is built from default settings: its limits, rebuilt tighter.
    settings = world.services.settings.model_copy(update={"limit_webhooks_per_account": "2/minute"})
    object.__setattr__(world.services, "abuse", AbuseLimits(settings, None))
    path = world.sb.account(HOST).webhooks[0].destination.removeprefix("http://testserver")
    lead = world.sb.account(HOST).leads[0]
    for _ in range(2):
        r = await world.client.post(path, data={"leads[update][0][id]": str(lead.id)})
        assert r.status_code == 200, r.text
    assert_limited(await world.client.post(path, data={"leads[update][0][id]": str(lead.id)}))
    # An unknown secret is still 404: the account's limit is not the address's.
    r = await world.client.post(f"/api/amo-crm/webhooks/leads/{'0' * 64}", data={})
    assert r.status_code == 404


async def test_limits_are_shared_through_redis(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
    except Exception as exc:
        await redis.aclose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    await redis.flushdb()
    settings = settings_factory(redis_url=REDIS_URL, limit_sync_per_user="2/minute")
    try:
        # Two app processes (two apps, one Redis): the user's count is one.
        async with serve(settings, clock) as first, serve(settings, clock) as second:
            token = (await register(first, "a@example.com"))["accessToken"]
            assert (await first.post("/api/amo-crm/sync", headers=bearer(token))).status_code == 409
            assert (
                await second.post("/api/amo-crm/sync", headers=bearer(token))
            ).status_code == 409
            assert_limited(await first.post("/api/amo-crm/sync", headers=bearer(token)))
            assert any(key.startswith(b"foryou:limits") for key in await redis.keys("*"))
    finally:
        await redis.flushdb()
        await redis.aclose()
