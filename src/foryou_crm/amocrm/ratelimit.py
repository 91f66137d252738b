"""The request budget per amoCRM account: at most N requests per second across every connection
of that account, in this process, or across processes through Redis when configured.

amoCRM blocks the whole API (403 on every call) after repeated 429s, so we stay under the limit
ourselves rather than relying on 429s. Two choices make that hold in practice:

- **Even spacing, no bursts.** Requests leave one every ``(1 + margin) / rps`` seconds. A
  sliding window that lets seven go at once and then waits would also be "7 per second" at the
  sender, but seven simultaneous arrivals queue at the server, and how far apart it stamps them
  depends on its load; the next burst's stamps then fall into the same second.
- **A margin.** amoCRM counts a request when it *arrives*. A request that leaves a few
  milliseconds late (a busy event loop, a slow DNS answer) shortens the gap to the next one, so
  the spacing keeps ``margin`` in hand: 5 % by default, i.e. 6.67 requests/s for amoCRM's 7,
  which tolerates 50 ms of lateness across any eight consecutive requests.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from redis.asyncio import Redis

DEFAULT_MARGIN = 0.05


class RateBudget(Protocol):
    async def acquire(self, account: str) -> None: ...


def spacing_seconds(rps: float, margin: float) -> float:
    if rps <= 0:
        raise ValueError("rps must be positive")
    return (1.0 + max(0.0, margin)) / rps


class MemoryRateBudget:
    """Evenly spaced departures per account, shared by every task in this process."""

    def __init__(self, rps: float, margin: float = DEFAULT_MARGIN) -> None:
        self.interval = spacing_seconds(rps, margin)
        self._next: dict[str, float] = {}

    async def acquire(self, account: str) -> None:
        # Reserve the next free slot and sleep until it (no await in between, so no lock).
        now = time.monotonic()
        at = max(now, self._next.get(account, 0.0))
        self._next[account] = at + self.interval
        if at > now:
            await asyncio.sleep(at - now)


class RedisRateBudget:
    """The same spacing kept in Redis, so all workers on all hosts share one schedule per
    account. The slot is reserved atomically by a script that reads Redis's own clock (one
    clock for every host) and answers how long to wait for it, in microseconds."""

    _SCRIPT = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local interval = tonumber(ARGV[1])
    local at = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
    redis.call('SET', KEYS[1], string.format('%d', at + interval), 'PX',
               math.ceil((at + interval - now) / 1000) + 1000)
    return at - now
    """

    def __init__(self, redis: Redis, rps: float, margin: float = DEFAULT_MARGIN) -> None:
        self.redis = redis
        self.interval_us = int(spacing_seconds(rps, margin) * 1_000_000)

    async def acquire(self, account: str) -> None:
        wait_us = await self.redis.eval(  # type: ignore[misc]
            self._SCRIPT, 1, f"foryou:amo-rate:{account}", self.interval_us
        )
        if int(wait_us) > 0:
            await asyncio.sleep(int(wait_us) / 1_000_000)
