"""What ``/status`` and the lead list read first on every request — the user, their connection
and its sync state (``repository.user_with_connection``) — kept per process while the database
says nothing changed: on PostgreSQL by its notices, on SQLite by its ``data_version``.

Migration 0011's triggers announce every write to those three tables on the
``foryou_principals`` channel once the transaction commits (``core.notices`` listens); the
user it names is forgotten here, so the next request reads the row again. On PostgreSQL that
read was a round trip per request — a third of a ``/status`` request's CPU (measured) — for a
row that changes a few times a day, a few times a second while a sync runs.

What this changes: a change made in another process (disabling a user, a password reset,
a disconnect, a sync's progress) reaches this one when its notice arrives — milliseconds
after the commit — instead of on the next read. Nothing is kept while the process is not
listening (not yet, or the connection was lost: every request reads), an entry is trusted
for ``MAX_AGE_SECONDS`` at most whatever the notices say, and a read that a notice overtook
is not kept (``_generation``): it may have read the row as it was before that change.

On SQLite the read is a statement on the process's own read connection, no round trip, but
its ~30 columns were still 9 % of a lead list request's CPU (py-spy, 100,000 leads). What is
kept is served while the database's ``PRAGMA data_version`` is the one it was read at: it
changes with every commit of any other connection — this process's own writes, a sync, or a
command run beside the server (``users disable``) — so any write at all forgets everything,
and between writes (most of an agent's day) every request is served from here."""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.ext.asyncio import AsyncEngine

from foryou_crm.connections import repository
from foryou_crm.connections.views import ConnectionView, SyncView, UserView
from foryou_crm.core.direct import DirectReads, PostgresReads, SQLiteReads
from foryou_crm.core.notices import Notices

CHANNEL = "foryou_principals"
MAX_ENTRIES = 10_000
MAX_AGE_SECONDS = 30.0

Found = tuple[UserView | None, tuple[ConnectionView, SyncView | None] | None]


class Principals:
    """``load(reads, user_id)``: ``repository.user_with_connection``, from what is kept when
    it may be."""

    def __init__(self, reads: DirectReads) -> None:
        self._kept: dict[int, tuple[float, Found]] = {}
        self._generation = 0
        # SQLite: the database's ``data_version`` what is kept was read at.
        self._version: tuple[int, int] | None = None
        self._notices: Notices | None = None
        if isinstance(reads, PostgresReads):
            self._notices = Notices(reads.connect_kwargs, CHANNEL, self._notice, self._forget_all)

    async def load(self, reads: DirectReads, user_id: int) -> Found:
        if not self._current(reads):
            return await repository.user_with_connection(reads, user_id)
        now = time.monotonic()
        kept = self._kept.get(user_id)
        if kept is not None and now - kept[0] < MAX_AGE_SECONDS:
            return kept[1]
        generation = self._generation
        found = await repository.user_with_connection(reads, user_id)
        # On SQLite a commit between the version's check and the read left a newer row, which
        # the next request's check forgets.
        if generation == self._generation and (self._notices is None or self._notices.listening):
            self._kept.pop(user_id, None)  # an expired entry: kept again as the newest
            if len(self._kept) >= MAX_ENTRIES:
                del self._kept[next(iter(self._kept))]  # the longest kept
            self._kept[user_id] = (now, found)
        return found

    def _current(self, reads: DirectReads) -> bool:
        """Whether what is kept may be served now (forgetting it all first if the database
        changed since it was read)."""
        notices = self._notices
        if notices is not None:
            if not notices.listening:
                notices.ensure()
                return False
            return True
        if not isinstance(reads, SQLiteReads):
            return False
        version = reads.data_version()
        if version != self._version:
            self._version = version
            self._forget_all()
        return True

    def _notice(self, payload: str) -> None:
        self._generation += 1
        if payload == "*":
            self._kept.clear()
        else:
            try:
                self._kept.pop(int(payload), None)
            except ValueError:
                self._kept.clear()

    def _forget_all(self) -> None:
        self._generation += 1
        self._kept.clear()

    async def close(self) -> None:
        if self._notices is not None:
            await self._notices.close()

    def watch_writes(self, engine: AsyncEngine) -> None:
        """Forget everything kept when this process commits a write to the users, their
        connections or sync states (``POST /sync``, disconnecting, an admin disabling a
        user): its own next request sees the change without waiting for the notice. Forgotten
        twice: as the commit is sent, and again when its connection goes back to the pool —
        after the commit — since a read running meanwhile may have read the row as it was."""
        if self._notices is None:
            return

        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _seen(conn: Connection, *args: Any) -> None:
            if _WRITES.match(args[1]):
                conn.info[_WRITTEN] = True

        @event.listens_for(engine.sync_engine, "commit")
        def _committing(conn: Connection) -> None:
            if conn.info.get(_WRITTEN):
                self._forget_all()

        @event.listens_for(engine.sync_engine, "rollback")
        def _rolled_back(conn: Connection) -> None:
            conn.info.pop(_WRITTEN, None)

        @event.listens_for(engine.sync_engine.pool, "checkin")
        def _committed(_dbapi_connection: Any, record: Any) -> None:
            if record is not None and record.info.pop(_WRITTEN, False):
                self._forget_all()


# The statements SQLAlchemy writes those tables with (a user's deletion cascades from
# ``DELETE FROM users``).
_WRITES = re.compile(
    r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(?:users|amocrm_connections|amo_sync_states)\b",
    re.IGNORECASE,
)
_WRITTEN = "foryou_principals_written"
