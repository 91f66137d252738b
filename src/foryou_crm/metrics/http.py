"""Times every HTTP request and records it by method, route template and status
(``foryou_http_request_duration_seconds``), called by the request-context layer
(``core.middleware``) as the response's last chunk leaves.

The route is the template the router matched (``/api/amo-crm/webhooks/leads/{secret}``), read
from the ASGI scope after the app answered, never the path a client sent: paths carry secrets
and ids, and scanners would make one series per probe. Requests no route matched count as
``(unmatched)``."""

from __future__ import annotations

from typing import Final

from starlette.routing import Mount
from starlette.types import Scope

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


def record_request(scope: Scope, root_path: str, status: int, seconds: float) -> None:
    """``root_path``: the scope's as the request arrived (mounts extend it on the way in).
    An exception that escaped the app counts as the 500 answered for it."""
    route = route_template(scope, root_path)
    metrics.http_request_finished(scope["method"], route, status, seconds)
