"""``CurrentConnection``: the signed-in user's own connection, or 409 ``AMO_NOT_CONNECTED``.

There is deliberately no dependency that refuses a connection needing reconnection: the
mirror stays readable then (the app shows it with a "reconnect" banner), and a sync of such a
connection fails with its reason in the sync state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from foryou_crm.connections import repository
from foryou_crm.connections.errors import NotConnected
from foryou_crm.connections.models import AmoConnection
from foryou_crm.connections.views import ConnectionView, SyncView, UserView
from foryou_crm.services import ReadSessionDep, ServicesDep, SessionDep
from foryou_crm.users.deps import BearerDep, CurrentUser, authenticate


async def current_connection(session: SessionDep, user: CurrentUser) -> AmoConnection:
    connection = await repository.connection_of(session, user.id)
    if connection is None:
        raise NotConnected()
    return connection


CurrentConnection = Annotated[AmoConnection, Depends(current_connection)]


@dataclass(frozen=True)
class UserWithConnection:
    user: UserView
    connection: ConnectionView | None  # None when not connected
    sync: SyncView | None  # None until the first sync was scheduled


async def current_user_with_connection(
    request: Request, services: ServicesDep, session: ReadSessionDep, credentials: BearerDep
) -> UserWithConnection:
    """The signed-in user (checked as ``CurrentUser`` checks it) with their connection and its
    sync state, read in the same query: the busiest screens need all three."""
    user, found = await authenticate(
        request, services, session, credentials, repository.user_with_connection
    )
    connection, sync = found or (None, None)
    return UserWithConnection(user, connection, sync)


CurrentUserWithConnection = Annotated[UserWithConnection, Depends(current_user_with_connection)]


@dataclass(frozen=True)
class ConnectionWithSync:
    connection: ConnectionView
    sync: SyncView | None  # None until the first sync was scheduled


async def current_connection_with_sync(current: CurrentUserWithConnection) -> ConnectionWithSync:
    """The connection, with its sync state, or 409 ``AMO_NOT_CONNECTED`` (for the lead list)."""
    if current.connection is None:
        raise NotConnected()
    return ConnectionWithSync(current.connection, current.sync)


CurrentConnectionWithSync = Annotated[ConnectionWithSync, Depends(current_connection_with_sync)]
