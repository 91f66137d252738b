"""The request budget per amoCRM account: at most N requests per second across every connection
of that account, in this process, or across processes through Redis when configured.

amoCRM blocks the whole API (403 on every call) after repeated 429s, so we stay under the limit
ourselves rather than relying on 429s. Three choices make that hold in practice:

- **Even spacing, no bursts.** Requests leave one every ``(1 + margin) / rps`` seconds. A
  sliding window that lets seven go at once and then waits would also be "7 per second" at the
  sender, but seven simultaneous arrivals queue at the server, and how far apart it stamps them
  depends on its load; the next burst's stamps then fall into the same second.
- **Spacing from the actual departure.** A request whose turn came while the event loop was
  busy (parsing a page, writing one) leaves late; the next one waits a full interval from then,
  not from the planned time. Otherwise the late one and the one seven places behind it arrive
  less than a second apart.
- **A margin.** amoCRM counts a request when it *arrives*, and the way there has jitter too: 5 %
  by default, i.e. 6.67 requests/s for amoCRM's 7, or 50 ms in hand across any eight requests.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Protocol

from redis.asyncio import Redis

DEFAULT_MARGIN = 0.05
# "v2": a plain timestamp; the first version kept a sorted set under "foryou:amo-rate:" and
# workers of both versions must not meet on one key during a rolling deploy.
KEY_PREFIX = "foryou:amo-rate:v2:"


class RateBudget(Protocol):
    async def acquire(self, account: str) -> None: ...


def spacing_seconds(rps: float, margin: float) -> float:
    if rps <= 0:
        raise ValueError("rps must be positive")
    return (1.0 + max(0.0, margin)) / rps


class MemoryRateBudget:
    """Departures per account at least one interval apart, shared by every task in this
    process; waiters go in arrival order."""

    def __init__(self, rps: float, margin: float = DEFAULT_MARGIN) -> None:
        self.interval = spacing_seconds(rps, margin)
        self._last: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def acquire(self, account: str) -> None:
        async with self._locks[account]:
            last = self._last.get(account)
            if last is not None and (wait := last + self.interval - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            self._last[account] = time.monotonic()


class RedisRateBudget:
    """The same spacing kept in Redis, so all workers on all hosts share one schedule per
    account. A script reads Redis's own clock (one clock for every host) and either records the
    departure or answers how long to wait, in microseconds. Within a process one task at a time
    asks, so waiters do not all poll Redis. Needs Redis 5+ (a script may write after ``TIME``
    since scripts replicate their effects)."""

    _SCRIPT = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local interval = tonumber(ARGV[1])
    local wait = tonumber(redis.call('GET', KEYS[1]) or '0') + interval - now
    if wait > 0 then
      return wait
    end
    redis.call('SET', KEYS[1], string.format('%d', now), 'PX', math.ceil(interval / 1000) + 1000)
    return 0
    """

    def __init__(self, redis: Redis, rps: float, margin: float = DEFAULT_MARGIN) -> None:
        self.redis = redis
        self.interval_us = int(spacing_seconds(rps, margin) * 1_000_000)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def acquire(self, account: str) -> None:
        async with self._locks[account]:
            while True:
                wait_us = await self.redis.eval(  # type: ignore[misc]
                    self._SCRIPT, 1, f"{KEY_PREFIX}{account}", self.interval_us
                )
                if int(wait_us) <= 0:
                    return
                await asyncio.sleep(int(wait_us) / 1_000_000)
