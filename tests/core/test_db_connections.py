"""Pooled PostgreSQL connections: pinged before reuse only after sitting idle, and a
connection the server cut while idle is replaced instead of failing the request. (The busiest
reads run on a pool of their own: tests/core/test_direct_reads.py.)"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from foryou_crm.core.db import make_engine


def _postgres(url: str) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL's pool; SQLite opens a file")


async def _cut_other_connections(url: str) -> None:
    """What a server restart does to every pooled connection, while the pool keeps them."""
    admin = make_engine(url, pool_size=1)
    try:
        async with admin.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND application_name = 'idle-ping-test'"
                )
            )
    finally:
        await admin.dispose()


def _engine(url: str, ping_after_idle: float) -> AsyncEngine:
    return make_engine(
        url,
        ping_after_idle=ping_after_idle,
        pool_size=1,
        connect_args={"server_settings": {"application_name": "idle-ping-test"}},
    )


async def test_a_connection_cut_while_idle_is_replaced(database_url: str) -> None:
    _postgres(database_url)
    engine = _engine(database_url, 0.2)
    try:
        async with engine.connect() as conn:
            first = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await _cut_other_connections(database_url)
        await asyncio.sleep(0.3)  # idle past the threshold: pinged, found dead, replaced
        async with engine.connect() as conn:
            second = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await engine.dispose()


async def test_a_connection_in_use_moments_ago_is_not_pinged(database_url: str) -> None:
    """The other side of the trade: within the idle threshold the pool trusts the
    connection, so one cut in that window fails its next statement (and the pool then
    replaces it)."""
    _postgres(database_url)
    engine = _engine(database_url, 60)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        await _cut_other_connections(database_url)
        with pytest.raises(DBAPIError):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
