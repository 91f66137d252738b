"""Liveness, readiness and what the clients need to know about this deployment."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from foryou_crm import __version__
from foryou_crm.amocrm.hosts import authorize_base
from foryou_crm.core.config import Settings
from foryou_crm.core.errors import error_response

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> dict[str, Any]:
    return {"success": True, "data": {"status": "ok"}}


@router.get("/readyz")
async def readyz(request: Request) -> Any:
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return error_response(503, "DATABASE_UNAVAILABLE", "The database is not reachable.")
    return JSONResponse({"success": True, "data": {"status": "ready", "database": "ok"}})


@router.get("/api/meta", tags=["meta"])
async def meta(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    demo_user = (
        {"email": request.app.state.demo_email, "password": request.app.state.demo_password}
        if settings.demo_mode
        else None
    )
    return {
        "success": True,
        "data": {
            "demo": settings.demo_mode,
            "demoUser": demo_user,
            "amoAuthorizeHost": authorize_base(settings),
            "version": __version__,
        },
    }
