"""``DirectRoute``: the route class of the busiest routers, whose hottest endpoints take the
request alone and build their own response."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any

import fastapi.routing
from fastapi import Request, Response
from fastapi.routing import APIRoute


class DirectRoute(APIRoute):
    """An endpoint declared ``async def endpoint(request: Request) -> Response``, with no
    dependency, is called as it is. FastAPI's own handler would still read the body, solve
    an empty set of dependencies and look for a response model to apply on every request:
    measured, a tenth of a ``/status`` request, spent on nothing. Everything else about the
    route stays FastAPI's: matching, its OpenAPI entry, the exception handlers around it.
    Any other endpoint of the router gets FastAPI's handler, and so does a direct one that
    was given dependencies when its router was included (``include_router(dependencies=…)``,
    ``FastAPI(dependencies=…)``): those must run (tested)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        if takes_only_the_request(self) and not _dependencies_at_inclusion():
            endpoint: Callable[[Request], Coroutine[Any, Any, Response]] = self.endpoint
            return endpoint
        return super().get_route_handler()


def _dependencies_at_inclusion() -> bool:
    """Whether the handler being built is for an inclusion that adds dependencies. FastAPI
    builds an included route's handler once per inclusion, with what the inclusion adds in a
    context variable of its own (``APIRoute.get_route_handler`` reads it; no public API says
    so). Where it is missing, inclusion copies the route with every dependency in its own
    ``dependant`` instead, which ``takes_only_the_request`` reads."""
    variable = getattr(fastapi.routing, "_effective_route_context_var", None)
    context = variable.get() if variable is not None else None
    dependant = getattr(context, "dependant", None)
    return bool(getattr(dependant, "dependencies", None))


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
