"""Direct reads (``core.direct``): a Core select run on the driver's own connection answers
exactly what the engine answers for it, sees every commit, and keeps the engine pool's
guarantees (SQLite: does not wait for a writer; PostgreSQL: our server
settings, a connection cut while idle is replaced)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from foryou_crm.connections.models import SyncState
from foryou_crm.core.db import make_engine, make_sessionmaker
from foryou_crm.core.direct import POOL_SIZE, DirectReads, Query, direct_reads
from foryou_crm.leads.models import AmoLead, AmoPipeline, AmoStatus
from foryou_crm.leads.queries import page_statement
from foryou_crm.users.models import User
from tests.rows import add_connected_user

MOMENT = datetime(2026, 11, 30, 21, 15, 7, 123456, tzinfo=UTC)

USERS = User.__table__
USER_BY_ID = Query(
    select(USERS.c.id, USERS.c.email, USERS.c.is_admin, USERS.c.disabled_at).where(
        USERS.c.id == bindparam("user_id")
    )
)
LEADS = AmoLead.__table__
# The lead list's row: JSON columns, big integers, outer joins with NULLs.
PAGE = Query(
    page_statement().where(LEADS.c.connection_id == bindparam("cid")).order_by(LEADS.c.amo_id)
)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def reads(engine: AsyncEngine) -> AsyncIterator[DirectReads]:
    reads = direct_reads(engine)
    yield reads
    await reads.close()


async def _seed(engine: AsyncEngine) -> tuple[int, int]:
    """A disabled admin and a connection with a pipeline, one status and three leads (one in
    an unknown status, one with no contacts or tags). Returns (user id, connection id)."""
    async with make_sessionmaker(engine)() as session:
        user, connection = await add_connected_user(
            session,
            "ольга@foryou.example",
            MOMENT,
            name="Ольга",
            is_admin=True,
            disabled_at=MOMENT + timedelta(days=1),
        )
        session.add(SyncState(connection_id=connection.id, state="idle", progress=1.0, gen=0))
        session.add(
            AmoPipeline(connection_id=connection.id, amo_id=77, name="Продаж", sort=1, is_main=True)
        )
        session.add(
            AmoStatus(
                connection_id=connection.id,
                pipeline_amo_id=77,
                amo_id=142,
                name="Успішно",
                color="#CCFF66",
                sort=10,
                type=1,
            )
        )
        for amo_id, status, tags, contacts in (
            (1, 142, ["VIP", "Київ"], [{"id": 9, "name": "Іра", "phone": "+380", "main": True}]),
            (2, 999, [], []),
            (2**62, 142, ['"quoted" тег'], [{"id": 10, "name": None, "phone": None}]),
        ):
            session.add(
                AmoLead(
                    connection_id=connection.id,
                    amo_id=amo_id,
                    name=f"Угода {amo_id}",
                    price=2**53 + amo_id,
                    status_id=status,
                    pipeline_id=77,
                    responsible_user_id=None,
                    created_at=1_700_000_000 + amo_id % 1000,
                    updated_at=1_700_000_500,
                    closed_at=None,
                    tags=tags,
                    contacts=contacts,
                )
            )
        await session.commit()
        return user.id, connection.id


async def test_rows_are_what_the_engine_returns(engine: AsyncEngine, reads: DirectReads) -> None:
    user_id, connection_id = await _seed(engine)
    for query, params in (
        (USER_BY_ID, {"user_id": user_id}),
        (PAGE, {"cid": connection_id}),
    ):
        async with engine.connect() as conn:
            expected = [tuple(row) for row in await conn.execute(query.statement, params)]
        assert await reads.all(query, params) == expected
    user = await reads.one(USER_BY_ID, {"user_id": user_id})
    assert user == (user_id, "ольга@foryou.example", True, MOMENT + timedelta(days=1))
    assert user[3].tzinfo is not None
    page = await reads.all(PAGE, {"cid": connection_id})
    assert [row[0] for row in page] == [1, 2, 2**62]
    assert page[0][9] == ["VIP", "Київ"] and page[0][10][0]["name"] == "Іра"
    assert page[1][11] is None  # the unknown status: the outer join's NULL
    assert await reads.one(USER_BY_ID, {"user_id": user_id + 1}) is None


async def test_more_than_one_row_for_one_is_an_error(
    engine: AsyncEngine, reads: DirectReads
) -> None:
    _, connection_id = await _seed(engine)
    with pytest.raises(LookupError):
        await reads.one(PAGE, {"cid": connection_id})


async def test_each_read_sees_every_commit_before_it(
    engine: AsyncEngine, reads: DirectReads
) -> None:
    """The reads keep their connection between requests: a connection stuck in an old
    snapshot would show a user still connected after they disconnected."""
    user_id, _ = await _seed(engine)
    assert (await reads.one(USER_BY_ID, {"user_id": user_id}) or ())[2] is True
    async with engine.begin() as conn:
        await conn.execute(USERS.update().where(USERS.c.id == user_id).values(is_admin=False))
    assert (await reads.one(USER_BY_ID, {"user_id": user_id}) or ())[2] is False
    async with engine.begin() as conn:
        await conn.execute(USERS.delete().where(USERS.c.id == user_id))
    assert await reads.one(USER_BY_ID, {"user_id": user_id}) is None


async def test_a_read_neither_waits_for_nor_sees_an_open_write(
    engine: AsyncEngine, reads: DirectReads
) -> None:
    user_id, _ = await _seed(engine)
    async with engine.connect() as conn:
        await conn.execute(USERS.update().where(USERS.c.id == user_id).values(is_admin=False))
        # The writer holds its transaction (and on SQLite the write lock) open meanwhile.
        found = await asyncio.wait_for(reads.one(USER_BY_ID, {"user_id": user_id}), 1)
        assert (found or ())[2] is True
        await conn.rollback()


def _postgres(url: str) -> None:
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL's pool; SQLite reads on one connection in the loop's thread")


async def test_postgres_direct_reads_use_our_server_settings(database_url: str) -> None:
    """``plan_cache_mode``: without it the lead list's ranges got PostgreSQL's generic plan,
    10× slower (core/db.py)."""
    _postgres(database_url)
    engine = make_engine(database_url)
    reads = direct_reads(engine)
    setting = Query(select(func.current_setting("plan_cache_mode")))
    try:
        assert await reads.one(setting, {}) == ("force_custom_plan",)
    finally:
        await reads.close()
        await engine.dispose()


async def test_postgres_a_connection_cut_while_idle_is_replaced(database_url: str) -> None:
    _postgres(database_url)
    engine = make_engine(database_url)
    reads = direct_reads(engine, idle_seconds=0.2)
    backend = Query(select(func.pg_backend_pid()))
    try:
        first = await reads.one(backend, {})
        admin = make_engine(database_url, pool_size=1)
        async with admin.connect() as conn:
            await conn.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": (first or (0,))[0]}
            )
        await admin.dispose()
        await asyncio.sleep(0.6)  # idle past the threshold: closed, not used
        second = await reads.one(backend, {})
        assert second != first
    finally:
        await reads.close()
        await engine.dispose()


async def test_postgres_a_connection_cut_between_reads_is_replaced(database_url: str) -> None:
    """A read keeps its connection for the next one (``PostgresReads``): one the server closed
    meanwhile is not handed to the next read, which gets a new connection, not an error."""
    _postgres(database_url)
    engine = make_engine(database_url)
    reads = direct_reads(engine)  # idle_seconds: 10 s, far longer than this test
    backend = Query(select(func.pg_backend_pid()))
    try:
        (first,) = await reads.one(backend, {}) or (0,)
        admin = make_engine(database_url, pool_size=1)
        async with admin.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        await admin.dispose()
        await asyncio.sleep(0.2)  # the server's goodbye reaches the client
        (second,) = await reads.one(backend, {}) or (0,)
        assert second not in (first, 0)
    finally:
        await reads.close()
        await engine.dispose()


async def test_postgres_reads_share_at_most_the_pool_and_survive_cancellation(
    database_url: str,
) -> None:
    """Three times more reads at once than the pool holds all finish, on at most ``POOL_SIZE``
    connections; a read cancelled mid-query leaves no connection the next reads trip on."""
    _postgres(database_url)
    engine = make_engine(database_url)
    reads = direct_reads(engine)
    slow = Query(select(func.pg_backend_pid()).where(func.pg_sleep(bindparam("s")).is_not(None)))
    try:
        cancelled = asyncio.create_task(reads.all(slow, {"s": 5}))
        await asyncio.sleep(0.2)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        found = await asyncio.wait_for(
            asyncio.gather(*(reads.one(slow, {"s": 0.05}) for _ in range(3 * POOL_SIZE))), 10
        )
        assert len(found) == 3 * POOL_SIZE and all(found)
    finally:
        await reads.close()
        await engine.dispose()


async def _still_open(database_url: str, pids: set[int]) -> set[int]:
    """Which of these server backends are still there (a closed one leaves within moments)."""
    admin = make_engine(database_url, pool_size=1)
    try:
        for _ in range(20):
            async with admin.connect() as conn:
                found = await conn.execute(text("SELECT pid FROM pg_stat_activity"))
                left = pids & {int(pid) for pid in found.scalars()}
            if not left:
                break
            await asyncio.sleep(0.05)
        return left
    finally:
        await admin.dispose()


async def test_postgres_connections_a_burst_left_unused_are_closed(database_url: str) -> None:
    """After a burst, reads take the freshest kept connection; the others, unused past
    ``idle_seconds``, are closed as reads go on — a quiet worker does not hold ``POOL_SIZE``
    server backends for good."""
    _postgres(database_url)
    engine = make_engine(database_url)
    reads = direct_reads(engine, idle_seconds=0.3)
    slow = Query(select(func.pg_backend_pid()).where(func.pg_sleep(bindparam("s")).is_not(None)))
    try:
        burst = await asyncio.gather(*(reads.one(slow, {"s": 0.1}) for _ in range(4)))
        opened = {row[0] for row in burst if row}
        assert len(opened) == 4
        used: set[int] = set()
        for _ in range(8):  # one read at a time, for twice the idle time
            row = await reads.one(slow, {"s": 0})
            used.add(row[0] if row else 0)
            await asyncio.sleep(0.08)
        assert len(used) == 1
        assert await _still_open(database_url, opened - used) == set()
    finally:
        await reads.close()
        await engine.dispose()


async def test_postgres_closing_waits_for_a_running_read(database_url: str) -> None:
    """Shutting down while a read runs: the read ends with its rows, and the pool closes
    after it (none of its connections left open on the server)."""
    _postgres(database_url)
    engine = make_engine(database_url)
    reads = direct_reads(engine)
    slow = Query(select(func.pg_backend_pid()).where(func.pg_sleep(bindparam("s")).is_not(None)))
    try:
        (first,) = await reads.one(slow, {"s": 0}) or (0,)
        running = asyncio.create_task(reads.one(slow, {"s": 0.3}))
        await asyncio.sleep(0.05)
        await asyncio.wait_for(reads.close(), 10)
        assert running.done() and running.result()
        assert await _still_open(database_url, {first}) == set()
    finally:
        await engine.dispose()
