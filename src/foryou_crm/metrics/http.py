"""Times every HTTP request and records it by method, route template and status
(``foryou_http_request_duration_seconds``).

The route is the template the router matched (``/api/amo-crm/webhooks/leads/{secret}``), read
from the ASGI scope after the app answered, never the path a client sent: paths carry secrets
and ids, and scanners would make one series per probe. Requests no route matched count as
``(unmatched)``."""

from __future__ import annotations

import time
from typing import Final

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from foryou_crm.core import metrics

UNMATCHED: Final = "(unmatched)"


def route_template(scope: Scope, outer_root_path: str) -> str:
    """The matched route's template, behind the prefix of any mount the request went through
    (a mount adds its path to ``root_path``; FastAPI's router leaves ``route`` unset for a
    mount, Starlette's sets it to the mount)."""
    mounted = str(scope.get("root_path", ""))[len(outer_root_path) :]
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    if isinstance(template, str) and not isinstance(route, Mount):
        return f"{mounted}{template}"
    return f"{mounted}/{{path}}" if mounted else UNMATCHED


class HTTPMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._timed(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _timed(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        root_path = str(scope.get("root_path", ""))
        # An exception that escapes the app becomes the 500 answered outside this middleware.
        status = 500
        recorded = False

        def record() -> None:
            nonlocal recorded
            recorded = True
            route = route_template(scope, root_path)
            seconds = time.perf_counter() - started
            metrics.http_request_finished(scope["method"], route, status, seconds)

        async def send_recording(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Before the last chunk leaves: a client that got the answer (a test, a
                # scrape right after it) always finds the request counted.
                record()
            await send(message)

        try:
            await self.app(scope, receive, send_recording)
        finally:
            if not recorded:
                record()
