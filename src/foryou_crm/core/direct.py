"""Direct reads: a busy request's select, compiled once per database by SQLAlchemy and run on
the driver's own connection — ``sqlite3`` on the event loop's thread, or an asyncpg pool.

Why a second way to run a statement: for the one-row read every ``/status`` and lead-list
request starts with (the user, their connection and its sync state), SQLAlchemy's execution
around the driver — a pool checkout through greenlets, the statement's cache key, an
execution context, the result object — cost ~190 µs of CPU on SQLite where the driver needs
~15 µs, and on PostgreSQL ~490 µs where asyncpg's own pool needs ~170 µs (measured, see
docs/performance.md); and asyncpg's pool around a read costs more than the read, so a read
keeps its connection (``PostgresReads``). The statement is still written once, in Core
(``Query``); only its execution differs. Everything else — writes, sessions, the other
routes — keeps the engine.

What the engine's pool does for its connections is kept: on SQLite the reads cannot write
(``query_only``) and wait at most ``READ_BUSY_TIMEOUT_MS`` for a crashed writer's recovery;
on PostgreSQL the connections have the engine's connection arguments (URL, TLS, server
settings such as ``plan_cache_mode``), are not trusted after sitting idle (closed instead of
pinged), and are in autocommit (asyncpg sends no BEGIN for a lone statement)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import asyncpg
import orjson
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine

from foryou_crm.core.db import PING_AFTER_IDLE_SECONDS, postgres_connect_args

Processor = Callable[[Any], Any]
Row = tuple[Any, ...]

# How long a SQLite read may wait for the database (only while a crashed writer's log is
# being recovered): it holds the event loop meanwhile.
READ_BUSY_TIMEOUT_MS = 2000

# Connections of the PostgreSQL pool, per process. A process serves from one core; each
# direct read is one short statement, so a few cover what one core can ask for at once.
POOL_SIZE = 10
# How long closing waits for the reads still running before it cuts their connections.
CLOSE_SECONDS = 5.0


@dataclass(frozen=True)
class _Compiled:
    """One statement for one database: its SQL, its parameters in the order the driver takes
    them (with the column types' bind processors) and its columns' result processors — known
    once it first ran: some depend on the type the database reports for the column (on
    asyncpg, whether a number column comes back as a float)."""

    sql: str
    names: tuple[str, ...]
    # The statement's own values (a literal's), for the parameters the caller does not give.
    values: tuple[Any, ...]
    binds: tuple[Processor | None, ...]
    # The result processors by column, only the columns that have one (the list's page: 2 of
    # 15; a generator over every value of every row was a tenth of a page's cost).
    results: tuple[tuple[int, Processor], ...] | None = None

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        out = []
        for name, own, bind in zip(self.names, self.values, self.binds, strict=True):
            value = params[name] if own is _REQUIRED or name in params else own
            out.append(value if bind is None else bind(value))
        return out

    def rows(self, raw: Sequence[Sequence[Any]]) -> list[Row]:
        results = self.results
        if results is None:
            raise RuntimeError("result processors unknown before the statement ran")
        if not results:
            return [tuple(row) for row in raw]
        out = []
        for row in raw:
            values = list(row)
            for i, result in results:
                values[i] = result(values[i])
            out.append(tuple(values))
        return out


class Query:
    """A Core select to run directly: compiled for a database the first time it runs there.
    Its parameters are named ``bindparam``s (given as a mapping); its rows come back as plain
    tuples in the select's column order, each value as the engine would have returned it."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _compile(self.statement, dialect)
        return found

    def ran(self, dialect: Dialect, column_types: Sequence[Any]) -> _Compiled:
        """The statement with its result processors, for the column types (as the driver
        reports them) of its first run."""
        compiled = self.compiled(dialect)
        processors = (
            column.type.dialect_impl(dialect).result_processor(dialect, column_type)
            for column, column_type in zip(
                self.statement.selected_columns, column_types, strict=True
            )
        )
        results = tuple((i, p) for i, p in enumerate(processors) if p is not None)
        compiled = self._compiled[dialect.name] = replace(compiled, results=results)
        return compiled


_REQUIRED = object()


def _compile(statement: Select[Any], dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    names = tuple(compiled.positiontup or ())
    parameters = [compiled.binds[name] for name in names]
    return _Compiled(
        str(compiled),
        names,
        tuple(_REQUIRED if p.required else p.effective_value for p in parameters),
        tuple(p.type.dialect_impl(dialect).bind_processor(dialect) for p in parameters),
    )


class DirectReads(ABC):
    """Runs ``Query``s for one database."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        # Called with each statement's SQL before it runs (what the engine's
        # ``before_cursor_execute`` event is to its statements): which plan a page took.
        self.watchers: list[Callable[[str], None]] = []

    def _watched(self, sql: str) -> None:
        for watch in self.watchers:
            watch(sql)

    async def one(self, query: Query, params: Mapping[str, Any]) -> Row | None:
        """The query's only row, or None (more than one is a programming error)."""
        rows = await self.all(query, params)
        if len(rows) > 1:
            raise LookupError(f"expected at most one row, got {len(rows)}")
        return rows[0] if rows else None

    @abstractmethod
    async def all(self, query: Query, params: Mapping[str, Any]) -> list[Row]: ...

    @abstractmethod
    async def close(self) -> None: ...


class SQLiteReads(DirectReads):
    """One connection, used on the event loop's thread: a read runs start to end without
    yielding, so no two ever overlap and one connection serves them all. Each statement is
    its own read transaction (autocommit), so it sees every commit made before it."""

    def __init__(self, dialect: Dialect, database: str) -> None:
        super().__init__(dialect)
        self._database = database
        self._connection: sqlite3.Connection | None = None
        self._opened = 0  # connections opened so far (``data_version``)

    def _connect(self) -> sqlite3.Connection:
        self._opened += 1
        connection = sqlite3.connect(
            self._database,
            timeout=READ_BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            check_same_thread=False,  # closed from wherever the app's shutdown runs
        )
        connection.execute("PRAGMA query_only=ON")
        return connection

    def data_version(self) -> tuple[int, int]:
        """SQLite's ``PRAGMA data_version`` on this connection, beside which connection it
        is: the number changes whenever another connection — of this process or any other —
        commits to the database, and this one never writes
        (https://www.sqlite.org/pragma.html#pragma_data_version); a connection opened again
        counts afresh, so the pair tells it from the last. Equal twice: nothing was written
        in between."""
        if self._connection is None:
            self._connection = self._connect()
        return self._opened, int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    async def all(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        compiled = query.compiled(self.dialect)
        if self._connection is None:
            self._connection = self._connect()
        self._watched(compiled.sql)
        cursor = self._connection.execute(compiled.sql, compiled.arguments(params))
        raw = cursor.fetchall()
        if compiled.results is None:
            # As SQLAlchemy's SQLite dialect is given them: sqlite3 reports no types.
            compiled = query.ran(self.dialect, [d[1] for d in cursor.description])
        return compiled.rows(raw)

    async def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PostgresReads(DirectReads):
    """asyncpg's own pool, opened on first use with the engine's connection arguments.

    A read keeps its connection afterwards instead of handing it back: asyncpg's acquire and
    release (a shielded task per release) cost about as much CPU as the read itself — 34 → 19
    µs per read with 32 readers at once; 0.25–0.30 → 0.22–0.24 ms per ``/status``
    (measured, docs/performance.md). The pool still opens, counts and closes every
    connection; ``_kept`` only holds the ones between reads. At most ``POOL_SIZE`` reads run at
    once (``_slots``), so a read that finds none kept always finds one in the pool. A
    connection leaves ``_kept`` for the pool when a read on it failed or was cancelled
    (asyncpg then resets or replaces it) or the server closed it, and is closed once it sat
    unused past ``idle_seconds`` (not trusted, as the pool closes its own): checked as each
    read ends, and before one is used."""

    def __init__(
        self, dialect: Dialect, connect_kwargs: dict[str, Any], idle_seconds: float
    ) -> None:
        super().__init__(dialect)
        # Also what a process's other connections of its own open with (``core.notices``).
        self.connect_kwargs = connect_kwargs
        self._idle_seconds = idle_seconds
        self._pool: asyncpg.Pool | None = None
        # The first requests of a process arrive together: one of them opens the pool.
        # (asyncpg's pool with no connections to open does not suspend today, so there is
        # no second pool without it either; the lock keeps that true whatever asyncpg does.)
        self._opening = asyncio.Lock()
        self._slots = asyncio.Semaphore(POOL_SIZE)
        # (connection, when its last read ended), oldest first: reads take the freshest, so
        # after a burst the others sit unused and age out.
        self._kept: deque[tuple[asyncpg.Connection, float]] = deque()
        self._closing = False

    async def _open(self) -> asyncpg.Pool:
        async with self._opening:
            if self._pool is not None:
                return self._pool
            self._pool = await asyncpg.create_pool(
                **self.connect_kwargs,
                min_size=0,
                max_size=POOL_SIZE,
                # A connection idle this long may have been cut (a restarted server, a
                # proxy's timeout): the pool closes it instead of trusting it.
                max_inactive_connection_lifetime=self._idle_seconds,
                # The statements here change no session state (no LISTEN, advisory lock,
                # cursor or SET): nothing to reset, so no extra round trip on release.
                reset=_nothing_to_reset,
                init=_json_codecs,
            )
            return self._pool

    async def _take(self, pool: asyncpg.Pool) -> asyncpg.Connection:
        kept = self._kept
        while kept:
            connection, since = kept.pop()
            if not _usable(connection):
                await pool.release(connection)  # the server closed it: the pool replaces it
            elif time.monotonic() - since >= self._idle_seconds:
                await _close(pool, connection)  # and the older ones, as they come up
            else:
                return connection
        acquired: asyncpg.Connection = await pool.acquire()
        return acquired

    async def _keep(self, pool: asyncpg.Pool, connection: asyncpg.Connection) -> None:
        if self._closing:
            await pool.release(connection)
            return
        now = time.monotonic()
        kept = self._kept
        kept.append((connection, now))
        while kept and now - kept[0][1] >= self._idle_seconds:
            await _close(pool, kept.popleft()[0])

    async def all(self, query: Query, params: Mapping[str, Any]) -> list[Row]:
        compiled = query.compiled(self.dialect)
        pool = self._pool or await self._open()
        self._watched(compiled.sql)
        async with self._slots:
            connection = await self._take(pool)
            try:
                if compiled.results is not None:
                    rows = compiled.rows(
                        await connection.fetch(compiled.sql, *compiled.arguments(params))
                    )
                else:  # the first run: learn the column types
                    prepared = await connection.prepare(compiled.sql)
                    raw = await prepared.fetch(*compiled.arguments(params))
                    types = [attribute.type.oid for attribute in prepared.get_attributes()]
                    rows = query.ran(self.dialect, types).rows(raw)
            except BaseException:
                await pool.release(connection)
                raise
            await self._keep(pool, connection)
            return rows

    async def close(self) -> None:
        """Hands every kept connection back and closes the pool (a read still running gives
        its connection back as it ends; one stuck past ``CLOSE_SECONDS`` is cut)."""
        pool = self._pool
        if pool is None:
            return
        self._closing = True
        while self._kept:
            await pool.release(self._kept.pop()[0])
        try:
            await asyncio.wait_for(pool.close(), CLOSE_SECONDS)
        except TimeoutError:
            pool.terminate()
        self._pool = None
        self._closing = False


async def _close(pool: asyncpg.Pool, connection: asyncpg.Connection) -> None:
    """Closes a connection the pool lent (it opens another when one is next needed)."""
    if _usable(connection):
        connection.terminate()
    await pool.release(connection)


def _usable(connection: asyncpg.Connection) -> bool:
    """Whether a kept connection is still open: one the server closed has already gone back to
    the pool (asyncpg then refuses every call on it)."""
    try:
        return not connection.is_closed()
    except asyncpg.InterfaceError:
        return False


async def _nothing_to_reset(_connection: asyncpg.Connection) -> None:
    return None


async def _json_codecs(connection: asyncpg.Connection) -> None:
    """JSON values decoded by the driver, as SQLAlchemy's asyncpg dialect sets up its own
    connections (its JSON types then have no result processor), with ``make_engine``'s
    parser. Binary: ``jsonb``'s starts with its format version."""
    await connection.set_type_codec(
        "json", encoder=orjson.dumps, decoder=orjson.loads, schema="pg_catalog", format="binary"
    )
    await connection.set_type_codec(
        "jsonb",
        encoder=lambda value: b"\x01" + orjson.dumps(value),
        decoder=lambda data: orjson.loads(data[1:]),
        schema="pg_catalog",
        format="binary",
    )


def direct_reads(
    engine: AsyncEngine, *, idle_seconds: float = PING_AFTER_IDLE_SECONDS
) -> DirectReads:
    """Direct reads of the database ``engine`` (made by ``db.make_engine``) is on: the same
    URL and, on PostgreSQL, ``make_engine``'s server settings; a pooled connection idle for
    ``idle_seconds`` is closed (the engine's pool pings it instead)."""
    dialect = engine.dialect
    if dialect.name == "sqlite":
        if not engine.url.database:
            raise ValueError("SQLite needs a database file (the reads open it again)")
        return SQLiteReads(dialect, engine.url.database)
    if engine.url.drivername != "postgresql+asyncpg":
        raise ValueError(f"no direct reads for {engine.url.drivername}")
    _, kwargs = dialect.create_connect_args(engine.url)
    kwargs.pop("prepared_statement_cache_size", None)  # SQLAlchemy's adapter's, not asyncpg's
    return PostgresReads(dialect, {**kwargs, **postgres_connect_args(None)}, idle_seconds)
