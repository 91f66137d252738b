"""What the busiest requests read first (the user, their connection, its sync state), kept
per process (``connections.principals``): read once, then forgotten the moment any process
changes it — PostgreSQL's notices say so, SQLite's ``data_version`` — and on PostgreSQL never
kept while the process cannot hear about changes."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from foryou_crm.connections.models import SyncState
from foryou_crm.connections.principals import Found, Principals
from foryou_crm.core import notices
from foryou_crm.core.db import make_engine, make_sessionmaker
from foryou_crm.core.direct import DirectReads, direct_reads
from tests.rows import add_connected_user

MOMENT = datetime(2026, 12, 2, 21, 0, tzinfo=UTC)
DISABLE = "UPDATE users SET disabled_at = :at WHERE id = :id"


@dataclass
class Process:
    """One API process's side: its engine (its own writes), direct reads and kept users."""

    engine: AsyncEngine
    reads: DirectReads
    principals: Principals
    statements: list[str]

    async def load(self, user_id: int) -> Found:
        return await self.principals.load(self.reads, user_id)


@pytest.fixture
async def process(database_url: str) -> AsyncIterator[Process]:
    engine = make_engine(database_url)
    reads = direct_reads(engine)
    principals = Principals(reads)
    principals.watch_writes(engine)
    statements: list[str] = []
    reads.watchers.append(statements.append)
    yield Process(engine, reads, principals, statements)
    await principals.close()
    await reads.close()
    await engine.dispose()


@pytest.fixture
async def elsewhere(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Another process's connections: its writes reach ours only through PostgreSQL."""
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


async def _seed(engine: AsyncEngine) -> int:
    async with make_sessionmaker(engine)() as session:
        user, connection = await add_connected_user(session, "ліна@foryou.example", MOMENT)
        session.add(SyncState(connection_id=connection.id, state="idle", progress=1.0, gen=0))
        await session.commit()
        return user.id


async def _run(engine: AsyncEngine, sql: str, **values: object) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(sql), values)


