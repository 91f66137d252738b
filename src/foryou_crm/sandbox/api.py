"""API v4 on an account host: `S/accounts/{host}/api/v4/...` (Bearer access token).

This module: account, users, pipelines, leads, tags, webhooks, and the route table;
contacts/companies/custom fields live in api_parties.py, notes/tasks/events/links in
api_activity.py.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import api_activity, api_parties, problems
from .api_common import (
    Caller,
    admin_only,
    authenticated,
    expect_list,
    expect_object,
    hal_page,
    json_body,
    page_links,
    paging,
    params_of,
    with_of,
    write_result,
)
from .complex import add_complex
from .leads import create_leads, update_leads
from .models import Lead
from .query import as_list, build_query
from .serialize import (
    account_json,
    lead_json,
    link,
    pipeline_json,
    status_json,
    tag_json,
    user_json,
    webhook_json,
)

# --- account, users, pipelines -----------------------------------------------------------


async def get_account(request: Request, c: Caller) -> Response:
    now = c.sandbox.clock.now()
    return problems.hal(account_json(c.account, c.user, c.base, with_of(request), now))


async def get_current_user(request: Request, c: Caller) -> Response:
    """`/v3/user`: the token owner's profile (used by the official PHP provider)."""
    return JSONResponse({"id": c.user.id, "name": c.user.name, "email": c.user.email})


@admin_only
async def list_users(request: Request, c: Caller) -> Response:
    page, limit = paging(params_of(request))
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
            "_links": page_links(request, f"{c.base}/api/v4/users", page, limit, has_more),
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
    params = params_of(request)
    page, limit = paging(params)
    # Without the API-filtering add-on amoCRM ignores filter[...] silently.
    query = build_query(params, filters_enabled=c.account.is_api_filter_enabled, account=c.account)
    leads, has_more = c.sandbox.page_leads(c.account, query, c.visible, page, limit)
    items = [lead_json(lead, c.account, c.base, with_=query.with_) for lead in leads]
    return hal_page(request, f"{c.base}/api/v4/leads", "leads", items, page, limit, has_more)


async def get_lead(request: Request, c: Caller) -> Response:
    lead = c.account.leads_by_id.get(int(request.path_params["lead_id"]))
    visible = c.visible
    if lead is None or lead.is_deleted or (visible is not None and not visible(lead)):
        return problems.no_content()
    return problems.hal(lead_json(lead, c.account, c.base, with_=with_of(request)))


async def add_leads(request: Request, c: Caller) -> Response:
    items = expect_list(await json_body(request), "a non-empty array of leads")
    created = create_leads(c.sandbox.recorder, c.account, c.user, items)
    return write_result(
        c.base,
        "leads",
        "leads",
        [
            {
                "id": lead.id,
                "request_id": str(item.get("request_id", i)),
                "_links": link(f"{c.base}/api/v4/leads/{lead.id}"),
            }
            for i, (item, lead) in enumerate(zip(items, created, strict=True))
        ],
    )


def _updated(lead: Lead, base: str) -> dict[str, Any]:
    return {
        "id": lead.id,
        "updated_at": lead.updated_at,
        "_links": link(f"{base}/api/v4/leads/{lead.id}"),
    }


async def patch_leads(request: Request, c: Caller) -> Response:
    items = expect_list(await json_body(request), "a non-empty array of leads")
    updated = update_leads(c.sandbox.recorder, c.account, c.user, items, c.visible)
    return write_result(c.base, "leads", "leads", [_updated(lead, c.base) for lead in updated])


async def patch_lead(request: Request, c: Caller) -> Response:
    item = expect_object(await json_body(request), "a lead object")
    item["id"] = int(request.path_params["lead_id"])
    updated = update_leads(c.sandbox.recorder, c.account, c.user, [item], c.visible)
    return problems.hal(_updated(updated[0], c.base))


async def post_complex(request: Request, c: Caller) -> Response:
    """`POST /api/v4/leads/complex`: a plain JSON array answer, as documented."""
    items = expect_list(await json_body(request), "a non-empty array of leads")
    return problems.hal(add_complex(c.sandbox.recorder, c.account, c.user, items))


async def list_tags(request: Request, c: Caller) -> Response:
    page, limit = paging(params_of(request))
    tags = list(c.account.tags.values())
    chunk = tags[(page - 1) * limit : page * limit]
    has_more = page * limit < len(tags)
    items = [tag_json(t) for t in chunk]
    return hal_page(request, f"{c.base}/api/v4/leads/tags", "tags", items, page, limit, has_more)


# --- webhooks ----------------------------------------------------------------------------


@admin_only
async def add_webhook(request: Request, c: Caller) -> Response:
    body = await json_body(request)
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
    params = params_of(request)
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
    body = await json_body(request)
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
        return await patch_leads(request, c)
    return await list_leads(request, c)


async def lead(request: Request, c: Caller) -> Response:
    if request.method == "PATCH":
        return await patch_lead(request, c)
    return await get_lead(request, c)


async def not_found(request: Request) -> Response:
    host = request.path_params["host"]
    return problems.not_found(f"https://{host}/{request.path_params['rest']}", request.method)


def routes() -> list[Route]:
    p = "/accounts/{host}/api/v4"
    own = [
        Route(f"{p}/account", authenticated(get_account), methods=["GET"]),
        Route(f"{p}/users", authenticated(list_users), methods=["GET"]),
        Route(f"{p}/users/{{user_id:int}}", authenticated(get_user), methods=["GET"]),
        Route(f"{p}/leads", authenticated(leads), methods=["GET", "POST", "PATCH"]),
        Route(f"{p}/leads/complex", authenticated(post_complex), methods=["POST"]),
        Route(f"{p}/leads/pipelines", authenticated(list_pipelines), methods=["GET"]),
        Route(
            f"{p}/leads/pipelines/{{pipeline_id:int}}",
            authenticated(get_pipeline),
            methods=["GET"],
        ),
        Route(
            f"{p}/leads/pipelines/{{pipeline_id:int}}/statuses",
            authenticated(list_statuses),
            methods=["GET"],
        ),
        Route(
            f"{p}/leads/pipelines/{{pipeline_id:int}}/statuses/{{status_id:int}}",
            authenticated(get_status),
            methods=["GET"],
        ),
        Route(f"{p}/leads/tags", authenticated(list_tags), methods=["GET"]),
        Route(f"{p}/leads/{{lead_id:int}}", authenticated(lead), methods=["GET", "PATCH"]),
        Route(f"{p}/webhooks", authenticated(webhooks), methods=["GET", "POST", "DELETE"]),
    ]
    return [
        Route("/accounts/{host}/v3/user", authenticated(get_current_user), methods=["GET"]),
        *own,
        *api_parties.routes(p),
        *api_activity.routes(p),
        Route(
            "/accounts/{host}/{rest:path}",
            not_found,
            methods=["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"],
        ),
    ]
