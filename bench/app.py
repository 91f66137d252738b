"""The service as deployed (``foryou_crm.asgi``) plus a bare FastAPI endpoint at ``/_bare``, in
the same process, venv and uvicorn settings: the framework's own floor, measured in the same
run as our routes. The bare app sits beside ours at the ASGI level, so it pays none of our
middleware (request ids, access log, metrics) — that cost is part of what we measure."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from foryou_crm.asgi import app as service

BARE_PATH = "/_bare"
bare = FastAPI()


@bare.get(BARE_PATH)
async def bare_endpoint() -> dict[str, Any]:
    return {"success": True, "data": {"status": "ok"}}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "http" and scope["path"] == BARE_PATH:
        await bare(scope, receive, send)
    else:  # our routes, and the lifespan (startup/shutdown of the service)
        await service(scope, receive, send)
