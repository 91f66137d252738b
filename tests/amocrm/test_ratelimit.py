"""The per-account request budget: requests leave evenly spaced at rps / (1 + margin), never in
bursts, a late one is made up without breaking the window, and one account's queue does not
hold up another's."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from foryou_crm.amocrm.ratelimit import (
    CATCH_UP_GAP,
    SLOWDOWN_DECAY,
    SLOWDOWN_MAX,
    MemoryRateBudget,
    spacing_seconds,
)

RPS = 40.0  # fast enough for a short test; the spacing logic does not depend on the rate
MARGIN = 0.05


async def _stamps(budget: MemoryRateBudget, account: str, n: int) -> list[float]:
    stamps: list[float] = []

    async def take() -> None:
        await budget.acquire(account)
        stamps.append(time.monotonic())

    await asyncio.gather(*(take() for _ in range(n)))
    return sorted(stamps)


async def test_requests_leave_evenly_spaced_with_the_margin() -> None:
    budget = MemoryRateBudget(RPS, MARGIN)
    interval = spacing_seconds(RPS, MARGIN)
    assert interval == pytest.approx(1.05 / 40)
    start = time.monotonic()
    stamps = await _stamps(budget, "a.amocrm.ru", 12)
    # The k-th request leaves no earlier than its slot: no burst, whatever the wake-ups do.
    for k, stamp in enumerate(stamps):
        assert stamp - start >= k * interval - 1e-4, k
    # And the queue moves: twelve requests take about eleven intervals, not a second each.
    assert stamps[-1] - start < 11 * interval + 0.25


async def test_any_second_holds_at_most_rps_requests() -> None:
    budget = MemoryRateBudget(7, MARGIN)
    start = time.monotonic()
    stamps = await _stamps(budget, "b.amocrm.ru", 9)
    # Slots 0..8 are 0.15 s apart: the 8th request is already past the first second.
    assert stamps[7] - start >= 7 * spacing_seconds(7, MARGIN) > 1.0


async def test_accounts_have_their_own_queues() -> None:
    budget = MemoryRateBudget(RPS, MARGIN)
    interval = spacing_seconds(RPS, MARGIN)
    busy = asyncio.create_task(_stamps(budget, "busy.amocrm.ru", 20))
    await asyncio.sleep(3 * interval)  # the busy account is mid-queue: ~16 requests waiting
    start = time.monotonic()
    await budget.acquire("quiet.kommo.com")
    assert time.monotonic() - start < interval / 2
    # The same budget makes a request to the busy account wait its turn behind the others.
    start = time.monotonic()
    await budget.acquire("busy.amocrm.ru")
    assert time.monotonic() - start > 10 * interval
    await busy


async def test_a_late_departure_is_made_up_within_the_window() -> None:
    """The caller is busy (a page being written) when its turn comes and asks late: the
    requests after it catch up on the plan, but never closer than half an interval, and any
    ``rps + 1`` departures in a row still span ``rps`` intervals."""
    rps = 10  # an interval of 105 ms: 50 ms of slack for a loaded machine's late wake-ups
    budget = MemoryRateBudget(rps, MARGIN)
    interval = spacing_seconds(rps, MARGIN)
    stamps: list[float] = []
    for k in range(30):
        if k == 10:
            # Blocks the event loop, as a long write does: this request leaves 1.5 intervals late.
            time.sleep(2.5 * interval)
        await budget.acquire("d.amocrm.ru")
        stamps.append(time.monotonic())
    gaps = [b - a for a, b in itertools.pairwise(stamps)]
    assert min(gaps) >= CATCH_UP_GAP * interval - 1e-3
    assert min(gaps[10:14]) < 0.9 * interval  # the catching up
    for k in range(len(stamps) - rps):
        assert stamps[k + rps] - stamps[k] >= rps * interval - 1e-3, k
    # 30 departures on the plan take 29 intervals; the lateness (1.5) was made up.
    assert stamps[-1] - stamps[0] < 29.5 * interval


async def test_a_long_pause_is_not_made_up() -> None:
    budget = MemoryRateBudget(RPS, MARGIN)
    interval = spacing_seconds(RPS, MARGIN)
    await budget.acquire("e.amocrm.ru")
    await asyncio.sleep(10 * interval)  # no request asked for meanwhile
    stamps = await _stamps(budget, "e.amocrm.ru", 6)
    # Evenly spaced from the first request after the pause, not a burst to catch up.
    assert stamps[-1] - stamps[0] >= 5 * interval - 1e-3


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        spacing_seconds(0, MARGIN)


async def test_a_429_stretches_the_spacing_and_departures_shrink_it_back() -> None:
    budget = MemoryRateBudget(RPS, MARGIN)
    interval = spacing_seconds(RPS, MARGIN)
    account = "c.amocrm.ru"
    await budget.acquire(account)
    await budget.rate_limited(account)
    await budget.rate_limited(account)
    assert budget.slowdown(account) == pytest.approx(1.2)
    start = time.monotonic()
    await budget.acquire(account)
    assert time.monotonic() - start >= 1.2 * interval - 1e-3
    assert budget.slowdown(account) == pytest.approx(1.2 - SLOWDOWN_DECAY)
    for _ in range(20):
        await budget.rate_limited(account)
    assert budget.slowdown(account) == pytest.approx(SLOWDOWN_MAX)  # capped
    assert budget.slowdown("other.kommo.com") == 1.0
