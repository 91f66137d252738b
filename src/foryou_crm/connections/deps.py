"""``CurrentConnection``: the signed-in user's own connection, or 409 ``AMO_NOT_CONNECTED``.

There is deliberately no dependency that refuses a connection needing reconnection: the
mirror stays readable then (the app shows it with a "reconnect" banner), and a sync of such a
connection fails with its reason in the sync state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from foryou_crm.connections import repository
from foryou_crm.connections.errors import NotConnected
from foryou_crm.connections.models import AmoConnection, SyncState
from foryou_crm.services import SessionDep
from foryou_crm.users.deps import CurrentUser


async def current_connection(session: SessionDep, user: CurrentUser) -> AmoConnection:
    connection = await repository.connection_of(session, user.id)
    if connection is None:
        raise NotConnected()
    return connection


CurrentConnection = Annotated[AmoConnection, Depends(current_connection)]


@dataclass(frozen=True)
class ConnectionWithSync:
    connection: AmoConnection
    sync: SyncState | None  # None until the first sync was scheduled


async def current_connection_with_sync(
    session: SessionDep, user: CurrentUser
) -> ConnectionWithSync:
    """The same, with its sync state, in one query (for the lead list)."""
    found = await repository.connection_and_sync_state(session, user.id)
    if found is None:
        raise NotConnected()
    return ConnectionWithSync(*found)


CurrentConnectionWithSync = Annotated[ConnectionWithSync, Depends(current_connection_with_sync)]