async def _eventually(check: Callable[[], Awaitable[bool]], seconds: float = 10.0) -> None:
    """Until ``check`` holds (a notice arrives within milliseconds; the bound is only there so
    a lost one fails the test instead of hanging it)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.01)


async def _listening(process: Process, user_id: int) -> None:
    async def listening() -> bool:
        await process.load(user_id)  # the first loads start the listening
        return process.principals._notices is not None and process.principals._notices.listening

    await _eventually(listening)


def _postgres(url: str) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL's side: its notices say when to forget")


def _sqlite(url: str) -> Path:
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's side")
    return Path(url.removeprefix("sqlite+aiosqlite:///"))


async def test_sqlite_keeps_until_any_other_connection_commits(
    process: Process, elsewhere: AsyncEngine, database_url: str
) -> None:
    """On SQLite what is kept is served while the database's ``data_version`` is unchanged:
    every commit by another connection — another process's, or this one's own engine —
    forgets it before the next request, with no wait."""
    database = _sqlite(database_url)
    user_id = await _seed(process.engine)
    for _ in range(3):
        user, found = await process.load(user_id)
        assert user is not None and user.id == user_id and found is not None
    assert len(process.statements) == 1  # read once, then kept

    # Disabled by ``users disable`` run beside the server: a process of its own, plain sqlite3.
    with sqlite3.connect(database) as other:
        other.execute(
            "UPDATE users SET disabled_at = '2026-12-02 21:00:00' WHERE id = ?", (user_id,)
        )
    user, _ = await process.load(user_id)
    assert user is not None and user.disabled_at is not None
    assert len(process.statements) == 2

    # A sync's progress, written by another engine (a worker process).
    await _run(elsewhere, "UPDATE amo_sync_states SET state = 'running', progress = 0.25")
    _, found = await process.load(user_id)
    assert found is not None and found[1] is not None and found[1].progress == 0.25

    # This process's own write (``POST /sync``), through its own engine.
    await _run(process.engine, "UPDATE amo_sync_states SET state = 'queued'")
    _, found = await process.load(user_id)
    assert found is not None and found[1] is not None and found[1].state == "queued"

    # Disconnected: the connection row gone, its sync state with it.
    await _run(elsewhere, "DELETE FROM amocrm_connections WHERE user_id = :id", id=user_id)
    _, found = await process.load(user_id)
    assert found is None
    read = len(process.statements)
    await process.load(user_id)
    assert len(process.statements) == read  # kept again once nothing changes

    # The read connection closed and opened again (its data_version counts afresh): a write
    # made meanwhile is still seen.
    await process.reads.close()
    with sqlite3.connect(database) as other:
        other.execute("UPDATE users SET token_version = 7 WHERE id = ?", (user_id,))
    user, _ = await process.load(user_id)
    assert user is not None and user.token_version == 7


async def test_kept_until_another_process_changes_it(
    process: Process, elsewhere: AsyncEngine, database_url: str
) -> None:
    _postgres(database_url)
    user_id = await _seed(process.engine)
    await _listening(process, user_id)
    await process.load(user_id)  # read now, if the last load was before listening began
    read = len(process.statements)
    for _ in range(5):
        user, found = await process.load(user_id)
        assert user is not None and user.disabled_at is None and found is not None
    assert len(process.statements) == read  # kept

    # Disabled by an administrator elsewhere: refused here as soon as the notice arrives.
    await _run(
        elsewhere, "UPDATE users SET disabled_at = :at WHERE id = :id", at=MOMENT, id=user_id
    )

    async def disabled() -> bool:
        user, _ = await process.load(user_id)
        return user is not None and user.disabled_at is not None

    await _eventually(disabled)

    # A sync's progress, written by a worker.
    await _run(elsewhere, "UPDATE amo_sync_states SET state = 'running', progress = 0.25")

    async def running() -> bool:
        _, found = await process.load(user_id)
        sync = found[1] if found else None
        return sync is not None and sync.state == "running" and sync.progress == 0.25

    await _eventually(running)

    # Disconnected elsewhere (the connection row deleted, its sync state with it).
    await _run(elsewhere, "DELETE FROM amocrm_connections WHERE user_id = :id", id=user_id)

    async def disconnected() -> bool:
        _, found = await process.load(user_id)
        return found is None

    await _eventually(disconnected)

    # Emptied (the tests' own TRUNCATE): every user forgotten at once.
    await _run(elsewhere, "TRUNCATE users CASCADE")

    async def gone() -> bool:
        user, _ = await process.load(user_id)
        return user is None

    await _eventually(gone)


async def test_this_processs_own_write_is_seen_at_once(process: Process, database_url: str) -> None:
    """``POST /sync`` then ``/status`` on the same process: no wait for the notice."""
    _postgres(database_url)
    user_id = await _seed(process.engine)
    await _listening(process, user_id)
    await process.load(user_id)
    # Deaf to the notices from here: only the process's own watch on its writes can forget.
    notices = process.principals._notices
    assert notices is not None
    notices._on_notice = lambda _payload: None
    await _run(process.engine, "UPDATE amo_sync_states SET requested = 'full', state = 'queued'")
    _, found = await process.load(user_id)
    assert found is not None and found[1] is not None and found[1].state == "queued"
    await _run(process.engine, "UPDATE users SET token_version = token_version + 1")
    user, _ = await process.load(user_id)
    assert user is not None and user.token_version == 1


async def test_nothing_is_kept_while_not_listening(
    process: Process,
    elsewhere: AsyncEngine,
    database_url: str,
) -> None:
    """The listening connection cut (a restarted server, a proxy's timeout): notices sent
    meanwhile are lost, so every request reads until it listens again."""
    _postgres(database_url)
    user_id = await _seed(process.engine)
    await _listening(process, user_id)
    kept = process.principals._notices
    assert kept is not None
    await _run(
        elsewhere,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE application_name = :name AND datname = current_database()",
        name=notices.APPLICATION_NAME,
    )

    async def deaf() -> bool:
        return not kept.listening

    await _eventually(deaf)
    kept._next_attempt = float("inf")  # no listening again for now
    # A change whose notice nobody heard: still seen, because nothing was kept.
    await _run(
        elsewhere, "UPDATE users SET disabled_at = :at WHERE id = :id", at=MOMENT, id=user_id
    )
    read = len(process.statements)
    user, _ = await process.load(user_id)
    assert user is not None and user.disabled_at is not None
    await process.load(user_id)
    assert len(process.statements) == read + 2  # read each time

    # Listening again on a request once the pause is over: kept again.
    kept._next_attempt = 0.0
    await _listening(process, user_id)
    await process.load(user_id)
    read = len(process.statements)
    await process.load(user_id)
    await process.load(user_id)
    assert len(process.statements) == read
