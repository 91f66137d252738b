"""Control API for changes made "in amoCRM": contacts, companies, notes, tasks, links,
restoring leads, and a lead's whole card — so tests can change the world behind the
service's back. Every change takes the same code path as the API (events, webhooks).

Bodies carry v4 objects (the API's own shapes) and `asUser` (id or login, default admin).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .api_parties import party_json
from .events import event_json
from .links import apply_link, check_links
from .models import Account
from .notes import add_notes, note_json, update_notes
from .parties import create_parties, delete_party, update_parties
from .seed_activity import ensure, ensure_all
from .serialize import company_json, contact_json, lead_json
from .state import Sandbox
from .tasks import add_tasks, delete_task, task_json, update_tasks
from .validation import raise_if
from .web import sandbox_base, sandbox_of

ENTITIES = ("leads", "contacts", "companies")


def _everyone(entity_type: str, entity_id: int) -> bool:
    return True


def _base(request: Request, account: Account) -> str:
    return f"{sandbox_base(request)}/accounts/{account.host}"


def _items(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = body.get(key)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items) or not items:
        raise ValueError(f"{key} must be a non-empty list of objects")
    return items


def _entity_type(body: dict[str, Any]) -> str:
    entity_type = body.get("entity_type", "leads")
    if entity_type not in ENTITIES:
        raise ValueError(f"entityType must be one of {', '.join(ENTITIES)}")
    return str(entity_type)


async def parties(request: Request, body: dict[str, Any], entity_type: str) -> Response:
    def write(sb: Sandbox, account: Account, user: Any, items: list[Any], creating: bool) -> Any:
        act = create_parties if creating else update_parties
        return act(sb.recorder, account, entity_type, user, items)

    def render(account: Account, entity: Any, base: str) -> dict[str, Any]:
        return party_json(entity, account, base, {"leads"})

    return await _write(request, body, entity_type, write, render)


async def delete(request: Request, entity_type: str) -> Response:
    sb = sandbox_of(request)
    account = sb.require_account(request.path_params["host"])
    user = sb.resolve_user(account, request.query_params.get("asUser"))
    entity_id = int(request.path_params["entity_id"])
    if entity_type == "tasks":
        delete_task(sb.recorder, account, user, entity_id)
    else:
        delete_party(sb.recorder, account, entity_type, user, entity_id)
    return JSONResponse({"deleted": entity_id})


Render = Callable[[Account, Any, str], dict[str, Any]]


async def _write(
    request: Request,
    body: dict[str, Any],
    key: str,
    write: Callable[[Sandbox, Account, Any, list[dict[str, Any]], bool], list[Any]],
    render: Render,
) -> Response:
    """POST creates, PATCH edits `body[key]` as the given user; answers the results."""
    sb = sandbox_of(request)
    account = sb.require_account(request.path_params["host"])
    user = sb.resolve_user(account, body.get("as_user"))
    creating = request.method == "POST"
    changed = write(sb, account, user, _items(body, key), creating)
    base = _base(request, account)
    return JSONResponse(
        {key: [render(account, x, base) for x in changed]}, 201 if creating else 200
    )


async def notes(request: Request, body: dict[str, Any]) -> Response:
    entity_type = _entity_type(body)

    def write(sb: Sandbox, account: Account, user: Any, items: list[Any], creating: bool) -> Any:
        act = add_notes if creating else update_notes
        return act(sb.recorder, account, user, entity_type, items, _everyone)

    return await _write(request, body, "notes", write, note_json)


async def tasks(request: Request, body: dict[str, Any]) -> Response:
    def write(sb: Sandbox, account: Account, user: Any, items: list[Any], creating: bool) -> Any:
        act = add_tasks if creating else update_tasks
        return act(sb.recorder, account, user, items, _everyone)

    return await _write(request, body, "tasks", write, task_json)


async def links(request: Request, body: dict[str, Any]) -> Response:
    """`{entityType, entityId, link: [...]}` or `{…, unlink: [...]}` (v4 link objects)."""
    sb = sandbox_of(request)
    account = sb.require_account(request.path_params["host"])
    user = sb.resolve_user(account, body.get("as_user"))
    entity_type = _entity_type(body)
    entity_id = body.get("entity_id")
    if not isinstance(entity_id, int):
        raise ValueError("entityId must be an integer")
    action = "link" if "link" in body else "unlink"
    items = _items(body, action)
    raise_if(check_links(account, entity_type, items, entity_id=entity_id))
    change = sb.recorder.begin(account)
    done = [
        made
        for item in items
        if (
            made := apply_link(change, entity_type, entity_id, item, user.id, link=action == "link")
        )
    ]
    sb.recorder.commit(change)
    return JSONResponse({"changed": done})


def lead_card(sb: Sandbox, account: Account, lead_id: int, base: str) -> dict[str, Any]:
    """Everything the service's lead detail shows, as amoCRM serves each part."""
    lead = account.lead(lead_id)
    if lead is None:
        raise KeyError(f"no lead {lead_id}")
    ensure(account, lead.id)
    contacts = [account.contacts[c] for c in lead.contact_ids if c in account.contacts]
    company = account.companies.get(lead.company_id) if lead.company_id else None
    lead_notes = sorted(
        account.notes_by_entity.get(lead.id, []), key=lambda n: (-n.created_at, -n.id)
    )
    lead_tasks = sorted(
        account.tasks_by_entity.get(lead.id, []), key=lambda t: (t.complete_till, t.id)
    )
    history = [e for e in account.events if e.entity_type == "lead" and e.entity_id == lead.id]
    return {
        "lead": lead_json(lead, account, base, with_contacts=True),
        "contacts": [contact_json(c, account, base) for c in contacts],
        "company": company_json(company, account, base) if company else None,
        "notes": [note_json(account, n, base) for n in lead_notes],
        "tasks": [task_json(account, t, base) for t in lead_tasks],
        "events": [event_json(account, e, base, set()) for e in reversed(history)],
    }


