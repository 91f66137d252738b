"""Hourly upkeep of the amoCRM side: forget stale OAuth flows, and refresh idle connections
before amoCRM expires their refresh tokens (3 months unused)."""

from __future__ import annotations

import asyncio

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foryou_crm.amocrm.oauth.flows import purge_stale_flows
from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.core.clock import Clock

log = structlog.get_logger("foryou_crm.app")

INTERVAL_SECONDS = 3600


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession], tokens: TokenManager, clock: Clock
) -> None:
    async with sessionmaker() as session, session.begin():
        await purge_stale_flows(session, clock.now())
    refreshed = await tokens.refresh_idle()
    if refreshed:
        log.info("idle_connections_refreshed", count=refreshed)


async def run_hourly(
    sessionmaker: async_sessionmaker[AsyncSession], tokens: TokenManager, clock: Clock
) -> None:
    while True:
        try:
            await run_once(sessionmaker, tokens, clock)
        except Exception:
            # Broad on purpose, and logged with its traceback: whatever broke this round (the
            # database away for a moment, say), the next hour's round must still run.
            log.exception("housekeeping_failed")
        await asyncio.sleep(INTERVAL_SECONDS)
