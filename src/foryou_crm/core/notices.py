"""One channel of PostgreSQL notifications (``LISTEN``), heard on a connection of its own.

``Notices`` tells its owner two things: a notice arrived (its payload), and notices may have
been missed — the connection was lost, a ping went unanswered, or it is not listening yet.
Whoever keeps data on the strength of the notices keeps nothing while ``listening`` is
False: a connection that dies silently (a cut network, a server that froze) delivers
nothing and reports nothing, so it is pinged every ``PING_SECONDS`` and given up on when a
ping takes longer than ``PING_TIMEOUT_SECONDS``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import structlog

log = structlog.get_logger("foryou_crm.notices")

PING_SECONDS = 5.0
PING_TIMEOUT_SECONDS = 2.0
# After a failed attempt to listen, how long before the next (each request asks).
RETRY_SECONDS = 5.0
# What the listening connection shows as in ``pg_stat_activity``.
APPLICATION_NAME = "foryou-notices"


class Notices:
    def __init__(
        self,
        connect_kwargs: dict[str, Any],
        channel: str,
        on_notice: Callable[[str], None],
        on_missed: Callable[[], None],
    ) -> None:
        self._kwargs = connect_kwargs
        self._channel = channel
        self._on_notice = on_notice
        self._on_missed = on_missed
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._next_attempt = 0.0
        self._closed = False

    @property
    def listening(self) -> bool:
        return self._connection is not None

    def ensure(self) -> None:
        """Start listening in the background if not listening, not already trying, and the
        last attempt is ``RETRY_SECONDS`` old."""
        if self._connection is not None or self._closed:
            return
        if self._task is not None and not self._task.done():
            return
        if time.monotonic() < self._next_attempt:
            return
        self._next_attempt = time.monotonic() + RETRY_SECONDS
        self._task = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        connection: asyncpg.Connection | None = None
        try:
            settings = {**self._kwargs.get("server_settings", {})}
            settings["application_name"] = APPLICATION_NAME
            connection = await asyncpg.connect(**{**self._kwargs, "server_settings": settings})
            connection.add_termination_listener(self._terminated)
            await connection.add_listener(self._channel, self._notified)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("notices_not_listening", channel=self._channel, error=repr(exc))
            if connection is not None:
                connection.terminate()
            return
        # Anything kept before now was kept without notices: let it go.
        self._on_missed()
        self._connection = connection
        log.info("notices_listening", channel=self._channel)
        await self._watch(connection)

    async def _watch(self, connection: asyncpg.Connection) -> None:
        """Pings the listening connection until it fails or is closed."""
        while self._connection is connection:
            await asyncio.sleep(PING_SECONDS)
            if self._connection is not connection:
                return
            try:
                await asyncio.wait_for(connection.execute("SELECT 1"), PING_TIMEOUT_SECONDS)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("notices_lost", channel=self._channel, error=repr(exc))
                self._lost(connection)
                connection.terminate()
                return

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self._on_notice(payload)

    def _terminated(self, connection: Any) -> None:
        if self._connection is connection:
            log.warning("notices_lost", channel=self._channel, error="connection closed")
        self._lost(connection)

    def _lost(self, connection: Any) -> None:
        if self._connection is connection:
            self._connection = None
            self._on_missed()

    async def close(self) -> None:
        self._closed = True
        connection, self._connection = self._connection, None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if connection is not None:
            try:
                await asyncio.wait_for(connection.close(), PING_TIMEOUT_SECONDS)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                connection.terminate()
