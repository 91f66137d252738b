"""Levels read from the database when /metrics is scraped: users, connections, leads mirrored,
how long ago each connection last synced, and the job queue.

Read by the process that answers the scrape, so they are right whichever worker answers and
need no multiprocess gauge. Labels are closed sets (states, statuses, the queue names the code
defines): one connection is never a series of its own, so hundreds of agents cost nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final, get_args

import structlog
from prometheus_client.metrics_core import GaugeMetricFamily, HistogramMetricFamily, Metric
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foryou_crm.connections.models import AmoConnection, SyncState, SyncStateName
from foryou_crm.users.models import User

log = structlog.get_logger("foryou_crm.metrics")

# Seconds since a connection's last successful sync: 1, 5, 15, 30 minutes, 1, 6, 24 hours.
SYNC_AGE_BUCKETS: Final = (60.0, 300.0, 900.0, 1800.0, 3600.0, 6 * 3600.0, 24 * 3600.0)
SYNC_STATES: Final = frozenset(get_args(SyncStateName))


def _gauge(name: str, doc: str, samples: dict[str, float], label: str) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for value, count in sorted(samples.items()):
        family.add_metric([value], count)
    return family


def _age_histogram(ages: Sequence[float]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(
        "foryou_sync_success_age_seconds",
        "Connections (not waiting for a reconnect) by seconds since their last successful sync "
        "(since connecting, for one that never synced).",
    )
    buckets = [(str(bound), float(sum(age <= bound for age in ages))) for bound in SYNC_AGE_BUCKETS]
    family.add_metric([], [*buckets, ("+Inf", float(len(ages)))], sum(ages))
    return family


async def _connection_families(session: AsyncSession, now: datetime) -> list[Metric]:
    rows = await session.execute(
        select(
            AmoConnection.needs_reconnect,
            AmoConnection.connected_at,
            SyncState.state,
            SyncState.leads_count,
            SyncState.last_synced_at,
        ).outerjoin(SyncState, SyncState.connection_id == AmoConnection.id)
    )
    connections = {"connected": 0.0, "needs_reconnect": 0.0}
    sync_states = dict.fromkeys(SYNC_STATES, 0.0)
    leads = 0
    ages: list[float] = []
    for needs_reconnect, connected_at, state, leads_count, last_synced_at in rows:
        connections["needs_reconnect" if needs_reconnect else "connected"] += 1
        # No state row yet: the first sync has not started.
        sync_states[state if state in SYNC_STATES else "idle"] += 1
        leads += leads_count or 0
        if not needs_reconnect:
            ages.append(max(0.0, (now - (last_synced_at or connected_at)).total_seconds()))
    oldest = GaugeMetricFamily(
        "foryou_sync_oldest_success_age_seconds",
        "Seconds since the least recently synced connection (not waiting for a reconnect) last "
        "synced successfully; 0 without connections.",
        value=max(ages, default=0.0),
    )
    return [
        _gauge(
            "foryou_amocrm_connections",
            "amoCRM connections, by state (needs_reconnect: amoCRM refused their tokens).",
            connections,
            "state",
        ),
        _gauge("foryou_sync_connections", "Connections by sync state.", sync_states, "state"),
        GaugeMetricFamily(
            "foryou_leads_mirrored", "Leads in the mirror, all connections.", value=leads
        ),
        oldest,
        _age_histogram(ages),
    ]


async def _job_families(session: AsyncSession) -> list[Metric]:
    """Procrastinate's jobs by queue and status, once its table exists (PostgreSQL only)."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    if not await session.scalar(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")):
        return []
    rows = await session.execute(
        text(
            "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs "
            "GROUP BY queue_name, status"
        )
    )
    family = GaugeMetricFamily(
        "foryou_jobs",
        "Jobs in the queue table by queue and status (todo: waiting, doing: running).",
        labels=["queue", "status"],
    )
    for queue, status, count in rows:
        family.add_metric([str(queue), str(status)], float(count))
    return [family]


async def database_families(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> list[Metric]:
    """Every family above, and ``foryou_metrics_database_up`` (0 when the database could not
    be read: the process's own metrics are still answered)."""
    try:
        async with sessionmaker() as session:
            total, disabled = (
                await session.execute(select(func.count(User.id), func.count(User.disabled_at)))
            ).one()
            families: list[Metric] = [
                _gauge(
                    "foryou_users",
                    "App users, by state.",
                    {"active": total - disabled, "disabled": disabled},
                    "state",
                ),
                *await _connection_families(session, now),
                *await _job_families(session),
            ]
    except (SQLAlchemyError, OSError) as exc:
        log.warning("metrics_database_unreadable", error=type(exc).__name__)
        families = []
    up = GaugeMetricFamily(
        "foryou_metrics_database_up",
        "1 when this scrape could read the database, else 0.",
        value=1 if families else 0,
    )
    return [*families, up]
