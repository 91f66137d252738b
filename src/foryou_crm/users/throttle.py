"""Slows down password guessing: after N failures per email and per client address within a
window, sign-in answers 429 with Retry-After until the window has passed.

In-process by default; shared across workers through Redis when ``FORYOU_REDIS_URL`` is set."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Protocol

from redis.asyncio import Redis


class AttemptStore(Protocol):
    async def record(self, key: str, window: int) -> tuple[int, int]:
        """Count one attempt; return (attempts within the window, seconds until it resets)."""
        ...

    async def forget_one(self, key: str) -> None:
        """Take back one attempt (it turned out to be a successful sign-in)."""
        ...

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

    async def record(self, key: str, window: int) -> tuple[int, int]:
        events = self._prune(key, window)
        events.append(time.monotonic())
        return len(events), int(events[0] + window - time.monotonic()) + 1

    async def forget_one(self, key: str) -> None:
        events = self._events.get(key)
        if events:
            events.pop()

    async def clear(self, key: str) -> None:
        self._events.pop(key, None)


class RedisAttemptStore:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def record(self, key: str, window: int) -> tuple[int, int]:
        name = f"foryou:login:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window, nx=True)
            pipe.ttl(name)
            count, _, ttl = await pipe.execute()
        return int(count), max(int(ttl), 1)

    async def forget_one(self, key: str) -> None:
        name = f"foryou:login:{key}"
        if int(await self._redis.decr(name)) <= 0:
            await self._redis.delete(name)

    async def clear(self, key: str) -> None:
        await self._redis.delete(f"foryou:login:{key}")


class LoginThrottle:
    """Each sign-in attempt is counted *before* the password is checked, so parallel guesses
    cannot all slip through between a check and a recorded failure; a success takes its own
    attempt back (and clears the email's count)."""

    def __init__(self, store: AttemptStore, *, max_failures: int, window_seconds: int) -> None:
        self.store = store
        self.max_failures = max_failures
        self.window = window_seconds

    @staticmethod
    def keys(email: str, client: str) -> list[str]:
        return [f"email:{email.lower()}", f"ip:{client}"]

    async def attempt(self, email: str, client: str) -> int:
        """Count this attempt: 0 when it may proceed, else seconds to wait."""
        worst = 0
        for key in self.keys(email, client):
            count, retry = await self.store.record(key, self.window)
            if count > self.max_failures:
                worst = max(worst, retry, 1)
        return worst

    async def succeeded(self, email: str, client: str) -> None:
        email_key, client_key = self.keys(email, client)
        await self.store.clear(email_key)
        await self.store.forget_one(client_key)
