"""``/api/amo-crm/*`` of the amoCRM domain: the connect flow (auth-url → callback →
exchange-code), disconnect and amoCRM's uninstall hook. Thin routes over ``oauth/`` and
``disconnect``.

Errors are answered in one of two ways, each decided here: an ``AppError`` becomes the JSON
envelope (core/errors.py); anything the callback raises becomes the hand-over page, because
a person in a browser is waiting for it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.responses import HTMLResponse

from foryou_crm.amocrm.disconnect import end_user_connection, uninstall_account
from foryou_crm.amocrm.oauth import page
from foryou_crm.amocrm.oauth.auth_url import start_flow
from foryou_crm.amocrm.oauth.callback import (
    CallbackError,
    CallbackQuery,
    HandOver,
    hand_back,
    handle,
)
from foryou_crm.amocrm.oauth.completion import complete_flow
from foryou_crm.amocrm.oauth.schemas import URLSAFE, AuthUrlOut, ExchangeCodeIn
from foryou_crm.connections import endings, repository
from foryou_crm.connections.models import SyncState
from foryou_crm.connections.status import StatusOut, status_of
from foryou_crm.connections.views import ConnectionView, SyncView
from foryou_crm.core.errors import error_responses
from foryou_crm.core.schemas import CamelModel, Envelope
from foryou_crm.services import ServicesDep, SessionDep
from foryou_crm.users.deps import CurrentUser, limited
from foryou_crm.users.models import User

router = APIRouter(prefix="/api/amo-crm", tags=["amo-crm"])


class UninstallOut(CamelModel):
    connections_removed: int


log = structlog.get_logger("foryou_crm.amocrm")


@router.get(
    "/auth-url",
    response_model=Envelope[AuthUrlOut],
    responses=error_responses(400, 401, 422, 429, codes={400: ("RETURN_TO_NOT_ALLOWED",)}),
)
async def auth_url(
    services: ServicesDep,
    session: SessionDep,
    user: Annotated[User, Depends(limited("auth_url"))],
    client: Literal["mobile", "web"] = "mobile",
    app_challenge: Annotated[
        str | None, Query(alias="appChallenge", min_length=43, max_length=43, pattern=URLSAFE)
    ] = None,
    return_to: Annotated[str | None, Query(alias="returnTo", max_length=2048)] = None,
) -> dict[str, Any]:
    out = await start_flow(
        session,
        services.settings,
        services.clock.now(),
        user_id=user.id,
        client_kind=client,
        app_challenge=app_challenge,
        return_to=return_to,
    )
    return {"success": True, "data": out.model_dump(by_alias=True, mode="json")}


@router.get("/callback", response_class=HTMLResponse, include_in_schema=True)
async def callback(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    query: Annotated[CallbackQuery, Query()],
) -> HTMLResponse:
    """Where amoCRM sends the browser after consent. Answers 200 with a page that hands over to
    the app (a 302 to a custom scheme is what made Safari say "cannot open the page")."""
    try:
        handed = await handle(
            session,
            query,
            settings=services.settings,
            now=services.clock.now(),
            transport=services.amocrm,
            tokens=services.tokens,
        )
    except CallbackError as failed:
        handed = hand_back(services.settings, failed)
    except Exception:
        # Broad on purpose, logged with its traceback: whatever else went wrong, the person in
        # the browser gets a page, not a JSON 500. The state (if any) was consumed and
        # committed by its step; everything after it is rolled back.
        log.exception("amocrm_callback_failed")
        await session.rollback()
        handed = HandOver(page.SERVER_ERROR, None)
    return page.render(request, handed)


@router.post(
    "/exchange-code",
    response_model=Envelope[StatusOut],
    responses=error_responses(
        400,
        401,
        403,
        422,
        429,
        codes={
            400: ("INVALID_COMPLETION_CODE", "COMPLETION_CODE_EXPIRED", "APP_VERIFIER_MISMATCH"),
            403: ("STATE_USER_MISMATCH",),
        },
    ),
)
async def exchange_code(
    body: ExchangeCodeIn,
    services: ServicesDep,
    session: SessionDep,
    user: Annotated[User, Depends(limited("exchange_code"))],
    background: BackgroundTasks,
) -> dict[str, Any]:
    connection, activated = await complete_flow(
        session,
        services.tokens.cipher,
        services.clock.now(),
        user_id=user.id,
        code=body.code,
        state=body.state,
        app_verifier=body.app_verifier,
    )
    state: SyncState | None
    if activated:
        # Queued in this transaction (the status answered says so at once); the job is
        # deferred once it committed — or, should that be lost, by the queue's tick.
        state, _ = await repository.request_sync(
            session, connection.id, services.clock.now(), "full"
        )
        background.add_task(services.queue.sync_after_commit, connection.id)
    else:
        state = await session.get(SyncState, connection.id)
    return status_of(ConnectionView.of(connection), SyncView.of(state)).envelope()


@router.post("/disconnect", response_model=Envelope[StatusOut], responses=error_responses(401))
async def disconnect(
    services: ServicesDep, session: SessionDep, user: CurrentUser
) -> dict[str, Any]:
    await end_user_connection(
        session, user_id=user.id, reason="agent_disconnected", at=services.clock.now()
    )
    # Answered like the status: not connected, and why (this, or an earlier ending kept).
    return status_of(None, None, await endings.ending_of(session, user.id)).envelope()


@router.get(
    "/webhooks/disconnect",
    response_model=Envelope[UninstallOut],
    responses=error_responses(403, codes={403: ("INVALID_SIGNATURE",)}),
)
async def uninstall_hook(
    services: ServicesDep,
    session: SessionDep,
    client_uuid: str | None = None,
    account_id: str | None = None,
    signature: str | None = None,
) -> dict[str, Any]:
    removed = await uninstall_account(
        session,
        services.settings,
        client_uuid=client_uuid,
        account_id=account_id,
        signature=signature,
        at=services.clock.now(),
    )
    return {"success": True, "data": {"connectionsRemoved": removed}}
