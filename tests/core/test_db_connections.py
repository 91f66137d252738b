"""Pooled PostgreSQL connections: pinged before reuse only after sitting idle, and a
connection the server cut while idle is replaced instead of failing the request; requests
that only read run without BEGIN/COMMIT."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from foryou_crm.core.db import make_engine, make_sessionmaker, reading


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


async def test_reads_run_outside_a_transaction(database_url: str) -> None:
    """``now()`` is the transaction's start: it moves between two statements only when each
    is its own transaction (no BEGIN was sent around them)."""
    _postgres(database_url)
    engine = make_engine(database_url, pool_size=1)

    async def now_twice(maker: async_sessionmaker[AsyncSession]) -> tuple[object, object]:
        async with maker() as session:
            first = await session.scalar(text("SELECT now()"))
            await asyncio.sleep(0.01)
            return first, await session.scalar(text("SELECT now()"))

    try:
        first, second = await now_twice(make_sessionmaker(reading(engine)))
        assert first != second
        first, second = await now_twice(make_sessionmaker(engine))
        assert first == second
        # The busiest routes read on a connection of the read engine, not a session.
        async with reading(engine).connect() as conn:
            first = await conn.scalar(text("SELECT now()"))
            await asyncio.sleep(0.01)
            assert await conn.scalar(text("SELECT now()")) != first
    finally:
        await engine.dispose()
