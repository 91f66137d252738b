"""``GET /api/amo-crm/status``: the caller's connection (or "not connected", and why) and its
sync."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from foryou_crm.connections import endings
from foryou_crm.connections.deps import BEARER, user_with_connection
from foryou_crm.connections.status import StatusOut, status_of
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
    ending = None
    if connection is None or connection.needs_reconnect:
        # Why it ended matters only without a working connection (one more read, only then).
        async with services.sessionmaker() as session:
            ending = await endings.ending_of(session, user.id)
    out = status_of(connection, sync, ending)
    # On the request's access line (one line per read: a line of its own was a tenth of
    # this route's CPU).
    bind_context(connected=out.connected, ended=out.ended.reason if out.ended else None)
    # Serialized once, by the model that built it (through ``response_model`` the dict would
    # be validated and serialized again).
    return Response(Envelope[StatusOut](data=out).model_dump_json(by_alias=True), media_type=JSON)
