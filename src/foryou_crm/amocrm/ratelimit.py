"""The request budget per amoCRM account: at most N requests per second across every connection
of that account, in this process, or across processes through Redis when configured.

amoCRM blocks the whole egress IP (403 on every call) after repeated 429s, so we stay under the
limit ourselves rather than relying on 429s."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from typing import Protocol

from redis.asyncio import Redis


class RateBudget(Protocol):
    async def acquire(self, account: str) -> None: ...


class MemoryRateBudget:
    """Sliding one-second window per account, shared by every task in this process."""

    def __init__(self, rps: float) -> None:
        self.limit = max(1, int(rps))
        self._sent: dict[str, deque[float]] = defaultdict(deque)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def acquire(self, account: str) -> None:
        async with self._locks[account]:
            sent = self._sent[account]
            while True:
                now = time.monotonic()
                while sent and sent[0] <= now - 1.0:
                    sent.popleft()
                if len(sent) < self.limit:
                    sent.append(now)
                    return
                await asyncio.sleep(sent[0] + 1.0 - now + 0.001)


class RedisRateBudget:
    """The same window kept in Redis (a sorted set per account) so all workers share it."""

    _SCRIPT = """
    local key = KEYS[1]
    local now = tonumber(ARGV[1])
    local limit = tonumber(ARGV[2])
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now - 1000)
    local count = redis.call('ZCARD', key)
    if count < limit then
      redis.call('ZADD', key, now, ARGV[3])
      redis.call('PEXPIRE', key, 2000)
      return 0
    end
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return math.max(1, math.floor(tonumber(oldest[2]) + 1000 - now) + 1)
    """

    def __init__(self, redis: Redis, rps: float) -> None:
        self.redis = redis
        self.limit = max(1, int(rps))
        self._seq = 0

    async def acquire(self, account: str) -> None:
        while True:
            self._seq += 1
            now_ms = int(time.time() * 1000)
            member = f"{now_ms}-{id(self)}-{self._seq}"
            wait_ms = await self.redis.eval(  # type: ignore[misc]
                self._SCRIPT, 1, f"foryou:amo-rate:{account}", now_ms, self.limit, member
            )
            if int(wait_ms) == 0:
                return
            await asyncio.sleep(int(wait_ms) / 1000)
