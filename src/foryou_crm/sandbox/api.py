"""API v4 on an account host: `S/accounts/{host}/api/v4/...` (Bearer access token)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import problems
from .models import Account, Lead, User
from .query import QueryError, as_list, build_query, ints, parse_nested
from .serialize import (
    account_json,
    contact_json,
    lead_json,
    link,
    pipeline_json,
    status_json,
    tag_json,
    user_json,
    webhook_json,
)
from .state import LeadValidationError, Sandbox
from .web import account_base, sandbox_of

DEFAULT_LIMIT = 50
MAX_LIMIT = 250


@dataclass
class Caller:
    sandbox: Sandbox
    account: Account
    user: User
    base: str  # absolute base URL of this account's routes

    @property
    def visible(self) -> Callable[[Lead], bool] | None:
        """None = sees everything (admin); else the agent's "own leads only" rule."""
        if self.user.is_admin:
            return None
        uid = self.user.id
        return lambda lead: lead.responsible_user_id == uid


Handler = Callable[[Request, Caller], Awaitable[Response]]


def authenticated(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """401 for a missing/expired/revoked/malformed token, 402 for an unpaid account."""

    async def endpoint(request: Request) -> Response:
        sb = sandbox_of(request)
        account = sb.account(request.path_params["host"])
        assert account is not None  # the gate answers 404 for unknown hosts
        pair = sb.tokens.authenticate(account, request.headers.get("authorization"))
        if pair is None or pair.user_id not in account.users:
            return problems.unauthorized(account.platform)
        if not account.paid:
            return problems.payment_required()
        caller = Caller(
            sb, account, account.users[pair.user_id], account_base(request, account.host)
        )
        try:
            return await handler(request, caller)
        except QueryError as exc:
            return problems.validation_error(
                [{"code": "InvalidValue", "path": exc.path, "detail": exc.detail}]
            )
        except LeadValidationError as exc:
            return _validation_failed(exc)

    return endpoint


def admin_only(handler: Handler) -> Handler:
    async def wrapped(request: Request, caller: Caller) -> Response:
        if not caller.user.is_admin:
            return problems.forbidden()
        return await handler(request, caller)

    return wrapped


def _validation_failed(exc: LeadValidationError) -> Response:
    body = {
        "validation-errors": [
            {"request_id": request_id, "errors": errors} for request_id, errors in exc.errors
        ],
        "title": "Bad Request",
        "type": "https://httpstatus.es/400",
        "status": 400,
        "detail": "Request validation failed",
    }
    return Response(
        json.dumps(body, ensure_ascii=False).encode(), 400, media_type=problems.PROBLEM_JSON
    )


def _params(request: Request) -> dict[str, Any]:
    return parse_nested(request.scope.get("query_string", b"").decode("latin-1"))


def _paging(params: dict[str, Any]) -> tuple[int, int]:
    page = _positive(params.get("page"), "page", 1)
    limit = _positive(params.get("limit"), "limit", DEFAULT_LIMIT)
    if limit > MAX_LIMIT:
        # Observed (UNCONFIRMED): above 250 amoCRM falls back to its default page size, so
        # a client that trusts its own limit silently loses rows unless it follows `next`.
        limit = DEFAULT_LIMIT
    return page, limit


def _positive(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if not isinstance(value, str) or not value.isdigit() or int(value) < 1:
        raise QueryError(name, "This value should be a positive integer.")
    return int(value)


def _page_links(
    request: Request, base_path: str, page: int, limit: int, has_more: bool
) -> dict[str, Any]:
    """Absolute, followable HAL links that keep every other query parameter."""
    kept = [
        (k, v)
        for k, v in parse_qsl(request.scope.get("query_string", b"").decode("latin-1"), True)
        if k not in ("page", "limit")
    ]

    def href(n: int) -> dict[str, str]:
        query = urlencode([*kept, ("limit", str(limit)), ("page", str(n))], safe="[]")
        return {"href": f"{base_path}?{query}"}

    links = {"self": href(page)}
    if has_more:
        links["next"] = href(page + 1)
    links["first"] = href(1)
    if page > 1:
        links["prev"] = href(page - 1)
    return links


# --- account, users, pipelines -----------------------------------------------------------


async def get_account(request: Request, c: Caller) -> Response:
    with_ = {w.strip() for w in request.query_params.get("with", "").split(",") if w.strip()}
    return problems.hal(account_json(c.account, c.user, c.base, with_))


async def get_current_user(request: Request, c: Caller) -> Response:
    """`/v3/user`: the token owner's profile (used by the official PHP provider)."""
    return JSONResponse({"id": c.user.id, "name": c.user.name, "email": c.user.email})


@admin_only
async def list_users(request: Request, c: Caller) -> Response:
    page, limit = _paging(_params(request))
    users = list(c.account.users.values())
    chunk = users[(page - 1) * limit : page * limit]
    if not chunk:
        return problems.no_content()
    has_more = page * limit < len(users)
    return problems.hal(
        {
            "_total_items": len(users),
            "_page": page,
            "_page_count": -(-len(users) // limit),
            "_links": _page_links(request, f"{c.base}/api/v4/users", page, limit, has_more),
            "_embedded": {"users": [user_json(u, c.base) for u in chunk]},
        }
    )


@admin_only
async def get_user(request: Request, c: Caller) -> Response:
    user = c.account.users.get(int(request.path_params["user_id"]))
    if user is None:
        return problems.no_content()
    return problems.hal(user_json(user, c.base))


async def list_pipelines(request: Request, c: Caller) -> Response:
    return problems.hal(
        {
            "_total_items": len(c.account.pipelines),
            "_links": link(f"{c.base}/api/v4/leads/pipelines"),
            "_embedded": {
                "pipelines": [pipeline_json(p, c.account, c.base) for p in c.account.pipelines]
            },
        }
    )


async def get_pipeline(request: Request, c: Caller) -> Response:
    pipeline = c.account.pipeline(int(request.path_params["pipeline_id"]))
    if pipeline is None:
        return problems.no_content()
    return problems.hal(pipeline_json(pipeline, c.account, c.base))


async def list_statuses(request: Request, c: Caller) -> Response:
    pipeline = c.account.pipeline(int(request.path_params["pipeline_id"]))
    if pipeline is None:
        return problems.no_content()
    return problems.hal(
        {
            "_total_items": len(pipeline.statuses),
            "_links": link(f"{c.base}/api/v4/leads/pipelines/{pipeline.id}/statuses"),
            "_embedded": {
                "statuses": [status_json(s, c.account, c.base) for s in pipeline.statuses]
            },
        }
    )


async def get_status(request: Request, c: Caller) -> Response:
    pipeline = c.account.pipeline(int(request.path_params["pipeline_id"]))
    status = pipeline.status(int(request.path_params["status_id"])) if pipeline else None
    if status is None:
        return problems.no_content()
    return problems.hal(status_json(status, c.account, c.base))


# --- leads -------------------------------------------------------------------------------


async def list_leads(request: Request, c: Caller) -> Response:
    params = _params(request)
    page, limit = _paging(params)
    # Without the API-filtering add-on amoCRM ignores filter[...] silently.
    query = build_query(params, filters_enabled=c.account.is_api_filter_enabled)
    leads, has_more = c.sandbox.page_leads(c.account, query, c.visible, page, limit)
    if not leads:
        return problems.no_content()
    return problems.hal(
        {
            "_page": page,
            "_links": _page_links(request, f"{c.base}/api/v4/leads", page, limit, has_more),
            "_embedded": {
                "leads": [
                    lead_json(lead, c.account, c.base, with_contacts=query.with_contacts)
                    for lead in leads
                ]
            },
        }
    )


async def get_lead(request: Request, c: Caller) -> Response:
    lead = c.account.leads_by_id.get(int(request.path_params["lead_id"]))
    visible = c.visible
    if lead is None or lead.is_deleted or (visible is not None and not visible(lead)):
        return problems.no_content()
    with_ = request.query_params.get("with", "").split(",")
    return problems.hal(lead_json(lead, c.account, c.base, with_contacts="contacts" in with_))


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        return None


def _batch_error(detail: str) -> Response:
    return problems.problem(422, "Unprocessable Entity", detail)


async def add_leads(request: Request, c: Caller) -> Response:
    items = await _json_body(request)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or not items:
        return problems.validation_error(
            [{"code": "InvalidType", "path": "", "detail": "Expected a non-empty array of leads."}]
        )
    try:
        created = c.sandbox.create_leads(c.account, c.user, items)
    except OverflowError as exc:
        return _batch_error(str(exc))
    return problems.hal(
        {
            "_links": link(f"{c.base}/api/v4/leads"),
            "_embedded": {
                "leads": [
                    {
                        "id": lead.id,
                        "request_id": str(i),
                        "_links": link(f"{c.base}/api/v4/leads/{lead.id}"),
                    }
                    for i, lead in enumerate(created)
                ]
            },
        }
    )


def _updated(lead: Lead, base: str) -> dict[str, Any]:
    return {
        "id": lead.id,
        "updated_at": lead.updated_at,
        "_links": link(f"{base}/api/v4/leads/{lead.id}"),
    }


async def update_leads(request: Request, c: Caller) -> Response:
    items = await _json_body(request)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or not items:
        return problems.validation_error(
            [{"code": "InvalidType", "path": "", "detail": "Expected a non-empty array of leads."}]
        )
    try:
        updated = c.sandbox.update_leads(c.account, c.user, items, c.visible)
    except OverflowError as exc:
        return _batch_error(str(exc))
    return problems.hal(
        {
            "_links": link(f"{c.base}/api/v4/leads"),
            "_embedded": {"leads": [_updated(lead, c.base) for lead in updated]},
        }
    )


async def update_lead(request: Request, c: Caller) -> Response:
    item = await _json_body(request)
    if not isinstance(item, dict):
        return problems.validation_error(
            [{"code": "InvalidType", "path": "", "detail": "Expected a lead object."}]
        )
    item["id"] = int(request.path_params["lead_id"])
    updated = c.sandbox.update_leads(c.account, c.user, [item], c.visible)
    return problems.hal(_updated(updated[0], c.base))


async def list_tags(request: Request, c: Caller) -> Response:
    page, limit = _paging(_params(request))
    tags = list(c.account.tags.values())
    chunk = tags[(page - 1) * limit : page * limit]
    if not chunk:
        return problems.no_content()
    has_more = page * limit < len(tags)
    return problems.hal(
        {
            "_page": page,
            "_links": _page_links(request, f"{c.base}/api/v4/leads/tags", page, limit, has_more),
            "_embedded": {"tags": [tag_json(t) for t in chunk]},
        }
    )


# --- contacts ----------------------------------------------------------------------------


async def list_contacts(request: Request, c: Caller) -> Response:
    params = _params(request)
    page, limit = _paging(params)
    contacts = c.account.contacts
    raw_filter = params.get("filter") if c.account.is_api_filter_enabled else None
    if isinstance(raw_filter, dict) and "id" in raw_filter:
        wanted = ints(raw_filter["id"], "filter.id")
        candidates = [contacts[i] for i in sorted(wanted) if i in contacts]
    else:
        candidates = list(contacts.values())
    text = params.get("query")
    if isinstance(text, str) and text.strip():
        needle = text.strip().lower()
        candidates = [x for x in candidates if needle in x.name.lower()]
    chunk = candidates[(page - 1) * limit : page * limit + 1]
    if not chunk:
        return problems.no_content()
    has_more = len(chunk) > limit
    return problems.hal(
        {
            "_page": page,
            "_links": _page_links(request, f"{c.base}/api/v4/contacts", page, limit, has_more),
            "_embedded": {"contacts": [contact_json(x, c.account, c.base) for x in chunk[:limit]]},
        }
    )


async def get_contact(request: Request, c: Caller) -> Response:
    contact = c.account.contacts.get(int(request.path_params["contact_id"]))
    if contact is None:
        return problems.no_content()
    return problems.hal(contact_json(contact, c.account, c.base))


# --- webhooks ----------------------------------------------------------------------------


@admin_only
async def add_webhook(request: Request, c: Caller) -> Response:
    body = await _json_body(request)
    errors: list[dict[str, str]] = []
    if not isinstance(body, dict):
        body = {}
        errors.append({"code": "InvalidType", "path": "", "detail": "Expected an object."})
    destination = body.get("destination")
    if not isinstance(destination, str) or not destination.startswith(("http://", "https://")):
        errors.append({"code": "InvalidValue", "path": "destination", "detail": "Invalid URL."})
    settings = body.get("settings")
    if not isinstance(settings, list) or not all(isinstance(s, str) for s in settings):
        errors.append({"code": "InvalidType", "path": "settings", "detail": "Expected a list."})
    sort = body.get("sort", 1)
    if not isinstance(sort, int):
        errors.append({"code": "InvalidType", "path": "sort", "detail": "Expected an integer."})
    if errors:
        return problems.validation_error(errors)
    assert isinstance(destination, str) and isinstance(settings, list) and isinstance(sort, int)
    try:
        hook = c.sandbox.subscribe(c.account, c.user, destination, settings, sort)
    except ValueError:
        return problems.validation_error(
            [{"code": "NotSupportedChoice", "path": "settings", "detail": "Unknown event."}]
        )
    except OverflowError as exc:
        return problems.bad_request(str(exc))
    return problems.hal(webhook_json(hook, c.account), status=201)


@admin_only
async def list_webhooks(request: Request, c: Caller) -> Response:
    params = _params(request)
    raw_filter = params.get("filter")
    hooks = c.account.webhooks
    if isinstance(raw_filter, dict) and "destination" in raw_filter:
        wanted = {str(d) for d in as_list(raw_filter["destination"])}
        hooks = [h for h in hooks if h.destination in wanted]
    if not hooks:
        return problems.no_content()
    return problems.hal(
        {
            "_total_items": len(hooks),
            "_links": link(f"{c.base}/api/v4/webhooks"),
            "_embedded": {"webhooks": [webhook_json(h, c.account) for h in hooks]},
        }
    )


@admin_only
async def delete_webhook(request: Request, c: Caller) -> Response:
    body = await _json_body(request)
    destination = body.get("destination") if isinstance(body, dict) else None
    hook = next((h for h in c.account.webhooks if h.destination == destination), None)
    if hook is None:
        return problems.validation_error(
            [{"code": "NotFound", "path": "destination", "detail": "Webhook not found."}]
        )
    c.account.webhooks.remove(hook)
    return problems.no_content()


async def webhooks(request: Request, c: Caller) -> Response:
    if request.method == "POST":
        return await add_webhook(request, c)
    if request.method == "DELETE":
        return await delete_webhook(request, c)
    return await list_webhooks(request, c)


async def leads(request: Request, c: Caller) -> Response:
    if request.method == "POST":
        return await add_leads(request, c)
    if request.method == "PATCH":
        return await update_leads(request, c)
    return await list_leads(request, c)


async def lead(request: Request, c: Caller) -> Response:
    if request.method == "PATCH":
        return await update_lead(request, c)
    return await get_lead(request, c)


async def not_found(request: Request) -> Response:
    host = request.path_params["host"]
    return problems.not_found(f"https://{host}/{request.path_params['rest']}", request.method)


def routes() -> list[Route]:
    p = "/accounts/{host}"
    return [
        Route(f"{p}/api/v4/account", authenticated(get_account), methods=["GET"]),
        Route(f"{p}/v3/user", authenticated(get_current_user), methods=["GET"]),
        Route(f"{p}/api/v4/users", authenticated(list_users), methods=["GET"]),
        Route(f"{p}/api/v4/users/{{user_id:int}}", authenticated(get_user), methods=["GET"]),
        Route(f"{p}/api/v4/leads", authenticated(leads), methods=["GET", "POST", "PATCH"]),
        Route(f"{p}/api/v4/leads/pipelines", authenticated(list_pipelines), methods=["GET"]),
        Route(
            f"{p}/api/v4/leads/pipelines/{{pipeline_id:int}}",
            authenticated(get_pipeline),
            methods=["GET"],
        ),
        Route(
            f"{p}/api/v4/leads/pipelines/{{pipeline_id:int}}/statuses",
            authenticated(list_statuses),
            methods=["GET"],
        ),
        Route(
            f"{p}/api/v4/leads/pipelines/{{pipeline_id:int}}/statuses/{{status_id:int}}",
            authenticated(get_status),
            methods=["GET"],
        ),
        Route(f"{p}/api/v4/leads/tags", authenticated(list_tags), methods=["GET"]),
        Route(f"{p}/api/v4/leads/{{lead_id:int}}", authenticated(lead), methods=["GET", "PATCH"]),
        Route(f"{p}/api/v4/contacts", authenticated(list_contacts), methods=["GET"]),
        Route(
            f"{p}/api/v4/contacts/{{contact_id:int}}", authenticated(get_contact), methods=["GET"]
        ),
        Route(f"{p}/api/v4/webhooks", authenticated(webhooks), methods=["GET", "POST", "DELETE"]),
        Route(
            f"{p}/{{rest:path}}",
            not_found,
            methods=["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"],
        ),
    ]
