"""create_app(services): the routers, middleware, error handlers and the lifespan of the web
app. What the app runs on is built by ``Services.build`` (``services.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from foryou_crm import __version__
from foryou_crm.admin.router import router as admin_router
from foryou_crm.amocrm import upkeep
from foryou_crm.amocrm.router import router as amocrm_router
from foryou_crm.apidocs import ContractAPI, install_api_docs
from foryou_crm.connections.router import router as connections_router
from foryou_crm.core.config import Settings, validate_for_production
from foryou_crm.core.errors import install_error_handlers
from foryou_crm.core.logging import configure_logging
from foryou_crm.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from foryou_crm.health import router as health_router
from foryou_crm.leads.router import router as leads_router
from foryou_crm.metrics.http import record_request
from foryou_crm.metrics.router import install_metrics
from foryou_crm.services import Services
from foryou_crm.users.router import router as auth_router
from foryou_crm.web.router import router as web_router

# The API document's order: from the health checks through signing in and connecting to the
# leads.
ROUTERS = (
    health_router,
    auth_router,
    amocrm_router,
    connections_router,
    leads_router,
    admin_router,
    web_router,
)
# Included first, so requests are matched against them first: a request is matched against
# the routes in order, and with ``/status`` behind the three routers before it, matching it
# was ~15 % of its CPU (measured).
BUSIEST = (connections_router, leads_router)


def create_app(
    services: Services | None = None,
    *,
    background_jobs: bool = True,
    configure_logs: bool = True,
    freeze_startup_heap: bool = False,
) -> FastAPI:
    """The web app over ``services`` (built from the environment when None). The app owns them
    from here: its shutdown closes them. ``background_jobs``: the hourly upkeep and, on SQLite,
    the in-process job worker (tests run jobs themselves)."""
    services = services or Services.build(Settings())
    validate_for_production(services.settings)
    if configure_logs:
        configure_logging(json=services.settings.json_logs, level=services.settings.log_level)
    app = ContractAPI(
        title="ForYou CRM API",
        version=__version__,
        description="Per-agent amoCRM/Kommo connections and leads for the ForYou mobile app.",
        lifespan=_lifespan(services, background_jobs, freeze_startup_heap),
        docs_url=None,  # served offline by install_api_docs
        redoc_url=None,
        # Our metrics are Prometheus's (``metrics``); FastAPI's own OpenTelemetry would only
        # look for a configured provider on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.services = services
    install_error_handlers(app)
    for router in (*BUSIEST, *(r for r in ROUTERS if r not in BUSIEST)):
        app.include_router(router)
    app.documented_order = ROUTERS
    install_api_docs(app)
    settings = services.settings
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    install_metrics(app, settings)
    # The proxy headers are applied here, not by uvicorn (`serve` turns its own off), so the
    # request context around them still sees the peer the socket gave.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.add_middleware(
        RequestContextMiddleware,
        trusted_proxies=settings.forwarded_allow_ips,
        finished=record_request,
    )
    return app


def _lifespan(
    services: Services, background_jobs: bool, freeze_startup_heap: bool
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        jobs: list[asyncio.Task[Any]] = []
        stopping = asyncio.Event()
        if background_jobs:
            jobs.append(
                asyncio.create_task(
                    upkeep.run_hourly(services.sessionmaker, services.tokens, services.clock)
                )
            )
            if services.queue.embedded:
                # SQLite: the one process runs the jobs too, on an in-memory queue. Its first
                # tick re-defers every sync the last shutdown (or crash) interrupted.
                jobs.append(
                    asyncio.create_task(
                        services.queue.run_worker(
                            concurrency=services.settings.queue_worker_concurrency,
                            stopping=stopping,
                            name="serve",
                        )
                    )
                )
        if freeze_startup_heap:
            # What startup built (modules, routes, schemas, compiled SQL) lives as long as the
            # process. Moved out of the collector's reach, it stops costing every full
            # collection: measured 130k objects and a ~70 ms pause every few hundred requests.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            stopping.set()  # running jobs save their place and return within a page
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)
            await services.aclose()

    return lifespan
