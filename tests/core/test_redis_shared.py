"""With FORYOU_REDIS_URL, the amoCRM rate budget and sign-in throttling are shared by workers."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from redis.asyncio import Redis

from foryou_crm.amocrm.ratelimit import (
    DEFAULT_MARGIN,
    SLOWDOWN_DECAY,
    RedisRateBudget,
    spacing_seconds,
)
from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from tests.conftest import register, serve

REDIS_URL = os.environ.get("FORYOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    await client.flushdb()
    yield client
    await client.flushdb()
    await client.aclose()


class _BusyWhenGranted(Redis):
    """A worker whose loop is busy (a page parsed, a batch written) when one reply comes back:
    the task that asked runs that much later."""

    busy_after_next = 0.0

    async def eval(self, *args: Any) -> Any:  # type: ignore[override]
        reply = await super().eval(*args)
        if self.busy_after_next:
            time.sleep(self.busy_after_next)  # blocks the loop, as busy code does
            self.busy_after_next = 0.0
        return reply


async def test_a_grant_that_reaches_its_task_late_counts_from_when_the_request_left(
    redis: Redis,
) -> None:
    account = f"acct-{uuid.uuid4().hex}.amocrm.ru"
    busy = _BusyWhenGranted.from_url(REDIS_URL)
    try:
        budget = RedisRateBudget(busy, 7)
        busy.busy_after_next = 0.4
        left = []
        for _ in range(8):
            await budget.acquire(account)
            left.append(time.monotonic())
    finally:
        await busy.aclose()
    # amoCRM counts arrivals: any 8 requests in a row span 7 intervals from when they left —
    # also when the first left 0.4 s after Redis granted it (counted from the grant, the
    # eighth left ~0.4 s early).
    assert left[7] - left[0] >= 7 * spacing_seconds(7, DEFAULT_MARGIN) - 0.01


async def test_two_workers_share_one_budget_per_account(redis: Redis) -> None:
    account = f"acct-{uuid.uuid4().hex}.amocrm.ru"
    workers = [RedisRateBudget(redis, 7), RedisRateBudget(redis, 7)]
    stamps: list[float] = []

    async def take(budget: RedisRateBudget) -> None:
        await budget.acquire(account)
        stamps.append(time.time())

    await asyncio.gather(*(take(workers[i % 2]) for i in range(21)))
    stamps.sort()
    # In every one-second window at most 7 requests went out, whoever sent them. Stamps are
    # taken after the Redis round trip, so allow that much jitter (0.1 s) at the window's edge.
    for i, start in enumerate(stamps):
        in_window = [s for s in stamps[i:] if s < start + 0.9]
        assert len(in_window) <= 7
    # Evenly spaced across both workers: 21 requests span 20 intervals of (1 + margin) / 7 s.
    assert stamps[-1] - stamps[0] >= 20 * spacing_seconds(7, DEFAULT_MARGIN) - 0.05
    # And other accounts are not slowed by this one.
    other = f"other-{uuid.uuid4().hex}.kommo.com"
    await asyncio.gather(*(workers[0].acquire(other) for _ in range(7)))


async def test_a_late_departure_is_made_up_across_workers(redis: Redis) -> None:
    """One worker asks late (its loop was busy): the two catch up on the shared plan, never
    closer than half an interval, and any 8 departures in a row still span 7 intervals."""
    account = f"acct-{uuid.uuid4().hex}.amocrm.ru"
    workers = [RedisRateBudget(redis, 7), RedisRateBudget(redis, 7)]
    interval = spacing_seconds(7, DEFAULT_MARGIN)
    stamps: list[float] = []
    for k in range(16):
        if k == 5:
            time.sleep(2.5 * interval)  # this departure leaves 1.5 intervals late
        await workers[k % 2].acquire(account)
        stamps.append(time.time())
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    # Stamps are taken after the Redis round trip: allow that much jitter (10 ms).
    assert min(gaps) >= 0.5 * interval - 0.01
    for k in range(len(stamps) - 7):
        assert stamps[k + 7] - stamps[k] >= 7 * interval - 0.01, k
    assert stamps[-1] - stamps[0] < 15.5 * interval  # on the plan again: lateness made up


async def test_a_429_seen_by_one_worker_slows_every_worker(redis: Redis) -> None:
    account = f"acct-{uuid.uuid4().hex}.amocrm.ru"
    first, second = RedisRateBudget(redis, 40), RedisRateBudget(redis, 40)
    await first.rate_limited(account)
    assert await second.slowdown(account) == pytest.approx(1.1)
    await second.acquire(account)
    started = time.monotonic()
    await first.acquire(account)
    assert time.monotonic() - started >= 1.1 * spacing_seconds(40, DEFAULT_MARGIN) - 0.005
    assert await first.slowdown(account) == pytest.approx(1.1 - 2 * SLOWDOWN_DECAY)


async def test_failed_sign_ins_count_across_workers(
    redis: Redis, settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    settings = settings_factory(redis_url=REDIS_URL)
    async with serve(settings, clock) as first, serve(settings, clock) as second:
        clients = [first, second]
        await register(clients[0], "shared@foryou-agents.com")
        for i in range(3):
            r = await clients[i % 2].post(
                "/api/auth/login",
                json={"email": "shared@foryou-agents.com", "password": "wrong-one"},
            )
            assert r.status_code == 401
        blocked = await clients[1].post(
            "/api/auth/login",
            json={"email": "shared@foryou-agents.com", "password": "correct-horse-1"},
        )
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) >= 1
