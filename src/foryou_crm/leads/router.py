"""``/api/amo-crm/leads``, ``/pipelines``, ``/sync`` and the lead webhook receiver: thin routes
over ``queries`` and the runner."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator

from foryou_crm.connections import repository
from foryou_crm.connections.deps import CurrentConnection, CurrentConnectionWithSync
from foryou_crm.connections.status import sync_out
from foryou_crm.core.errors import NotFound, error_responses
from foryou_crm.leads import queries, webhooks
from foryou_crm.leads.schemas import (
    Bound,
    LeadFilter,
    LeadsEnvelope,
    LeadsPageOut,
    Sort,
    lower_unix,
    parse_bound,
    upper_unix,
)
from foryou_crm.services import ServicesDep, SessionDep

router = APIRouter(prefix="/api/amo-crm", tags=["amo-crm leads"])
log = structlog.get_logger("foryou_crm.leads")

MAX_PRICE = 10**15
JSON = "application/json"


def _ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


@router.get("/leads", response_model=LeadsEnvelope, responses=error_responses(401, 409, 422))
async def list_leads(
    session: SessionDep,
    current: CurrentConnectionWithSync,
    query: Annotated[str | None, Query(max_length=200)] = None,
    pipeline_id: Annotated[int | None, Query(alias="pipelineId", ge=1)] = None,
    status_id: Annotated[list[int] | None, Query(alias="statusId", max_length=100)] = None,
    responsible_user_id: Annotated[
        list[int] | None, Query(alias="responsibleUserId", max_length=100)
    ] = None,
    tag: Annotated[str | None, Query(max_length=200)] = None,
    price_from: Annotated[int | None, Query(alias="priceFrom", ge=0, le=MAX_PRICE)] = None,
    price_to: Annotated[int | None, Query(alias="priceTo", ge=0, le=MAX_PRICE)] = None,
    created_from: Annotated[
        str | None, Query(alias="createdFrom"), AfterValidator(parse_bound)
    ] = None,
    created_to: Annotated[str | None, Query(alias="createdTo"), AfterValidator(parse_bound)] = None,
    updated_from: Annotated[
        str | None, Query(alias="updatedFrom"), AfterValidator(parse_bound)
    ] = None,
    updated_to: Annotated[str | None, Query(alias="updatedTo"), AfterValidator(parse_bound)] = None,
    sort: Sort = "-createdAt",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=250)] = 50,
) -> Response:
    connection, state = current.connection, current.sync
    bounds: dict[str, Bound | None] = {
        "created_from": created_from,  # type: ignore[dict-item]
        "created_to": created_to,  # type: ignore[dict-item]
        "updated_from": updated_from,  # type: ignore[dict-item]
        "updated_to": updated_to,  # type: ignore[dict-item]
    }
    f = LeadFilter(
        query=query.strip() or None if query else None,
        pipeline_id=pipeline_id,
        status_ids=status_id or [],
        responsible_user_ids=responsible_user_id or [],
        tag=tag.strip() or None if tag else None,
        price_from=price_from,
        price_to=price_to,
        created_from=lower_unix(bounds["created_from"]),
        created_to=upper_unix(bounds["created_to"]),
        updated_from=lower_unix(bounds["updated_from"]),
        updated_to=upper_unix(bounds["updated_to"]),
        sort=sort,
        page=page,
        limit=limit,
    )
    # An idle mirror knows its size (every sync and re-fetch recounts): no count(*) for the
    # screen everyone opens first.
    known = state.leads_count if state is not None and state.state == "idle" else None
    items, total = await queries.list_leads(
        session,
        connection_id=connection.id,
        domain=connection.domain,
        f=f,
        known_total=known if f.unfiltered else None,
        mirror_size=state.leads_count if state is not None else None,
    )
    out = LeadsPageOut(
        items=items,
        page=page,
        limit=limit,
        total=total,
        has_more=page * limit < total,
        sync=sync_out(state),
    )
    # Serialized by pydantic in one go: up to 250 leads through FastAPI's generic encoder
    # cost more than the database work.
    return Response(LeadsEnvelope(data=out).model_dump_json(by_alias=True), media_type=JSON)


@router.get("/pipelines", responses=error_responses(401, 409))
async def pipelines(session: SessionDep, connection: CurrentConnection) -> dict[str, Any]:
    out = await queries.pipelines_of(session, connection.id)
    return _ok(out.model_dump(by_alias=True, mode="json"))


@router.post("/sync", responses=error_responses(401, 409))
async def start_sync(
    services: ServicesDep, session: SessionDep, connection: CurrentConnection
) -> dict[str, Any]:
    """Start a sync now (unless one runs, or amoCRM blocked us and the pause is not over);
    answers the sync state."""
    runner = services.sync_runner
    state = await repository.ensure_sync_state(session, connection.id)
    now = services.clock.now()
    paused = state.retry_at is not None and state.retry_at > now
    started = False
    if not paused and not runner.running(connection.id):
        # Shown as running at once; the job itself runs after this request committed.
        state.state, state.error = "running", None
        await session.commit()
        started = runner.schedule(connection.id)
    log.info("leads_sync_requested", user_id=connection.user_id, started=started, paused=paused)
    return _ok(sync_out(state).model_dump(by_alias=True, mode="json"))


@router.post("/webhooks/leads/{secret}", responses=error_responses(404), include_in_schema=True)
async def lead_webhook(
    request: Request, secret: str, services: ServicesDep, session: SessionDep
) -> dict[str, Any]:
    """amoCRM's lead events (form-encoded, v2 field names). Only the lead ids are used: each
    is read back from the API for every connection to that account."""
    settings = services.settings
    account_ids = await repository.account_ids(session)
    account_id = webhooks.account_for_secret(settings, secret, account_ids)
    if account_id is None:
        raise NotFound("No such webhook.")
    ids = webhooks.lead_ids(await request.body())
    connections = await repository.connection_ids_of_account(session, account_id)
    if ids:
        services.sync_runner.refetch(connections, ids)
    log.info(
        "leads_webhook_received",
        account_id=account_id,
        leads=len(ids),
        connections=len(connections),
    )
    return _ok({"accepted": len(ids)})
