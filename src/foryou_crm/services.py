"""What a process runs on, built in one place: settings, clock, database, Redis, the HTTP client
to amoCRM with its rate budget, the token manager, sign-in throttling, the admin backend's JWT
verifier and the leads sync's job queue.

The web app (``create_app``), the job worker (``foryou-crm worker``) and the CLI
(``foryou-crm sync``, ``users`` …) all call ``Services.build(settings)`` and ``aclose()`` it
when they stop. Routes read it through ``ServicesDep``; nothing else is kept on
``app.state``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from foryou_crm.amocrm.client import AmoCRMTransport
from foryou_crm.amocrm.ratelimit import MemoryRateBudget, RateBudget, RedisRateBudget
from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.connections.principals import Principals
from foryou_crm.core.abuse import AbuseLimits
from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings, ensure_local_secrets
from foryou_crm.core.crypto import TokenCipher
from foryou_crm.core.db import make_engine, make_sessionmaker
from foryou_crm.core.direct import DirectReads, direct_reads
from foryou_crm.leads.kept import PerMirror
from foryou_crm.leads.matches import KeptMatches
from foryou_crm.leads.names import Names
from foryou_crm.leads.sync.job import SyncDeps
from foryou_crm.leads.sync.queue import API_POOL, SyncQueue
from foryou_crm.users.external_jwt import ExternalJWTVerifier
from foryou_crm.users.throttle import LoginThrottle, MemoryAttemptStore, RedisAttemptStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # The one read every ``/status`` and lead-list request starts with, run on the driver …
    direct: DirectReads
    # … and on PostgreSQL kept while PostgreSQL's notices say it has not changed.
    principals: Principals
    # None without FORYOU_REDIS_URL: the budget and the throttle then live in this process.
    redis: Redis | None
    # The one HTTP client to amoCRM; every request spends from ``budget`` first.
    amocrm: AmoCRMTransport
    budget: RateBudget
    tokens: TokenManager
    login_throttle: LoginThrottle
    # 429s for auth-url, exchange-code, sync and webhooks, per user / address / account.
    abuse: AbuseLimits
    # None unless FORYOU_EXTERNAL_JWT_ISSUER is set.
    external_jwt: ExternalJWTVerifier | None
    # The leads sync's jobs: routes defer them (after their transaction committed the sync
    # state that asks for the work); workers — or `serve` itself on SQLite — run them.
    queue: SyncQueue
    # The lead list's counts, names and text queries' matches, kept per mirror version (in
    # this process).
    lead_counts: PerMirror[int] = field(default_factory=PerMirror)
    lead_names: PerMirror[Names] = field(default_factory=PerMirror)
    lead_matches: KeptMatches = field(default_factory=KeptMatches)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        amocrm_transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        queue_pool: int = API_POOL,
    ) -> Services:
        """Everything from settings; nothing connects until first used. ``amocrm_transport``
        replaces the network under the amoCRM client (tests wire the sandbox in); ``clock``
        lets tests move time; ``queue_pool``: connections of the queue's own pool (a worker
        needs more than an API process)."""
        settings = ensure_local_secrets(settings)
        clock = clock or Clock()
        engine = make_engine(settings.resolved_database_url)
        sessionmaker = make_sessionmaker(engine)
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        rps, margin = settings.amocrm_rate_limit_rps, settings.amocrm_rate_margin
        budget: RateBudget = (
            RedisRateBudget(redis, rps, margin) if redis else MemoryRateBudget(rps, margin)
        )
        amocrm = AmoCRMTransport(
            timeout=settings.amocrm_http_timeout, budget=budget, transport=amocrm_transport
        )
        tokens = TokenManager(
            settings=settings,
            sessionmaker=sessionmaker,
            cipher=TokenCipher(settings.token_encryption_keys.get_secret_value()),
            transport=amocrm,
            clock=clock,
        )
        throttle = LoginThrottle(
            RedisAttemptStore(redis) if redis else MemoryAttemptStore(),
            max_failures=settings.login_max_failures,
            window_seconds=settings.login_window_seconds,
        )
        direct = direct_reads(engine)
        principals = Principals(direct)
        principals.watch_writes(engine)
        return cls(
            settings=settings,
            clock=clock,
            engine=engine,
            sessionmaker=sessionmaker,
            direct=direct,
            principals=principals,
            redis=redis,
            amocrm=amocrm,
            budget=budget,
            tokens=tokens,
            login_throttle=throttle,
            abuse=AbuseLimits(settings, redis),
            external_jwt=ExternalJWTVerifier(settings) if settings.external_jwt_issuer else None,
            queue=SyncQueue(
                settings, SyncDeps(sessionmaker, tokens, clock, settings), pool_size=queue_pool
            ),
        )

    async def aclose(self) -> None:
        """Close the queue first (its jobs use everything else), then the rest."""
        await self.queue.close()
        await self.amocrm.aclose()
        if self.redis is not None:
            await self.redis.aclose()
        await self.principals.close()
        await self.direct.close()
        await self.engine.dispose()


def services_of(request: Request) -> Services:
    """The process's services, which ``create_app`` put on the app: the one read of
    ``app.state`` in the code base."""
    services: Services = request.app.state.services
    return services


async def get_services(request: Request) -> Services:
    """``services_of`` as a dependency. ``async`` although it awaits nothing: FastAPI runs a
    plain ``def`` dependency in its thread pool — a thread hop on every request (measured:
    ~10 % of the lead list's CPU)."""
    return services_of(request)


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_session(services: ServicesDep) -> AsyncIterator[AsyncSession]:
    """The request's session. The request owns the transaction: services only ``flush()``;
    this commits once after the route returns, so a chain like "exchange code → read account →
    save tokens" is all-or-nothing."""
    async with services.sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            # Re-raised: whatever stopped the route (an error, a cancelled request) must not
            # leave half its writes behind.
            await session.rollback()
            raise


# scope="function": commit right after the route returns, before the response is sent, so the
# client never sees success for a write that then fails to commit.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
