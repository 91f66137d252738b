"""SQLite's read pool (``db.reading``): statements run on the event loop's own thread instead
of aiosqlite's, the pool cannot write, and it reads what the writers committed."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from foryou_crm.core.db import make_engine, reading


def _sqlite(url: str) -> None:
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's read pool; PostgreSQL reads on its one pool in autocommit")


def _report_threads(engine: AsyncEngine) -> None:
    """``thread_id()`` in SQL: the thread SQLite runs the statement on."""

    @event.listens_for(engine.sync_engine, "connect")
    def _register(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.create_function("thread_id", 0, threading.get_ident)


async def _thread_of(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT thread_id()"))).scalar_one())


async def test_reads_run_on_the_loops_thread_and_writes_on_aiosqlites(database_url: str) -> None:
    _sqlite(database_url)
    writer = make_engine(database_url)
    reader = reading(writer)
    _report_threads(writer)
    _report_threads(reader)
    try:
        loop_thread = threading.get_ident()
        assert await _thread_of(reader) == loop_thread
        assert await _thread_of(writer) != loop_thread
    finally:
        await reader.dispose()
        await writer.dispose()


async def test_the_read_pool_refuses_writes(database_url: str) -> None:
    _sqlite(database_url)
    writer = make_engine(database_url)
    reader = reading(writer)
    try:
        with pytest.raises(OperationalError, match="readonly"):
            async with reader.begin() as conn:
                await conn.execute(text("DELETE FROM users"))
    finally:
        await reader.dispose()
        await writer.dispose()


async def test_the_read_pool_sees_each_commit_of_the_writers(database_url: str) -> None:
    """Two pools on one file (WAL): a read after a commit sees it, on a connection the pool
    kept from before the commit; a read during a writer's open transaction neither waits for
    it nor sees it."""
    _sqlite(database_url)
    writer = make_engine(database_url)
    reader = reading(writer)
    count = text("SELECT count(*) FROM users")
    insert = text(
        "INSERT INTO users (email, name, created_at, token_version, is_admin) "
        "VALUES (:email, 'n', '2026-01-01 00:00:00', 0, 0)"
    )
    try:
        async with reader.connect() as conn:
            before = (await conn.execute(count)).scalar_one()
        async with writer.begin() as conn:
            await conn.execute(insert, {"email": "one@foryou.example"})
        async with reader.connect() as conn:
            assert (await conn.execute(count)).scalar_one() == before + 1
        async with writer.begin() as conn:
            await conn.execute(insert, {"email": "two@foryou.example"})
            async with reader.connect() as read:
                seen = await asyncio.wait_for(read.execute(count), timeout=1)
                assert seen.scalar_one() == before + 1
        async with reader.connect() as conn:
            assert (await conn.execute(count)).scalar_one() == before + 2
    finally:
        await reader.dispose()
        await writer.dispose()
