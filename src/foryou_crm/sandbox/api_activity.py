"""Notes, tasks, events and links on API v4.

`/api/v4/{entity}/notes…` and `/api/v4/events…` (events-and-notes.md), `/api/v4/tasks…`
(tasks-api.md), `/api/v4/{entity}/…links|link|unlink` (entity-links-api.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import events, problems
from .api_common import (
    Caller,
    authenticated,
    bound,
    expect_list,
    expect_object,
    hal_page,
    json_body,
    paging,
    params_of,
    with_of,
    write_result,
)
from .changes import Change
from .links import apply_link, check_links, entity_exists, links_of
from .models import Note, Task
from .notes import add_notes, note_json, update_notes
from .params import QueryError, after_range, as_list, csv_list, ints, to_int
from .query import page_of, parse_order, sorted_view
from .seed_activity import ensure, ensure_all, ensure_owner
from .serialize import link
from .tasks import add_tasks, task_json, update_tasks
from .validation import ValidationFailed, raise_if

Predicate = Callable[[Any], bool]
ENTITIES = ("leads", "contacts", "companies")

# --- notes ---------------------------------------------------------------------------------


def _note_filters(raw: Any) -> tuple[list[Predicate], set[int] | None]:
    """filter[id|note_type|updated_at] and the entity ids of filter[entity_id]."""
    if not isinstance(raw, dict):
        return [], None
    preds: list[Predicate] = []
    if "id" in raw:
        ids = ints(raw["id"], "filter.id")
        preds.append(lambda n: n.id in ids)
    if "note_type" in raw:
        kinds = set(csv_list(raw["note_type"]))
        preds.append(lambda n: n.note_type in kinds)
    if "updated_at" in raw:
        bounds = after_range(raw["updated_at"], "filter.updated_at")
        preds.append(lambda n: bounds.holds(n.updated_at))
    entity_ids = ints(raw["entity_id"], "filter.entity_id") if "entity_id" in raw else None
    return preds, entity_ids


async def list_notes(request: Request, c: Caller, entity_type: str) -> Response:
    params = params_of(request)
    page, limit = paging(params)
    preds, entity_ids = _note_filters(params.get("filter"))
    own = request.path_params.get("entity_id")
    if own is not None:
        entity_ids = {int(own)}
    account = c.account
    source: Iterable[Note]
    if entity_ids is not None:
        for eid in entity_ids:
            ensure(account, eid)
        found = [n for eid in entity_ids for n in account.notes_by_entity.get(eid, [])]
        source = sorted(found, key=lambda n: n.id)
    else:
        ensure_all(account, "notes")
        source = account.notes.values()
    field, descending = parse_order(params, ("updated_at", "id"))
    ordered = sorted_view(list(source), field, descending)
    matches = (
        n
        for n in ordered
        if n.entity_type == entity_type
        and c.sees(entity_type, n.entity_id)
        and all(p(n) for p in preds)
    )
    chunk, has_more = page_of(matches, page, limit)
    path = f"{c.base}/api/v4/{entity_type}" + (f"/{own}" if own is not None else "") + "/notes"
    items = [note_json(account, n, c.base) for n in chunk]
    return hal_page(request, path, "notes", items, page, limit, has_more)


async def get_note(request: Request, c: Caller, entity_type: str) -> Response:
    note_id = int(request.path_params["note_id"])
    ensure_owner(c.account, "notes", note_id)
    note = c.account.notes.get(note_id)
    own = request.path_params.get("entity_id")
    if (
        note is None
        or note.entity_type != entity_type
        or (own is not None and note.entity_id != int(own))
        or not c.sees(entity_type, note.entity_id)
    ):
        return problems.no_content()
    return problems.hal(note_json(c.account, note, c.base))


def _note_ref(note: Note, base: str, extra: dict[str, Any]) -> dict[str, Any]:
    href = f"{base}/api/v4/{note.entity_type}/{note.entity_id}/notes/{note.id}"
    return {"id": note.id, "entity_id": note.entity_id, **extra, "_links": link(href)}


async def notes(request: Request, c: Caller, entity_type: str) -> Response:
    if request.method == "GET":
        return await list_notes(request, c, entity_type)
    own = request.path_params.get("entity_id")
    entity_id = int(own) if own is not None else None
    rec = c.sandbox.recorder
    if request.method == "POST":
        items = expect_list(await json_body(request), "a non-empty array of notes")
        made = add_notes(rec, c.account, c.user, entity_type, items, c.sees, entity_id)
        answer = [
            _note_ref(n, c.base, {"request_id": str(item.get("request_id", i))})
            for i, (item, n) in enumerate(zip(items, made, strict=True))
        ]
        return write_result(c.base, f"{entity_type}/notes", "notes", answer)
    items = expect_list(await json_body(request), "a non-empty array of notes")
    changed = update_notes(rec, c.account, c.user, entity_type, items, c.sees, entity_id)
    answer = [_note_ref(n, c.base, {"updated_at": n.updated_at}) for n in changed]
    return write_result(c.base, f"{entity_type}/notes", "notes", answer)


async def note(request: Request, c: Caller, entity_type: str) -> Response:
    if request.method == "GET":
        return await get_note(request, c, entity_type)
    item = expect_object(await json_body(request), "a note object")
    item["id"] = int(request.path_params["note_id"])
    entity_id = int(request.path_params["entity_id"])
    changed = update_notes(
        c.sandbox.recorder, c.account, c.user, entity_type, [item], c.sees, entity_id
    )
    return problems.hal(_note_ref(changed[0], c.base, {"updated_at": changed[0].updated_at}))


# --- tasks ---------------------------------------------------------------------------------


def _flag(raw: Any, path: str) -> bool:
    values = {str(v).lower() for v in as_list(raw)}
    if not values <= {"0", "1", "true", "false"}:
        raise QueryError(path, "This value should be of type bool.")
    return bool(values & {"1", "true"})


def _task_filters(raw: Any) -> tuple[list[Predicate], set[int] | None]:
    if not isinstance(raw, dict):
        return [], None
    preds: list[Predicate] = []
    if "id" in raw:
        ids = ints(raw["id"], "filter.id")
        preds.append(lambda t: t.id in ids)
    if "responsible_user_id" in raw:
        users = ints(raw["responsible_user_id"], "filter.responsible_user_id")
        preds.append(lambda t: t.responsible_user_id in users)
    if "is_completed" in raw:
        done = _flag(raw["is_completed"], "filter.is_completed")
        preds.append(lambda t: t.is_completed == done)
    if "task_type" in raw:
        types = ints(raw["task_type"], "filter.task_type")
        preds.append(lambda t: t.task_type_id in types)
    if "updated_at" in raw:
        bounds = after_range(raw["updated_at"], "filter.updated_at")
        preds.append(lambda t: bounds.holds(t.updated_at))
    entity_ids = None
    if "entity_type" in raw:
        etype = str(raw["entity_type"])
        if etype not in (*ENTITIES, "customers"):
            raise QueryError("filter.entity_type", "The value you selected is not a valid choice.")
        preds.append(lambda t: t.entity_type == etype)
    if "entity_id" in raw:
        if "entity_type" not in raw:
            # "Для его использования необходимо передать значение в filter[entity_type]".
            raise QueryError("filter.entity_id", "Pass filter[entity_type] with it.")
        entity_ids = ints(raw["entity_id"], "filter.entity_id")
    return preds, entity_ids


async def list_tasks(request: Request, c: Caller) -> Response:
    params = params_of(request)
    page, limit = paging(params)
    preds, entity_ids = _task_filters(params.get("filter"))
    source: Iterable[Task]
    if entity_ids is not None:
        for eid in entity_ids:
            ensure(c.account, eid)
        found = [t for eid in entity_ids for t in c.account.tasks_by_entity.get(eid, [])]
        source = sorted(found, key=lambda t: t.id)
    else:
        ensure_all(c.account, "tasks")
        source = c.account.tasks.values()
    field, descending = parse_order(params, ("created_at", "complete_till", "id"))
    ordered = sorted_view(list(source), field, descending)
    matches = (t for t in ordered if c.sees_task(t) and all(p(t) for p in preds))
    chunk, has_more = page_of(matches, page, limit)
    items = [task_json(c.account, t, c.base) for t in chunk]
    return hal_page(request, f"{c.base}/api/v4/tasks", "tasks", items, page, limit, has_more)


def _task_ref(task: Task, base: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {"id": task.id, **extra, "_links": link(f"{base}/api/v4/tasks/{task.id}")}


async def tasks(request: Request, c: Caller) -> Response:
    if request.method == "GET":
        return await list_tasks(request, c)
    items = expect_list(await json_body(request), "a non-empty array of tasks")
    rec = c.sandbox.recorder
    if request.method == "POST":
        made = add_tasks(rec, c.account, c.user, items, c.sees)
        answer = [
            _task_ref(t, c.base, {"request_id": str(item.get("request_id", i))})
            for i, (item, t) in enumerate(zip(items, made, strict=True))
        ]
        return write_result(c.base, "tasks", "tasks", answer)
    changed = update_tasks(rec, c.account, c.user, items, c.sees, c.sees_task)
    answer = [
        _task_ref(t, c.base, {"updated_at": t.updated_at, "request_id": str(i)})
        for i, t in enumerate(changed)
    ]
    return write_result(c.base, "tasks", "tasks", answer)


async def task(request: Request, c: Caller) -> Response:
    task_id = int(request.path_params["task_id"])
    ensure_owner(c.account, "tasks", task_id)
    found = c.account.tasks.get(task_id)
    if request.method == "GET":
        if found is None or not c.sees_task(found):
            return problems.no_content()
        return problems.hal(task_json(c.account, found, c.base))
    item = expect_object(await json_body(request), "a task object")
    item["id"] = int(request.path_params["task_id"])
    changed = update_tasks(c.sandbox.recorder, c.account, c.user, [item], c.sees, c.sees_task)
    return problems.hal(
        _task_ref(changed[0], c.base, {"updated_at": changed[0].updated_at, "request_id": "0"})
    )


# --- events --------------------------------------------------------------------------------


async def list_events(request: Request, c: Caller) -> Response:
    params = params_of(request)
    page, limit = paging(params, events.MAX_LIMIT if c.account.platform == 1 else 250)
    q = events.build_event_query(params)
    stream = events.newest_first(c.account, q, None if c.user.is_admin else c.sees_event)
    chunk, has_more = page_of(stream, page, limit)
    with_ = with_of(request)
    items = [events.event_json(c.account, e, c.base, with_) for e in chunk]
    return hal_page(request, f"{c.base}/api/v4/events", "events", items, page, limit, has_more)


async def get_event(request: Request, c: Caller) -> Response:
    wanted = request.path_params["event_id"]
    found = next((e for e in c.account.events if e.id == wanted), None)
    if found is None or not c.sees_event(found):
        return problems.no_content()
    return problems.hal(events.event_json(c.account, found, c.base, with_of(request)))


# --- links ---------------------------------------------------------------------------------


def _link_filters(raw: Any) -> Predicate:
    if not isinstance(raw, dict):
        return lambda item: True
    to_id, to_type = raw.get("to_entity_id"), raw.get("to_entity_type")
    if (to_id is None) != (to_type is None):
        # Each is "передается вместе с" the other.
        raise QueryError("filter.to_entity_id", "Pass filter[to_entity_type] with it.")
    if to_id is None:
        return lambda item: True
    wanted = to_int(to_id, "filter.to_entity_id")
    return lambda item: item["to_entity_id"] == wanted and item["to_entity_type"] == to_type


async def entity_links(request: Request, c: Caller, entity_type: str) -> Response:
    entity_id = int(request.path_params["entity_id"])
    if not entity_exists(c.account, entity_type, entity_id) or not c.sees(entity_type, entity_id):
        return problems.no_content()
    keep = _link_filters(params_of(request).get("filter"))
    found = [x for x in links_of(c.account, entity_type, entity_id) if keep(x)]
    if not found:
        return problems.no_content()
    return problems.hal(
        {
            "_total_items": len(found),
            "_links": link(f"{c.base}/api/v4/{entity_type}/{entity_id}/links"),
            "_embedded": {"links": found},
        }
    )


async def mass_links(request: Request, c: Caller, entity_type: str) -> Response:
    raw = params_of(request).get("filter")
    if not isinstance(raw, dict) or "entity_id" not in raw:
        raise QueryError("filter.entity_id", "This value should not be blank.")
    keep = _link_filters(raw)
    found = [
        {"entity_id": eid, "entity_type": entity_type, **x}
        for eid in sorted(ints(raw["entity_id"], "filter.entity_id"))
        if entity_exists(c.account, entity_type, eid) and c.sees(entity_type, eid)
        for x in links_of(c.account, entity_type, eid)
        if keep(x)
    ]
    if not found:
        return problems.no_content()
    return problems.hal(
        {
            "_total_items": len(found),
            "_links": link(f"{c.base}/api/v4/{entity_type}/links"),
            "_embedded": {"links": found},
        }
    )


def _change_links(
    c: Caller, entity_type: str, items: list[dict[str, Any]], own: int | None, *, link_: bool
) -> list[dict[str, Any]]:
    raise_if(check_links(c.account, entity_type, items, entity_id=own))
    targets = [own if own is not None else int(item["entity_id"]) for item in items]
    hidden = [str(i) for i, t in enumerate(targets) if not c.sees(entity_type, t)]
    if hidden:
        raise ValidationFailed(
            [
                (i, [{"code": "NotFound", "path": "entity_id", "detail": "Entity not found."}])
                for i in hidden
            ]
        )
    change: Change = c.sandbox.recorder.begin(c.account)
    done = [
        made
        for target, item in zip(targets, items, strict=True)
        if (made := apply_link(change, entity_type, target, item, c.user.id, link=link_))
    ]
    c.sandbox.recorder.commit(change)
    return done


async def post_links(request: Request, c: Caller, entity_type: str) -> Response:
    """`POST …/{id}/link|unlink` and the mass `POST …/link|unlink`."""
    own = request.path_params.get("entity_id")
    body = await json_body(request)
    items = expect_list(body, "a non-empty array of links")
    is_link = request.url.path.rstrip("/").endswith("/link")
    done = _change_links(c, entity_type, items, int(own) if own else None, link_=is_link)
    if not is_link:
        return problems.no_content()
    path = f"{c.base}/api/v4/{entity_type}" + (f"/{own}" if own else "") + "/links"
    return problems.hal(
        {"_total_items": len(done), "_links": link(path), "_embedded": {"links": done}}
    )


def routes(p: str) -> list[Route]:
    out = [
        Route(f"{p}/tasks", authenticated(tasks), methods=["GET", "POST", "PATCH"]),
        Route(f"{p}/tasks/{{task_id:int}}", authenticated(task), methods=["GET", "PATCH"]),
        Route(f"{p}/events", authenticated(list_events), methods=["GET"]),
        Route(f"{p}/events/{{event_id}}", authenticated(get_event), methods=["GET"]),
    ]
    for et in ENTITIES:
        one = f"{p}/{et}/{{entity_id:int}}"
        out += [
            Route(
                f"{p}/{et}/notes", authenticated(bound(notes, et)), methods=["GET", "POST", "PATCH"]
            ),
            Route(
                f"{p}/{et}/notes/{{note_id:int}}",
                authenticated(bound(get_note, et)),
                methods=["GET"],
            ),
            Route(
                f"{one}/notes", authenticated(bound(notes, et)), methods=["GET", "POST", "PATCH"]
            ),
            Route(
                f"{one}/notes/{{note_id:int}}",
                authenticated(bound(note, et)),
                methods=["GET", "PATCH"],
            ),
            Route(f"{p}/{et}/links", authenticated(bound(mass_links, et)), methods=["GET"]),
            Route(f"{one}/links", authenticated(bound(entity_links, et)), methods=["GET"]),
            Route(f"{one}/link", authenticated(bound(post_links, et)), methods=["POST"]),
            Route(f"{one}/unlink", authenticated(bound(post_links, et)), methods=["POST"]),
            Route(f"{p}/{et}/link", authenticated(bound(post_links, et)), methods=["POST"]),
            Route(f"{p}/{et}/unlink", authenticated(bound(post_links, et)), methods=["POST"]),
        ]
    return out