async def card(request: Request) -> Response:
    sb = sandbox_of(request)
    account = sb.require_account(request.path_params["host"])
    base = _base(request, account)
    return JSONResponse(lead_card(sb, account, int(request.path_params["lead_id"]), base))


async def restore(request: Request) -> Response:
    sb = sandbox_of(request)
    account = sb.require_account(request.path_params["host"])
    user = sb.resolve_user(account, request.query_params.get("asUser"))
    lead = sb.restore_lead(account, user, int(request.path_params["lead_id"]))
    return JSONResponse({"restored": lead.id})


def counts(account: Account) -> dict[str, int]:
    ensure_all(account, "notes")
    ensure_all(account, "tasks")
    return {
        "contacts": sum(1 for c in account.contacts.values() if not c.is_deleted),
        "companies": sum(1 for c in account.companies.values() if not c.is_deleted),
        "notes": len(account.notes),
        "tasks": len(account.tasks),
        "events": len(account.events),
    }


Endpoint = Callable[[Request], Awaitable[Response]]
BodyEndpoint = Callable[[Request, dict[str, Any]], Awaitable[Response]]


def _deleting(entity_type: str) -> Endpoint:
    async def serve(request: Request) -> Response:
        return await delete(request, entity_type)

    return serve


def _writing_parties(entity_type: str) -> BodyEndpoint:
    async def serve(request: Request, body: dict[str, Any]) -> Response:
        return await parties(request, body, entity_type)

    return serve


def routes(
    control: Callable[[Endpoint], Endpoint], with_body: Callable[[BodyEndpoint], Endpoint]
) -> list[Route]:
    """`control` maps a handler's errors to the control API's answers; `with_body` also
    parses the JSON body (camelCase or snake_case keys)."""
    a = "/_sandbox/accounts/{host}"
    out = [
        Route(f"{a}/leads/{{lead_id:int}}/restore", control(restore), methods=["POST"]),
        Route(f"{a}/leads/{{lead_id:int}}/card", control(card), methods=["GET"]),
        Route(f"{a}/notes", control(with_body(notes)), methods=["POST", "PATCH"]),
        Route(f"{a}/tasks", control(with_body(tasks)), methods=["POST", "PATCH"]),
        Route(f"{a}/links", control(with_body(links)), methods=["POST"]),
        Route(f"{a}/tasks/{{entity_id:int}}", control(_deleting("tasks")), methods=["DELETE"]),
    ]
    for entity_type in ("contacts", "companies"):
        out += [
            Route(
                f"{a}/{entity_type}",
                control(with_body(_writing_parties(entity_type))),
                methods=["POST", "PATCH"],
            ),
            Route(
                f"{a}/{entity_type}/{{entity_id:int}}",
                control(_deleting(entity_type)),
                methods=["DELETE"],
            ),
        ]
    return out
