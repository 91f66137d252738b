"""``CurrentConnection``: the signed-in user's own connection, or 409 ``AMO_NOT_CONNECTED``.

There is deliberately no dependency that refuses a connection needing reconnection: the
mirror stays readable then (the app shows it with a "reconnect" banner), and a sync of such a
connection fails with its reason in the sync state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from foryou_crm.connections import repository
from foryou_crm.connections.errors import NotConnected
from foryou_crm.connections.models import AmoConnection
from foryou_crm.connections.views import ConnectionView, SyncView, UserView
from foryou_crm.services import Services, SessionDep
from foryou_crm.users.deps import CurrentUser, authenticate, bearer


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


async def user_with_connection(request: Request, services: Services) -> UserWithConnection:
    """The signed-in user (checked as ``CurrentUser`` checks it) with their connection and its
    sync state, read in the same query (a direct read, ``core.direct``) or as kept since
    (``principals``): the busiest screens need all three.

    Called by those routes themselves, not declared as dependencies: resolving the four
    dependencies this took (services, session, bearer, user) was a fifth of a ``/status``
    request. The routes declare the bearer scheme in their OpenAPI entry (``BEARER``)."""
    user, found = await authenticate(
        request, services, services.direct, await bearer(request), services.principals.load
    )
    connection, sync = found or (None, None)
    return UserWithConnection(user, connection, sync)


# What ``Depends(bearer)`` would have declared for the operation.
BEARER: dict[str, Any] = {"security": [{"HTTPBearer": []}]}
