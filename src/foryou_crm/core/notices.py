"""One channel of PostgreSQL notifications (``LISTEN``), heard on a connection of its own.

``Notices`` tells its owner two things: a notice arrived (its payload), and notices may have
been missed — the connection was lost, or it is not listening yet. Whoever keeps data on the
strength of the notices keeps nothing while ``listening`` is False.

A connection can look alive and hear nothing: one that died silently (a cut network, a frozen
server) reports nothing, and one made through a pooler in transaction mode (PgBouncer) runs
every statement but lost its ``LISTEN`` with the server session it was on. So the check is
the channel itself: every ``PING_SECONDS`` the connection sends a notice of its own on it,
and unless that notice comes back within ``PING_TIMEOUT_SECONDS`` the connection is given up
and another one made. Pings never reach the owner (``ping <token>`` payloads; other
processes' pings are ignored too)."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
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
PING = "ping "


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
        self._ping = PING + secrets.token_hex(8)
        self._pong = asyncio.Event()

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
            if not await self._answered(connection):
                raise TimeoutError("the channel's own notice did not come back")
            self._connection = connection
            # Anything kept before now was kept without notices: let it go.
            self._on_missed()
            log.info("notices_listening", channel=self._channel)
            await self._watch(connection)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # whatever asyncpg raises: not listening, try again later
            log.warning("notices_lost", channel=self._channel, error=repr(exc))
        finally:
            if connection is not None:
                self._lost(connection)
                connection.terminate()

    async def _watch(self, connection: asyncpg.Connection) -> None:
        """Pings the channel until a ping goes unanswered or the connection is closed."""
        while self._connection is connection:
            await asyncio.sleep(PING_SECONDS)
            if self._connection is not connection or not await self._answered(connection):
                if self._connection is connection:
                    log.warning("notices_lost", channel=self._channel, error="ping unanswered")
                return

    async def _answered(self, connection: asyncpg.Connection) -> bool:
        self._pong.clear()
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS):
                await connection.execute("SELECT pg_notify($1, $2)", self._channel, self._ping)
                await self._pong.wait()
        except TimeoutError:
            return False
        return True

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload.startswith(PING):
            if payload == self._ping:
                self._pong.set()
            return
        self._on_notice(payload)

    def _terminated(self, connection: Any) -> None:
        if self._connection is connection:
            log.warning("notices_lost", channel=self._channel, error="connection closed")
            self._lost(connection)
            if self._task is not None:
                self._task.cancel()  # its watch sleeps: the next request listens again

    def _lost(self, connection: Any) -> None:
        if self._connection is connection:
            self._connection = None
            self._on_missed()

    async def close(self) -> None:
        self._closed = True
        connection, self._connection = self._connection, None
        task, self._task = self._task, None
        try:
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        finally:
            if connection is not None and not connection.is_closed():
                connection.terminate()
