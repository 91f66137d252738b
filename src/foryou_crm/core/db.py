"""Database: SQLAlchemy 2 async engine (SQLite via aiosqlite by default, PostgreSQL via asyncpg)
and the declarative base with stable constraint names. The request-scoped session
(``SessionDep``, which commits once after the route returns) is in ``foryou_crm.services``."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from sqlalchemy import CursorResult, DateTime, Executable, MetaData, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Up to 30 connections per process, opened when first needed and then kept. Not "10 kept and
# 20 more under load": under load the 20 were opened and closed again request after request
# (a TLS-attempting connect on PostgreSQL, a thread and the PRAGMAs on SQLite) — measured as
# most of a request's CPU at 32 concurrent requests.
POOL_SIZE = 30


# How long a pooled connection may have been idle and still be trusted without a ping.
PING_AFTER_IDLE_SECONDS = 10.0


def make_engine(
    url: str, *, ping_after_idle: float = PING_AFTER_IDLE_SECONDS, **kwargs: Any
) -> AsyncEngine:
    # JSON columns (a lead's tags and contacts) are parsed on every read of the lead list.
    kwargs.setdefault("json_deserializer", orjson.loads)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", 0)
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url, connect_args={"timeout": 30}, hide_parameters=True, **kwargs
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            # WAL lets the sync job write while requests read; FKs make cascades real.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if url.startswith("postgresql+asyncpg"):
        kwargs["connect_args"] = postgres_connect_args(kwargs.get("connect_args"))
    # Error messages must not carry bound values (emails, ciphertexts, hashes) into logs.
    kwargs.setdefault("hide_parameters", True)
    engine = create_async_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine, ping_after_idle)
    return engine


def postgres_connect_args(given: dict[str, Any] | None) -> dict[str, Any]:
    """asyncpg's connection arguments: ``given``, with our server settings unless given.

    asyncpg prepares every statement, and after five runs PostgreSQL may switch to a generic
    plan that ignores the values. For the lead list's ranges and filters that plan is 10×
    slower (measured: price + date range 4 ms → 43 ms on 100,000 leads); planning each time
    costs well under a millisecond. Sent in the connection's startup packet: behind
    PgBouncer, list it in ignore_startup_parameters and set it with ALTER ROLE … SET
    instead."""
    connect_args = dict(given or {})
    server_settings = dict(connect_args.get("server_settings") or {})
    server_settings.setdefault("plan_cache_mode", "force_custom_plan")
    return {**connect_args, "server_settings": server_settings}


def _ping_when_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only when it sat idle for ``idle_seconds``.

    The pool's own ``pre_ping`` pings on every checkout, and on asyncpg a ping is three round
    trips (BEGIN, ``;``, ROLLBACK) — more than a lead-list request needs for its own work.
    A connection handed back moments ago was working then; one idle for longer may have been
    cut (a restarted or failed-over server, a proxy's idle timeout), and a failed ping makes
    the pool open a new one instead (SQLAlchemy's "custom pessimistic ping": raising
    ``DisconnectionError`` from ``checkout``). A server lost under load fails the statements
    in flight either way; SQLAlchemy then drops every pooled connection opened before."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < idle_seconds:
            return  # just opened, or in use moments ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            raise DisconnectionError("the connection failed its ping") from exc


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def affected_rows(session: AsyncSession, statement: Executable) -> int:
    """Run an UPDATE or DELETE; how many rows it touched. (``AsyncSession.execute`` is typed as
    returning a plain ``Result``; for these statements it is a ``CursorResult``.)"""
    result = cast(CursorResult[Any], await session.execute(statement))
    return int(result.rowcount)
