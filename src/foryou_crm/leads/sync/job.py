"""What one job run of a connection holds, and the one way it writes: ``Job.commit``.

A job first *claims* the connection: ``fence + 1`` under the row lock (``SELECT … FOR UPDATE``
on PostgreSQL). Every later write of that job — a checkpoint, a page of leads, the final state
— is one transaction that starts with ``UPDATE amo_sync_states … WHERE fence = <claimed>``; if
another job claimed the connection since (a worker taken for dead whose job was handed on),
nothing matches, ``Fenced`` is raised and the transaction, mirror rows included, rolls back.
So a zombie's late writes are no-ops, and a checkpoint is always saved together with the rows
it describes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.connections import repository
from foryou_crm.connections.models import AmoConnection, ConnectionRef, SyncState
from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from foryou_crm.core.db import affected_rows
from foryou_crm.leads.sync.pacing import Pacer, never
from foryou_crm.leads.sync.phases import Stopped

Write = Callable[[AsyncSession], Awaitable[Any]]


class Fenced(Exception):
    """Another job claimed this connection after this one did: this one must stop."""


@dataclass
class SyncDeps:
    """What a sync job runs on (built from ``Services``)."""

    sessionmaker: async_sessionmaker[AsyncSession]
    tokens: TokenManager
    clock: Clock
    settings: Settings
    # Enough to keep the budget busy while a page is in flight and another being written.
    pages_in_flight: int = 4


@dataclass
class Job:
    """One run of one connection's sync or re-fetch, holding the fence it claimed."""

    deps: SyncDeps
    ref: ConnectionRef
    state: SyncState  # detached: the values as claimed, updated by ``commit``
    fence: int
    pacer: Pacer
    should_stop: Callable[[], bool] = never
    rejected: list[int] = field(default_factory=list)  # lead ids amoCRM answered malformed
    # The pass this run does once it has started ("full" or "incremental"): the state forgets
    # it when the pass finishes, the run's metric still needs it.
    kind: str = ""

    @property
    def cid(self) -> int:
        return self.ref.id

    def stop_if_asked(self) -> None:
        if self.should_stop():
            raise Stopped()

    async def commit(self, write: Write | None = None, **values: Any) -> Any:
        """Save ``values`` on the sync state and run ``write`` (mirror rows) in the same
        transaction, if this job still holds the connection; returns what ``write`` returned."""
        values["updated_at"] = self.deps.clock.now()
        async with self.deps.sessionmaker() as session, session.begin():
            held = await affected_rows(
                session,
                update(SyncState)
                .where(SyncState.connection_id == self.cid, SyncState.fence == self.fence)
                .values(**values)
                .execution_options(synchronize_session=False),
            )
            if held == 0:
                raise Fenced()
            result = await write(session) if write is not None else None
        for name, value in values.items():
            setattr(self.state, name, value)
        return result

    async def read(self, query: Write) -> Any:
        """A read of the mirror outside any checkpoint."""
        async with self.deps.sessionmaker() as session:
            return await query(session)


async def connection_exists(deps: SyncDeps, connection_id: int) -> bool:
    """Only a look: unlike ``claim`` it leaves the fence alone, so a job that holds the
    connection meanwhile goes on."""
    async with deps.sessionmaker() as session:
        return await session.get(AmoConnection, connection_id) is not None


async def claim(
    deps: SyncDeps, connection_id: int, should_stop: Callable[[], bool] = never
) -> Job | None:
    """Take the connection for one job run (``fence + 1``); None when it no longer exists."""
    async with deps.sessionmaker() as session, session.begin():
        row = await session.get(AmoConnection, connection_id)
        if row is None:
            return None
        await repository.ensure_sync_state(session, connection_id)
        state = (
            await session.execute(
                select(SyncState).where(SyncState.connection_id == connection_id).with_for_update()
            )
        ).scalar_one()
        state.fence += 1
        await session.flush()
        ref = row.ref()
        session.expunge(state)
    return Job(
        deps=deps,
        ref=ref,
        state=state,
        fence=state.fence,
        pacer=Pacer(deps.tokens, ref, should_stop),
        should_stop=should_stop,
    )
