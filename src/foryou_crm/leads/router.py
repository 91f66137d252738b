"""``/api/amo-crm/leads``, ``/pipelines``, ``/sync`` and the lead webhook receiver: thin routes
over ``queries`` and the sync's job queue (each writes what it asks for in its transaction,
then defers the job once that committed)."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import structlog
from fastapi import APIRouter, BackgroundTasks, Depends, Path, Request, Response

from foryou_crm.connections import repository
from foryou_crm.connections.deps import BEARER, CurrentConnection, user_with_connection
from foryou_crm.connections.errors import NotConnected, ReconnectRequired
from foryou_crm.connections.status import SyncOut, sync_out
from foryou_crm.connections.views import SyncView
from foryou_crm.core.errors import NotFound, ValidationFailed, error_responses
from foryou_crm.core.routes import DirectRoute
from foryou_crm.core.schemas import Envelope
from foryou_crm.leads import detail, queries, query_string, webhooks
from foryou_crm.leads.models import RefetchRequest
from foryou_crm.leads.schemas import (
    AcceptedOut,
    FilterFieldsOut,
    LeadDetailEnvelope,
    LeadsEnvelope,
    PipelinesOut,
)
from foryou_crm.services import ServicesDep, SessionDep, services_of
from foryou_crm.users.deps import client_address, limited

router = APIRouter(prefix="/api/amo-crm", tags=["amo-crm leads"], route_class=DirectRoute)
log = structlog.get_logger("foryou_crm.leads")

JSON = "application/json"


def _ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


@router.get(
    "/leads",
    response_model=LeadsEnvelope,
    responses=error_responses(401, 409, 422, codes={409: ("AMO_NOT_CONNECTED",)}),
    openapi_extra={"parameters": query_string.openapi_parameters(), **BEARER},
)
async def list_leads(request: Request) -> Response:
    """One page of the agent's mirror, filtered and sorted: ``data.items``, ``data.total`` (all
    matches), ``data.hasMore`` and ``data.nextCursor`` — pass it as ``cursor`` for the next
    page (a page's cost then stays flat however deep the scroll, and rows added or removed
    meanwhile neither repeat nor go missing). ``page`` still works (offset paging)."""
    services = services_of(request)
    # 401 before 409 before 422, as dependencies would have answered.
    current = await user_with_connection(request, services)
    if current.connection is None:
        raise NotConnected()
    f = query_string.lead_filter(request)
    data = await queries.leads_page(
        services.direct,
        current.connection,
        current.sync,
        f,
        services.lead_counts,
        services.lead_names,
        services.lead_matches,
    )
    # Straight to JSON (see ``queries``): the shape is ``LeadsEnvelope``'s.
    body = orjson.dumps({"success": True, "data": data}, option=orjson.OPT_UTC_Z)
    return Response(body, media_type=JSON)


LeadId = Annotated[int, Path(ge=1, le=2**63 - 1, description="amoCRM's lead id")]


@router.get(
    "/leads/{lead_id}",
    response_model=LeadDetailEnvelope,
    responses=error_responses(
        401, 404, 409, 422, codes={404: ("LEAD_NOT_FOUND",), 409: ("AMO_NOT_CONNECTED",)}
    ),
)
async def lead_detail(
    lead_id: LeadId, session: SessionDep, connection: CurrentConnection
) -> Response:
    """The caller's lead, whole: contacts with phones and e-mails, company, custom fields,
    the latest notes (newest first, at most 20) and the open tasks (soonest due first). A
    lead of another agent, or none, is 404 ``LEAD_NOT_FOUND``."""
    out = await detail.lead_detail(session, connection, lead_id)
    return Response(LeadDetailEnvelope(data=out).model_dump_json(by_alias=True), media_type=JSON)


@router.get(
    "/custom-fields",
    response_model=Envelope[FilterFieldsOut],
    responses=error_responses(401, 409, codes={409: ("AMO_NOT_CONNECTED",)}),
)
async def custom_fields(session: SessionDep, connection: CurrentConnection) -> dict[str, Any]:
    """The lead custom fields the list filters by (``customField=<fieldId>:<enumId>``):
    select, multiselect and radio fields of the account with their enums."""
    out = await detail.filter_fields(session, connection.id)
    return _ok(out.model_dump(by_alias=True, mode="json"))


# OpenAPI links: a client (and the stateful fuzzer) may filter the leads by what the pipelines
# answered.
PIPELINE_LINKS = {
    "LeadsOfPipeline": {
        "operationId": "list_leads_api_amo_crm_leads_get",
        "parameters": {"pipelineId": "$response.body#/data/pipelines/0/id"},
    },
    "LeadsInStatus": {
        "operationId": "list_leads_api_amo_crm_leads_get",
        "parameters": {"statusId": "$response.body#/data/pipelines/0/statuses/0/id"},
    },
    "LeadsOfUser": {
        "operationId": "list_leads_api_amo_crm_leads_get",
        "parameters": {"responsibleUserId": "$response.body#/data/users/0/id"},
    },
}


@router.get(
    "/pipelines",
    response_model=Envelope[PipelinesOut],
    responses={
        200: {"description": "Successful Response", "links": PIPELINE_LINKS},
        **error_responses(401, 409, codes={409: ("AMO_NOT_CONNECTED",)}),
    },
)
async def pipelines(session: SessionDep, connection: CurrentConnection) -> dict[str, Any]:
    out = await queries.pipelines_of(session, connection.id)
    return _ok(out.model_dump(by_alias=True, mode="json"))


@router.post(
    "/sync",
    status_code=202,
    response_model=Envelope[SyncOut],
    responses=error_responses(
        401, 409, 429, codes={409: ("AMO_NOT_CONNECTED", "AMO_RECONNECT_REQUIRED")}
    ),
    # Before the connection is read: 401 → 429 → 409.
    dependencies=[Depends(limited("sync"))],
)
async def start_sync(
    services: ServicesDep,
    session: SessionDep,
    connection: CurrentConnection,
    background: BackgroundTasks,
) -> dict[str, Any]:
    """Ask for a sync: 202 with the sync state — ``queued``, or the sync already queued or
    running (never a second one), or ``failed`` while amoCRM's block lasts (it goes on by
    itself after). 409 ``AMO_RECONNECT_REQUIRED`` when amoCRM no longer accepts the
    connection."""
    if connection.needs_reconnect:
        raise ReconnectRequired()
    state, queued = await repository.request_sync(session, connection.id, services.clock.now())
    if queued:
        background.add_task(services.queue.sync_after_commit, connection.id)
    log.info("leads_sync_requested", user_id=connection.user_id, queued=queued, state=state.state)
    return _ok(sync_out(SyncView.of(state)).model_dump(by_alias=True, mode="json"))


@router.post(
    "/webhooks/leads/{secret}",
    response_model=Envelope[AcceptedOut],
    responses=error_responses(404, 422, 429),
)
async def lead_webhook(
    request: Request,
    secret: str,
    services: ServicesDep,
    session: SessionDep,
    background: BackgroundTasks,
) -> dict[str, Any]:
    """amoCRM's lead events (form-encoded, v2 field names). Only the lead ids are used: each
    is read back from the API for every connection to that account, by the connection's
    re-fetch job."""
    settings = services.settings
    # Per sending address before the secret is even compared (guessing costs too), then per
    # account once it is known.
    await services.abuse.hit("webhook", "address", client_address(request))
    account_ids = await repository.account_ids(session)
    account_id = webhooks.account_for_secret(settings, secret, account_ids)
    if account_id is None:
        raise NotFound("No such webhook.")
    await services.abuse.hit("webhook", "account", str(account_id))
    try:
        ids = webhooks.lead_ids(await request.body())
    except webhooks.BadLeadId as exc:
        raise ValidationFailed(exc.field, "not a lead id (1 … 2^63 − 1)") from None
    connections = await repository.connection_ids_of_account(session, account_id)
    if ids and connections:
        session.add_all(
            RefetchRequest(connection_id=cid, lead_id=lead) for cid in connections for lead in ids
        )
        background.add_task(services.queue.refetch_after_commit, connections)
    log.info(
        "leads_webhook_received",
        account_id=account_id,
        leads=len(ids),
        connections=len(connections),
    )
    return _ok({"accepted": len(ids)})
