"""``GET /api/amo-crm/status``: the caller's connection (or "not connected", and why) and its
sync."""

from __future__ import annotations

import functools

from fastapi import APIRouter, Request, Response

from foryou_crm.connections import endings
from foryou_crm.connections.deps import BEARER, user_with_connection
from foryou_crm.connections.status import StatusOut, status_of
from foryou_crm.connections.views import ConnectionView, SyncView
from foryou_crm.core.errors import error_responses
from foryou_crm.core.logging import bind_context
from foryou_crm.core.routes import DirectRoute
from foryou_crm.core.schemas import Envelope
from foryou_crm.services import services_of

router = APIRouter(prefix="/api/amo-crm", tags=["amo-crm"], route_class=DirectRoute)
JSON = "application/json"


@router.get(
    "/status",
    response_model=Envelope[StatusOut],
    responses=error_responses(401),
    openapi_extra=BEARER,
)
async def status(request: Request) -> Response:
    services = services_of(request)
    current = await user_with_connection(request, services)
    user, connection, sync = current.user, current.connection, current.sync
    if connection is not None and not connection.needs_reconnect:
        # On the request's access line (one line per read: a line of its own was a tenth of
        # this route's CPU).
        bind_context(connected=True, ended=None)
        return Response(_working(connection, sync), media_type=JSON)
    # Why it ended matters only without a working connection (one more read, only then).
    async with services.sessionmaker() as session:
        ending = await endings.ending_of(session, user.id)
    out = status_of(connection, sync, ending)
    bind_context(connected=out.connected, ended=out.ended.reason if out.ended else None)
    return Response(_body(out), media_type=JSON)


def _body(out: StatusOut) -> bytes:
    # Serialized once, by the model that built it (through ``response_model`` the dict would
    # be validated and serialized again).
    return Envelope[StatusOut](data=out).model_dump_json(by_alias=True).encode()


@functools.lru_cache(maxsize=1024)
def _working(connection: ConnectionView, sync: SyncView | None) -> bytes:
    """A working connection's answer, made once per (connection, sync state): both are
    values, and the app asks again on every screen it opens while they rarely change."""
    return _body(status_of(connection, sync))
