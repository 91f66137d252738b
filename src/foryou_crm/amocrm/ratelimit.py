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
- **Slower after a 429.** Each 429 for an account stretches its interval by 10 % (up to 1.5×);
  every request that leaves takes 0.2 % of the stretch back. amoCRM blocks an account after
  repeated 429s, so the jitter that caused one must not cause the next.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Protocol

from redis.asyncio import Redis

DEFAULT_MARGIN = 0.05
SLOWDOWN_STEP = 0.1  # interval × (1 + step) per 429 …
SLOWDOWN_MAX = 1.5  # … up to this factor …
SLOWDOWN_DECAY = 0.002  # … and back by this much per departure
# "v2": a plain timestamp; the first version kept a sorted set under "foryou:amo-rate:" and
# workers of both versions must not meet on one key during a rolling deploy.
KEY_PREFIX = "foryou:amo-rate:v2:"


class RateBudget(Protocol):
    async def acquire(self, account: str) -> None:
        """Wait until a request to ``account`` may leave."""

    async def rate_limited(self, account: str) -> None:
        """amoCRM answered 429: stretch this account's spacing."""


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
        self._slow: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def slowdown(self, account: str) -> float:
        return self._slow.get(account, 1.0)

    async def acquire(self, account: str) -> None:
        async with self._locks[account]:
            slow = self.slowdown(account)
            last = self._last.get(account)
            if last is not None and (wait := last + self.interval * slow - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            self._last[account] = time.monotonic()
            if slow > 1.0:
                self._slow[account] = max(1.0, slow - SLOWDOWN_DECAY)

    async def rate_limited(self, account: str) -> None:
        self._slow[account] = min(SLOWDOWN_MAX, self.slowdown(account) + SLOWDOWN_STEP)


class RedisRateBudget:
    """The same spacing kept in Redis, so all workers on all hosts share one schedule per
    account. A script reads Redis's own clock (one clock for every host) and either records the
    departure or answers how long to wait, in microseconds. Within a process one task at a time
    asks, so waiters do not all poll Redis. Needs Redis 5+ (a script may write after ``TIME``
    since scripts replicate their effects)."""

    # KEYS: last departure (µs), slowdown factor. ARGV: interval (µs), decay.
    _ACQUIRE = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local slow = tonumber(redis.call('GET', KEYS[2]) or '1')
    local interval = tonumber(ARGV[1]) * slow
    local wait = tonumber(redis.call('GET', KEYS[1]) or '0') + interval - now
    if wait > 0 then
      return math.ceil(wait)
    end
    redis.call('SET', KEYS[1], string.format('%d', now), 'PX', math.ceil(interval / 1000) + 1000)
    if slow > 1 then
      redis.call('SET', KEYS[2], tostring(math.max(1, slow - tonumber(ARGV[2]))), 'EX', 600)
    end
    return 0
    """
    # KEYS: slowdown factor. ARGV: step, cap.
    _RATE_LIMITED = """
    local slow = tonumber(redis.call('GET', KEYS[1]) or '1')
    local raised = math.min(tonumber(ARGV[2]), slow + tonumber(ARGV[1]))
    redis.call('SET', KEYS[1], tostring(raised), 'EX', 600)
    return 0
    """

    def __init__(self, redis: Redis, rps: float, margin: float = DEFAULT_MARGIN) -> None:
        self.redis = redis
        self.interval_us = int(spacing_seconds(rps, margin) * 1_000_000)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def acquire(self, account: str) -> None:
        keys = (f"{KEY_PREFIX}{account}", f"{KEY_PREFIX}{account}:slow")
        async with self._locks[account]:
            while True:
                wait_us = await self.redis.eval(
                    self._ACQUIRE, 2, *keys, self.interval_us, SLOWDOWN_DECAY
                )
                if int(wait_us) <= 0:
                    return
                await asyncio.sleep(int(wait_us) / 1_000_000)

    async def rate_limited(self, account: str) -> None:
        await self.redis.eval(
            self._RATE_LIMITED, 1, f"{KEY_PREFIX}{account}:slow", SLOWDOWN_STEP, SLOWDOWN_MAX
        )

    async def slowdown(self, account: str) -> float:
        return float(await self.redis.get(f"{KEY_PREFIX}{account}:slow") or 1.0)
