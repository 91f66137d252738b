"""The sync worker's own listener: ``GET /metrics`` and ``GET /healthz`` on a port of its own.

A ``foryou-crm worker`` answers no HTTP otherwise, yet its jobs record most of what an
operator watches (amoCRM calls and 429s, rate-budget waits, token refreshes, sync phases).
In a container it has its own filesystem, so the API's multiprocess files never see them:
Prometheus scrapes each worker here instead. The page holds what this process recorded only;
the levels read from the database (users, connections, mirror, queue) stay on the API's
``/metrics``, so that summing over targets counts each of them once.

Served by uvicorn inside the worker's event loop, without uvicorn's signal handling: the
worker's own handlers decide when the process stops (``cli._work``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Response
from fastapi.security import HTTPAuthorizationCredentials

from foryou_crm.core.config import Settings
from foryou_crm.core.errors import install_error_handlers
from foryou_crm.metrics import exposition
from foryou_crm.metrics.router import check_access, metrics_bearer


def listener_app(settings: Settings) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    install_error_handlers(app)

    @app.get("/metrics", response_class=Response)
    async def metrics(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(metrics_bearer)],
    ) -> Response:
        check_access(settings, credentials)
        page = await asyncio.to_thread(exposition.render, ())
        return Response(page, media_type=exposition.CONTENT_TYPE)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        """The worker's event loop answers: what a container healthcheck can ask."""
        return {"success": True, "data": {"status": "ok", "role": "worker"}}

    return app


class _Listener(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the worker's SIGTERM/SIGINT handlers stay in place


def listener(settings: Settings, *, host: str, port: int) -> uvicorn.Server:
    """A server to ``await server.serve()`` beside the worker; ``server.should_exit = True``
    stops it."""
    config = uvicorn.Config(
        listener_app(settings),
        host=host,
        port=port,
        lifespan="off",
        access_log=False,
        log_config=None,
    )
    return _Listener(config)
