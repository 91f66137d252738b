"""``DirectRoute``: an endpoint that takes the request alone is called as it is; every other
endpoint of the same router keeps FastAPI's handler (parameters, dependencies, validation)."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request, Response

from foryou_crm.core.routes import DirectRoute, takes_only_the_request

router = APIRouter(route_class=DirectRoute)
calls: list[str] = []


def counted() -> str:
    calls.append("dependency")
    return "resolved"


@router.get("/direct")
async def direct(request: Request) -> Response:
    return Response(f"direct {request.query_params.get('q')}", media_type="text/plain")


@router.get("/handled")
async def handled(limit: int, value: Annotated[str, Depends(counted)]) -> dict[str, object]:
    return {"limit": limit, "value": value}


@router.get("/request-and-dependency", dependencies=[Depends(counted)])
async def request_and_dependency(request: Request) -> Response:
    return Response("with dependency", media_type="text/plain")


async def test_only_request_only_endpoints_skip_fastapis_handler() -> None:
    by_path = {route.path: route for route in router.routes if isinstance(route, DirectRoute)}
    assert takes_only_the_request(by_path["/direct"])
    assert by_path["/direct"].get_route_handler() is direct  # called as it is
    assert not takes_only_the_request(by_path["/handled"])
    assert not takes_only_the_request(by_path["/request-and-dependency"])
    assert by_path["/request-and-dependency"].get_route_handler() is not request_and_dependency

    app = FastAPI()
    app.include_router(router)
    calls.clear()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        assert (await client.get("/direct?q=1")).text == "direct 1"
        assert calls == []
        assert (await client.get("/handled?limit=3")).json() == {"limit": 3, "value": "resolved"}
        # FastAPI's handler still validates the others' parameters...
        assert (await client.get("/handled?limit=x")).status_code == 422
        # ... and runs a route's dependencies even when the endpoint takes only the request.
        assert (await client.get("/request-and-dependency")).text == "with dependency"
    # Once per request to the other two (FastAPI solves it before refusing ``limit=x``).
    assert calls == ["dependency"] * 3
    paths = (await _openapi(app))["paths"]
    assert {"/direct", "/handled", "/request-and-dependency"} <= set(paths)


async def _openapi(app: FastAPI) -> dict[str, dict[str, object]]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        document: dict[str, dict[str, object]] = (await client.get("/openapi.json")).json()
        return document


@pytest.mark.parametrize("where", ["include_router", "app"])
async def test_dependencies_added_where_the_router_is_included_still_run(where: str) -> None:
    """A global guard (authentication, a rate limit) added later must not skip the direct
    endpoints."""
    guarded: list[str] = []

    def guard() -> None:
        guarded.append("guard")

    if where == "app":
        app = FastAPI(dependencies=[Depends(guard)])
        app.include_router(router)
    else:
        app = FastAPI()
        app.include_router(router, dependencies=[Depends(guard)])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        assert (await client.get("/direct?q=2")).text == "direct 2"
    assert guarded == ["guard"]
