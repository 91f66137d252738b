"""The control API for tests and the demo: `S/_sandbox/...` (JSON, camelCase keys).

Also serves the small admin page with the "switch the integration off" button.
Every action delegates to a `Sandbox` method, so in-process use behaves the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from . import control_entities
from .config import DEMO_PASSWORD
from .serialize import lead_json
from .state import Sandbox
from .tokens import public_key_pem
from .validation import ValidationFailed
from .web import sandbox_base, sandbox_of, templates


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ControlError(400, "body is not JSON") from exc
    if not isinstance(data, dict):
        raise ControlError(400, "body must be a JSON object")
    # Accept camelCase and snake_case alike.
    return {_snake(k): v for k, v in data.items()}


def _ok(data: Any, status: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status)


Endpoint = Callable[[Request], Awaitable[Response]]
BodyEndpoint = Callable[[Request, dict[str, Any]], Awaitable[Response]]


def with_body(handler: BodyEndpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await handler(request, await _body(request))

    return endpoint


def control(handler: Endpoint) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except ControlError as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        except KeyError as exc:
            return JSONResponse({"error": str(exc.args[0])}, status_code=404)
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except ValidationFailed as exc:
            return JSONResponse(
                {"error": "validation failed", "details": [list(e) for e in exc.errors]}, 400
            )
        except OverflowError as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)

    return endpoint


def _account_row(sb: Sandbox, host: str, *, counted: bool = False) -> dict[str, Any]:
    """An account's state; `counted` adds its entity counts (drawing every lazily seeded
    note and task first, which takes seconds at 100 000 leads)."""
    a = sb.require_account(host)
    live = sum(1 for p in sb.tokens.pairs.values() if p.account_host == host and not p.revoked)
    return {
        "host": a.host,
        "subdomain": a.subdomain,
        "id": a.id,
        "name": a.name,
        "platform": a.platform,
        "leads": len(a.leads),
        "deletedLeads": len(a.deleted_leads),
        "isApiFilterEnabled": a.is_api_filter_enabled,
        "paid": a.paid,
        "installed": a.installed,
        "rateLimitRps": sb.rps(a),
        "liveTokens": live,
        "limiter": sb.limiter.state(a.host),
        # Seeded leads/contacts whose notes or tasks are not drawn yet (seed_activity.py).
        "activityPending": len(a.notes_todo) + len(a.tasks_todo),
        **(control_entities.counts(a) if counted else {}),
        "users": [
            {"id": u.id, "name": u.name, "email": u.email, "isAdmin": u.is_admin}
            for u in a.users.values()
        ],
        "pipelines": [
            {"id": p.id, "name": p.name, "statuses": [s.id for s in p.statuses]}
            for p in a.pipelines
        ],
    }


@control
async def overview(request: Request) -> Response:
    sb = sandbox_of(request)
    base = sandbox_base(request)
    return _ok(
        {
            "baseUrl": base,
            "authorizeUrl": f"{base}/oauth",
            "integration": sb.integration(),
            "password": DEMO_PASSWORD,
            "clock": sb.clock.now(),
            "drawing": sb.drawing,
            "accounts": [
                _account_row(sb, h) | {"baseUrl": f"{base}/accounts/{h}"} for h in sb.accounts
            ],
        }
    )


@control
async def reset(request: Request) -> Response:
    body = await _body(request)
    leads, seed = body.get("leads"), body.get("seed")
    if leads is not None and not isinstance(leads, int):
        raise ControlError(400, "leads must be an integer")
    if seed is not None and not isinstance(seed, int):
        raise ControlError(400, "seed must be an integer")
    return _ok(await sandbox_of(request).reset(leads=leads, seed=seed))


@control
async def clock(request: Request) -> Response:
    sb = sandbox_of(request)
    if request.method == "POST":
        body = await _body(request)
        seconds = body.get("seconds", body.get("advance"))
        if not isinstance(seconds, int | float):
            raise ControlError(400, "seconds must be a number")
        sb.advance_clock(float(seconds))
    return _ok({"now": sb.clock.now(), "offset": sb.clock.offset})


@control
async def faults(request: Request) -> Response:
    sb = sandbox_of(request)
    if request.method == "POST":
        body = await _body(request)
        endpoint = body.get("endpoint")
        fault = sb.inject_fault(
            str(endpoint) if endpoint is not None else None,
            str(body.get("kind", "")),
            count=int(body.get("count", 1)),
            seconds=float(body["seconds"]) if body.get("seconds") is not None else None,
            ms=float(body.get("ms", 0)),
            account=body.get("account"),
            path=body.get("path"),
        )
        return _ok(fault, 201)
    if request.method == "DELETE":
        sb.faults.clear()
    return _ok({"faults": [f.as_json() for f in sb.faults.faults]})


@control
async def accounts(request: Request) -> Response:
    sb = sandbox_of(request)
    return _ok({"accounts": [_account_row(sb, h) for h in sb.accounts]})


@control
async def account_settings(request: Request) -> Response:
    sb = sandbox_of(request)
    host = request.path_params["host"]
    if request.method == "PATCH":
        body = await _body(request)
        allowed = {"is_api_filter_enabled", "paid", "rate_limit_rps", "installed"}
        unknown = set(body) - allowed
        if unknown:
            raise ControlError(400, f"unknown settings: {', '.join(sorted(unknown))}")
        sb.configure_account(host, **body)
    return _ok(_account_row(sb, host, counted=True))


@control
async def revoke_tokens(request: Request) -> Response:
    revoked = sandbox_of(request).revoke_tokens(request.path_params["host"])
    return _ok({"revoked": revoked})


@control
async def disconnect(request: Request) -> Response:
    delivery = await sandbox_of(request).disconnect(request.path_params["host"])
    return _ok({"hook": delivery.as_json()})


@control
async def unblock(request: Request) -> Response:
    sb = sandbox_of(request)
    sb.require_account(request.path_params["host"])
    sb.unblock(request.path_params["host"])
    return _ok({"unblocked": True})


@control
async def integration(request: Request) -> Response:
    sb = sandbox_of(request)
    if request.method == "PATCH":
        body = await _body(request)
        allowed = {"redirect_uri", "disconnect_hook_url", "client_secret"}
        unknown = set(body) - allowed
        if unknown:
            raise ControlError(400, f"unknown settings: {', '.join(sorted(unknown))}")
        return _ok(sb.configure_integration(**body))
    return _ok(sb.integration())


@control
async def requests_log(request: Request) -> Response:
    sb = sandbox_of(request)
    if request.method == "DELETE":
        sb.log.clear()
    return _ok(sb.log.as_json())


@control
async def deliveries(request: Request) -> Response:
    sb = sandbox_of(request)
    if request.method == "DELETE":
        sb.outbox.deliveries.clear()
    return _ok(
        {"pending": sb.outbox.pending, "deliveries": [d.as_json() for d in sb.outbox.deliveries]}
    )


@control
async def control_leads(request: Request) -> Response:
    """Create (POST) or update (PATCH) leads as a given amo user, firing webhooks."""
    sb = sandbox_of(request)
    account = sb.require_account(request.path_params["host"])
    body = await _body(request)
    user = sb.resolve_user(account, body.get("as_user"))
    items = body.get("leads")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ControlError(400, "leads must be a list of objects")
    base = f"{sandbox_base(request)}/accounts/{account.host}"
    if request.method == "POST":
        changed = sb.create_leads(account, user, items)
    else:
        changed = sb.update_leads(account, user, items)
    return _ok(
        {"leads": [lead_json(x, account, base, with_contacts=True) for x in changed]},
        201 if request.method == "POST" else 200,
    )


@control
async def control_delete_lead(request: Request) -> Response:
    sb = sandbox_of(request)
    account = sb.require_account(request.path_params["host"])
    user = sb.resolve_user(account, request.query_params.get("asUser"))
    lead = sb.delete_lead(account, user, int(request.path_params["lead_id"]))
    return _ok({"deleted": lead.id})


async def public_key(request: Request) -> Response:
    return PlainTextResponse(public_key_pem(), media_type="application/x-pem-file")


# --- the admin page ------------------------------------------------------------------------


async def admin_page(request: Request) -> Response:
    sb = sandbox_of(request)
    rows = [_account_row(sb, h) for h in sb.accounts]
    users = [u | {"host": r["host"]} for r in rows for u in r["users"]]
    return templates.TemplateResponse(
        request,
        "admin.html",
        {
            "accounts": rows,
            "users": users,
            "integration": sb.integration(),
            "password": DEMO_PASSWORD,
            "message": request.query_params.get("message", ""),
            "disconnect_action": f"{sandbox_base(request)}/_sandbox/admin/disconnect",
        },
    )


async def admin_disconnect(request: Request) -> Response:
    sb = sandbox_of(request)
    form = await request.form()
    host = str(form.get("host", ""))
    if sb.account(host) is None:
        return PlainTextResponse("unknown account", status_code=404)
    delivery = await sb.disconnect(host)
    outcome = f"HTTP {delivery.status}" if delivery.status is not None else delivery.error
    message = f"Integration switched off for {host}; disconnect hook: {outcome}"
    return RedirectResponse(
        f"{sandbox_base(request)}/_sandbox/admin?{urlencode({'message': message})}", 303
    )


def routes() -> list[Route]:
    s = "/_sandbox"
    return [
        Route(f"{s}", overview, methods=["GET"]),
        Route(f"{s}/", overview, methods=["GET"]),
        Route(f"{s}/reset", reset, methods=["POST"]),
        Route(f"{s}/clock", clock, methods=["GET", "POST"]),
        Route(f"{s}/clock/advance", clock, methods=["POST"]),
        Route(f"{s}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{s}/accounts", accounts, methods=["GET"]),
        Route(f"{s}/accounts/{{host}}", account_settings, methods=["GET", "PATCH"]),
        Route(f"{s}/accounts/{{host}}/revoke-tokens", revoke_tokens, methods=["POST"]),
        Route(f"{s}/accounts/{{host}}/disconnect", disconnect, methods=["POST"]),
        Route(f"{s}/accounts/{{host}}/unblock", unblock, methods=["POST"]),
        Route(f"{s}/accounts/{{host}}/leads", control_leads, methods=["POST", "PATCH"]),
        Route(
            f"{s}/accounts/{{host}}/leads/{{lead_id:int}}", control_delete_lead, methods=["DELETE"]
        ),
        *control_entities.routes(control, with_body),
        Route(f"{s}/integration", integration, methods=["GET", "PATCH"]),
        Route(f"{s}/requests", requests_log, methods=["GET", "DELETE"]),
        Route(f"{s}/deliveries", deliveries, methods=["GET", "DELETE"]),
        Route(f"{s}/public-key", public_key, methods=["GET"]),
        Route(f"{s}/admin", admin_page, methods=["GET"]),
        Route(f"{s}/admin/disconnect", admin_disconnect, methods=["POST"]),
    ]
