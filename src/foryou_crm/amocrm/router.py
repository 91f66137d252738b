"""``/api/amo-crm/*``: thin routes over the flow service."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from foryou_crm.amocrm import service
from foryou_crm.amocrm.schemas import URLSAFE, ExchangeCodeIn
from foryou_crm.connections.models import SyncState
from foryou_crm.connections.status import NOT_CONNECTED, status_of
from foryou_crm.core.errors import error_responses
from foryou_crm.services import Services, ServicesDep, SessionDep
from foryou_crm.users.deps import CurrentUser

router = APIRouter(prefix="/api/amo-crm", tags=["amo-crm"])
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
log = structlog.get_logger("foryou_crm.amocrm")


def _deps(services: Services) -> service.FlowDeps:
    return service.FlowDeps(
        settings=services.settings,
        clock=services.clock,
        transport=services.amocrm,
        tokens=services.tokens,
        sessionmaker=services.sessionmaker,
    )


@router.get("/auth-url", responses=error_responses(400, 401, 422))
async def auth_url(
    services: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
    client: Literal["mobile", "web"] = "mobile",
    app_challenge: Annotated[
        str | None, Query(alias="appChallenge", min_length=43, max_length=43, pattern=URLSAFE)
    ] = None,
    return_to: Annotated[str | None, Query(alias="returnTo", max_length=2048)] = None,
) -> dict[str, Any]:
    out = await service.start_flow(
        session,
        _deps(services),
        user_id=user.id,
        client_kind=client,
        app_challenge=app_challenge,
        return_to=return_to,
    )
    return {"success": True, "data": out.model_dump(by_alias=True, mode="json")}


_PAGES = {
    None: ("Redirecting to app...", "amoCRM is connected. Returning you to ForYou…", "Open ForYou"),
    "access_denied": (
        "Access was not granted",
        "amoCRM access was declined. Returning you to ForYou…",
        "Back to ForYou",
    ),
    "state_invalid": (
        "This link has expired",
        "This sign-in link is no longer valid (used or expired). Start connecting amoCRM again "
        "from the app.",
        "Back to ForYou",
    ),
    "referer_not_allowed": (
        "Unknown amoCRM address",
        "The answer did not come from an amoCRM or Kommo account address, so it was ignored.",
        "Back to ForYou",
    ),
    "exchange_failed": (
        "amoCRM refused the connection",
        "amoCRM did not accept this authorization. Start connecting again from the app.",
        "Back to ForYou",
    ),
    "server_error": (
        "Something went wrong",
        "We could not finish connecting amoCRM. Nothing was saved; start again from the app.",
        "Back to ForYou",
    ),
    "amocrm_unavailable": (
        "amoCRM is not answering",
        "amoCRM did not answer in time. Nothing was saved; try again in a minute.",
        "Back to ForYou",
    ),
}


@router.get("/callback", response_class=HTMLResponse, include_in_schema=True)
async def callback(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    code: str | None = None,
    state: str | None = None,
    referer: str | None = None,
    platform: str | None = None,
    error: str | None = None,
) -> HTMLResponse:
    """Where amoCRM sends the browser after consent. Answers 200 with a page that hands over to
    the app (a 302 to a custom scheme is what made Safari say "cannot open the page")."""
    # No length limits at the query level: a 422 JSON body would strand the user in the browser.
    # The service treats oversized values as invalid and renders the error page instead.
    try:
        outcome = await service.handle_callback(
            session,
            _deps(services),
            code=code,
            state=state,
            referer=referer,
            platform=platform,
            error=error,
        )
    except Exception:
        # Whatever went wrong, the person in the browser gets a page, not a JSON 500. The state
        # (if any) was already consumed in its own transaction; nothing else is kept.
        log.exception("amocrm_callback_failed")
        await session.rollback()
        outcome = service.CallbackOutcome("server_error", None, None)
    title, message, button = _PAGES.get(outcome.error, _PAGES["exchange_failed"])
    nonce = secrets.token_urlsafe(16)
    response = templates.TemplateResponse(
        request,
        "callback.html",
        {
            "lang": "en",
            "title": title,
            "message": message,
            "button": button,
            "noscript": "JavaScript is off: tap the button above to return to the app.",
            "target": outcome.target,
            "auto_redirect": True,
            "is_error": outcome.error is not None,
            "nonce": nonce,
        },
        status_code=200,
    )
    response.headers.update(
        {
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": (
                f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            ),
        }
    )
    scheme = (outcome.target or "").split(":", 1)[0] or None
    log.info("redirect_page_rendered", target_scheme=scheme, error_code=outcome.error)
    return response


@router.post("/exchange-code", responses=error_responses(400, 401, 403, 422))
async def exchange_code(
    body: ExchangeCodeIn,
    services: ServicesDep,
    session: SessionDep,
    user: CurrentUser,
    background: BackgroundTasks,
) -> dict[str, Any]:
    connection, activated = await service.complete_flow(
        session,
        _deps(services),
        user_id=user.id,
        code=body.code,
        state=body.state,
        app_verifier=body.app_verifier,
    )
    if activated:
        # Background tasks run after the response, i.e. after the session committed.
        background.add_task(services.sync_runner.connected, connection.id)
    state = await session.get(SyncState, connection.id)
    return status_of(connection, state).envelope()


@router.post("/disconnect", responses=error_responses(401))
async def disconnect(session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    await service.disconnect(session, user_id=user.id)
    return NOT_CONNECTED.envelope()


@router.get("/webhooks/disconnect", responses=error_responses(403))
async def uninstall_hook(
    services: ServicesDep,
    session: SessionDep,
    client_uuid: str | None = None,
    account_id: str | None = None,
    signature: str | None = None,
) -> dict[str, Any]:
    removed = await service.handle_uninstall(
        session,
        services.settings,
        client_uuid=client_uuid,
        account_id=account_id,
        signature=signature,
    )
    return {"success": True, "data": {"connectionsRemoved": removed}}
