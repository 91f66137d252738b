"""The real app from the environment's settings plus one route that raises: for the
last-resort handler's test under a real uvicorn (``uvicorn tests.ops.raising_app:app``).
Mounted only here, never in the product."""

from __future__ import annotations

from foryou_crm.app import create_app

app = create_app()


@app.get("/_test/boom", include_in_schema=False)
async def boom() -> None:
    raise RuntimeError("boom: an unexpected failure inside a route")
