"""``DirectRoute``: the route class of the busiest routers, whose hottest endpoints take the
request alone and build their own response."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


class DirectRoute(APIRoute):
    """An endpoint declared ``async def endpoint(request: Request) -> Response``, with no
    dependency, is called as it is. FastAPI's own handler would still read the body, solve
    an empty set of dependencies and look for a response model to apply on every request:
    measured, a tenth of a ``/status`` request, spent on nothing. Everything else about the
    route stays FastAPI's: matching, its OpenAPI entry, the exception handlers around it.
    Any other endpoint of the router gets FastAPI's handler.

    Routers of this class are included without dependencies (``create_app``): dependencies
    added at inclusion would not run for the direct endpoints."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        if takes_only_the_request(self):
            endpoint: Callable[[Request], Coroutine[Any, Any, Response]] = self.endpoint
            return endpoint
        return super().get_route_handler()


def takes_only_the_request(route: APIRoute) -> bool:
    """Declared as ``async def endpoint(request: Request) -> Response`` (or a subclass of
    ``Response``), with no dependency on the route."""
    signature = inspect.signature(route.endpoint, eval_str=True)
    parameters = list(signature.parameters.values())
    returns = signature.return_annotation
    return (
        inspect.iscoroutinefunction(route.endpoint)
        and len(parameters) == 1
        and parameters[0].name == route.dependant.request_param_name
        and not route.dependant.dependencies
        and isinstance(returns, type)
        and issubclass(returns, Response)
    )
