"""Liveness, readiness and what the clients need to know about this deployment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from foryou_crm import __version__
from foryou_crm.amocrm.hosts import authorize_base
from foryou_crm.core.errors import error_response, error_responses
from foryou_crm.services import ServicesDep
from foryou_crm.users.demo import DEMO_EMAIL, DEMO_PASSWORD

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, Any]:
    return {"success": True, "data": {"status": "ok"}}


@router.get("/readyz", responses=error_responses(503, codes={503: ("DATABASE_UNAVAILABLE",)}))
async def readyz(services: ServicesDep) -> Any:
    try:
        async with services.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):  # refused, unknown host, timeout, bad database
        return error_response(503, "DATABASE_UNAVAILABLE", "The database is not reachable.")
    return JSONResponse({"success": True, "data": {"status": "ready", "database": "ok"}})


@router.get("/api/meta", tags=["meta"])
async def meta(services: ServicesDep) -> dict[str, Any]:
    settings = services.settings
    demo_user = {"email": DEMO_EMAIL, "password": DEMO_PASSWORD} if settings.demo_mode else None
    return {
        "success": True,
        "data": {
            "demo": settings.demo_mode,
            "demoUser": demo_user,
            "amoAuthorizeHost": authorize_base(settings),
            "version": __version__,
        },
    }
