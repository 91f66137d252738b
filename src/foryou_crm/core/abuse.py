"""Abuse limits: the endpoints that cost us or amoCRM something (starting a connection,
exchanging a code, a sync, amoCRM's webhooks) answer 429 ``TOO_MANY_REQUESTS`` with
``Retry-After`` once a user or a client address sent more than its limit within a moving
window. Sign-in has its own, failure-counting throttle (``users/throttle.py``).

Counted by the ``limits`` library: in Redis when ``FORYOU_REDIS_URL`` is set (shared by every
worker, through the service's own connection pool), in this process otherwise. The numbers are
settings (``FORYOU_LIMIT_*``, docs/configuration.md)."""

from __future__ import annotations

import math
import time
from typing import Any, Literal

import structlog
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import Redis

from foryou_crm.core.config import Settings
from foryou_crm.core.errors import TooManyRequests

log = structlog.get_logger("foryou_crm.abuse")

Action = Literal["auth_url", "exchange_code", "sync", "webhook"]
Scope = Literal["user", "address", "account"]


class AbuseLimits:
    def __init__(self, settings: Settings, redis: Redis | None) -> None:
        storage: Storage = MemoryStorage()
        if redis is not None:
            # The service's own pool (closed with it); ``limits`` types its options narrowly.
            shared: dict[str, Any] = {"connection_pool": redis.connection_pool}
            storage = RedisStorage(
                "async+redis://", implementation="redispy", key_prefix="foryou:limits", **shared
            )
        self.limiter = MovingWindowRateLimiter(storage)
        s = settings
        self.rules: dict[tuple[Action, Scope], RateLimitItem] = {
            ("auth_url", "user"): parse(s.limit_auth_url_per_user),
            ("auth_url", "address"): parse(s.limit_per_address),
            ("exchange_code", "user"): parse(s.limit_exchange_code_per_user),
            ("exchange_code", "address"): parse(s.limit_per_address),
            ("sync", "user"): parse(s.limit_sync_per_user),
            ("sync", "address"): parse(s.limit_per_address),
            ("webhook", "account"): parse(s.limit_webhooks_per_account),
            ("webhook", "address"): parse(s.limit_webhooks_per_address),
        }

    async def hit(self, action: Action, scope: Scope, key: str) -> None:
        """Count one request of ``action`` for ``key`` (a user id, an address, an account);
        raise ``TooManyRequests`` when it is over the limit (the refused one is not counted)."""
        rule = self.rules[(action, scope)]
        if await self.limiter.hit(rule, action, scope, key):
            return
        stats = await self.limiter.get_window_stats(rule, action, scope, key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        log.warning("abuse_limit_reached", action=action, scope=scope, retry_after=retry_after)
        raise TooManyRequests(
            f"Too many requests; try again in {retry_after} s.", retry_after=retry_after
        )
