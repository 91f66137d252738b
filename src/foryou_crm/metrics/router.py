"""``GET /metrics`` and its wiring into the app.

Production serves it only behind a bearer token (``FORYOU_METRICS_TOKEN``), on the API's own
port. A separate listener was the other choice and is worse here: with ``serve --workers N``
every worker would bind it (or one would have to be chosen), and uvicorn's supervisor, which
could, runs none of our code; the token keeps one port, one proxy and one TLS setup, and
Prometheus sends it with ``authorization: {credentials_file: …}``."""

from __future__ import annotations

import asyncio
import hmac
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from foryou_crm.core.config import Settings
from foryou_crm.core.errors import NotFound, Unauthorized, error_responses
from foryou_crm.metrics import exposition
from foryou_crm.metrics.database import database_families
from foryou_crm.services import ServicesDep

router = APIRouter(tags=["operations"])
log = structlog.get_logger("foryou_crm.metrics")
metrics_bearer = HTTPBearer(
    auto_error=False, scheme_name="MetricsToken", description="FORYOU_METRICS_TOKEN"
)


def check_access(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> None:
    mode = exposition.exposure(settings)
    if mode == "off":
        raise NotFound("No such endpoint.")
    if mode == "token":
        expected = settings.metrics_token.get_secret_value().encode()
        given = credentials.credentials.encode() if credentials else b""
        if not hmac.compare_digest(given, expected):
            raise Unauthorized("A valid metrics token is required.")


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {exposition.CONTENT_TYPE: {}}, "description": "Prometheus text format"},
        **error_responses(401, 404),
    },
)
async def metrics(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(metrics_bearer)],
) -> Response:
    """Every metric in Prometheus text format (docs/operations.md, "Metrics"). 404 when not
    served (turned off, or production without a token), 401 without the right token."""
    check_access(services.settings, credentials)
    families = await database_families(services.sessionmaker, services.clock.now())
    # In multiprocess mode this reads every worker's files: off the event loop.
    page = await asyncio.to_thread(exposition.render, families)
    return Response(page, media_type=exposition.CONTENT_TYPE)


def install_metrics(app: FastAPI, settings: Settings) -> None:
    """The route. Every request is timed by the request-context layer, outside the body-size
    limit, so the 413s it answers are counted too (``metrics.http.record_request``)."""
    app.include_router(router)
    exposition.ensure_directory()
    mode = exposition.exposure(settings)
    if mode == "off" and settings.metrics_enabled:
        log.warning("metrics_not_served", reason="production needs FORYOU_METRICS_TOKEN")
