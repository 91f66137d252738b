"""Slows down password guessing: after N failures per email and per client address within a
window, sign-in answers 429 with Retry-After until the window has passed.

In-process by default; shared across workers through Redis when ``FORYOU_REDIS_URL`` is set."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Protocol

from redis.asyncio import Redis


class AttemptStore(Protocol):
    async def failures(self, key: str, window: int) -> tuple[int, int]:
        """(failures within the window, seconds until the oldest one leaves it)."""
        ...

    async def record_failure(self, key: str, window: int) -> None: ...

    async def clear(self, key: str) -> None: ...


class MemoryAttemptStore:
    def __init__(self) -> None:
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def _prune(self, key: str, window: int) -> deque[float]:
        events = self._events[key]
        cutoff = time.monotonic() - window
        while events and events[0] <= cutoff:
            events.popleft()
        return events

    async def failures(self, key: str, window: int) -> tuple[int, int]:
        events = self._prune(key, window)
        retry = int(events[0] + window - time.monotonic()) + 1 if events else 0
        return len(events), retry

    async def record_failure(self, key: str, window: int) -> None:
        self._prune(key, window).append(time.monotonic())

    async def clear(self, key: str) -> None:
        self._events.pop(key, None)


class RedisAttemptStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def failures(self, key: str, window: int) -> tuple[int, int]:
        name = f"foryou:login:{key}"
        count = int(await self._redis.get(name) or 0)
        ttl = int(await self._redis.ttl(name))
        return count, max(ttl, 0)

    async def record_failure(self, key: str, window: int) -> None:
        name = f"foryou:login:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window, nx=True)
            await pipe.execute()

    async def clear(self, key: str) -> None:
        await self._redis.delete(f"foryou:login:{key}")


class LoginThrottle:
    def __init__(self, store: AttemptStore, *, max_failures: int, window_seconds: int) -> None:
        self.store = store
        self.max_failures = max_failures
        self.window = window_seconds

    @staticmethod
    def keys(email: str, client: str) -> list[str]:
        return [f"email:{email.lower()}", f"ip:{client}"]

    async def retry_after(self, email: str, client: str) -> int:
        """0 when sign-in may proceed, else seconds to wait."""
        worst = 0
        for key in self.keys(email, client):
            count, retry = await self.store.failures(key, self.window)
            if count >= self.max_failures:
                worst = max(worst, retry, 1)
        return worst

    async def failed(self, email: str, client: str) -> None:
        for key in self.keys(email, client):
            await self.store.record_failure(key, self.window)

    async def succeeded(self, email: str) -> None:
        await self.store.clear(f"email:{email.lower()}")
