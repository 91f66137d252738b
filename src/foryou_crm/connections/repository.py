"""Finding and deleting connections. Deleting one deletes its mirror and sync state with it
(``ON DELETE CASCADE``)."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.connections.models import AmoConnection, SyncRequest, SyncState
from foryou_crm.connections.views import ConnectionView, SyncView, UserView
from foryou_crm.core.db import affected_rows
from foryou_crm.core.direct import DirectReads, Query
from foryou_crm.users.models import User


async def connection_of(session: AsyncSession, user_id: int) -> AmoConnection | None:
    return (
        await session.execute(select(AmoConnection).where(AmoConnection.user_id == user_id))
    ).scalar_one_or_none()


async def connection_and_sync_state(
    session: AsyncSession, user_id: int
) -> tuple[AmoConnection, SyncState | None] | None:
    """The user's connection and its sync state in one round trip (the lead list, the busiest
    screen, needs both)."""
    found = (
        await session.execute(
            select(AmoConnection, SyncState)
            .outerjoin(SyncState, SyncState.connection_id == AmoConnection.id)
            .where(AmoConnection.user_id == user_id)
        )
    ).one_or_none()
    return None if found is None else (found[0], found[1])


_CONNECTION_FIELDS = fields(ConnectionView)
# SyncView's fields in order; its first is never NULL in a row that exists.
_SYNC_COLUMNS = tuple(field.name for field in fields(SyncView))
_SYNC_START = 4 + len(_CONNECTION_FIELDS)  # the row: 4 user columns, the connection's, the sync's
_USERS, _CONNECTIONS, _STATES = User.__table__, AmoConnection.__table__, SyncState.__table__
# Built once (a statement costs about as much to build as to run) from the tables' columns,
# not the mapped classes: the rows come back as plain tuples for the views.
_USER_WITH_CONNECTION = Query(
    select(
        *(_USERS.c[name] for name in ("id", "token_version", "disabled_at", "is_admin")),
        *(_CONNECTIONS.c[field.name] for field in _CONNECTION_FIELDS),
        *(_STATES.c[name] for name in _SYNC_COLUMNS),
    )
    .select_from(
        _USERS.outerjoin(_CONNECTIONS, _CONNECTIONS.c.user_id == _USERS.c.id).outerjoin(
            _STATES, _STATES.c.connection_id == _CONNECTIONS.c.id
        )
    )
    .where(_USERS.c.id == bindparam("user_id"))
)


async def user_with_connection(
    reads: DirectReads, user_id: int
) -> tuple[UserView | None, tuple[ConnectionView, SyncView | None] | None]:
    """The user, their connection and its sync state in one round trip: what the lead list
    and ``/status`` need on every request, before any work of their own (a direct read)."""
    row = await reads.one(_USER_WITH_CONNECTION, {"user_id": user_id})
    if row is None:
        return None, None
    user = UserView(*row[:4])
    if row[4] is None:
        return user, None
    connection = ConnectionView(*row[4:_SYNC_START])
    sync = None if row[_SYNC_START] is None else SyncView(*row[_SYNC_START:])
    return user, (connection, sync)


async def ensure_sync_state(session: AsyncSession, connection_id: int) -> SyncState:
    state = await session.get(SyncState, connection_id)
    if state is None:
        state = SyncState(connection_id=connection_id, state="idle", progress=0.0, gen=0)
        session.add(state)
        await session.flush()
    return state


async def request_sync(
    session: AsyncSession, connection_id: int, now: datetime, kind: SyncRequest = "auto"
) -> tuple[SyncState, bool]:
    """Ask for a sync of this connection, in the caller's transaction (the outbox: the job is
    deferred after it commits, and the queue's periodic tick defers any the process lost).
    Returns (the state, whether this call queued it). A sync already queued or running
    answers instead; so does one paused until its retry time (amoCRM blocked us)."""
    await ensure_sync_state(session, connection_id)
    state = (
        await session.execute(
            select(SyncState).where(SyncState.connection_id == connection_id).with_for_update()
        )
    ).scalar_one()
    paused = state.state == "failed" and state.retry_at is not None and state.retry_at > now
    if state.state in ("queued", "running") or paused:
        return state, False
    state.state, state.progress = "queued", 0.0
    state.requested = state.requested or kind  # a failed pass that kept its place goes on
    state.requested_at = now
    state.error = None
    await session.flush()
    return state, True


async def account_ids(session: AsyncSession) -> list[int]:
    """Every amoCRM account some user is connected to."""
    rows = await session.execute(select(AmoConnection.account_id).distinct())
    return [int(i) for i in rows.scalars()]


async def connection_ids_of_account(session: AsyncSession, account_id: int) -> list[int]:
    rows = await session.execute(
        select(AmoConnection.id).where(AmoConnection.account_id == account_id)
    )
    return [int(i) for i in rows.scalars()]


async def delete_for_user(session: AsyncSession, user_id: int) -> bool:
    """The user's connection, if any; True when there was one."""
    removed = await affected_rows(
        session, delete(AmoConnection).where(AmoConnection.user_id == user_id)
    )
    return removed > 0


async def delete_for_account(session: AsyncSession, account_id: int) -> int:
    """Every user's connection to this amoCRM account; how many there were."""
    return await affected_rows(
        session, delete(AmoConnection).where(AmoConnection.account_id == account_id)
    )
