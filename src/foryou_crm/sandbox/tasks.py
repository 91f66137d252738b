"""Tasks (tasks-api.md): their JSON, adding, editing and completing them, deleting them
through the control API. An entity's `closest_task_at` follows its open tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .changes import Change, Recorder
from .hooks import task_hook
from .links import entity_exists
from .models import Account, Task, User
from .seed_activity import ensure, ensure_owner
from .validation import (
    Errors,
    bad_type,
    check_batch,
    check_existing,
    error,
    int_or_none,
    is_int,
    not_a_choice,
    not_found,
    raise_if,
    request_id,
)

ENTITY_TYPES = ("leads", "contacts", "companies", "customers")
VisibleTask = Callable[[Task], bool] | None
VisibleEntity = Callable[[str, int], bool]


def task_json(account: Account, task: Task, base: str) -> dict[str, Any]:
    return {
        "id": task.id,
        "created_by": task.created_by,
        "updated_by": task.updated_by,
        "created_at": task.created_at,
        "updated_at": task.updated_at,
        "responsible_user_id": task.responsible_user_id,
        "group_id": 0,
        "entity_id": task.entity_id,
        "entity_type": task.entity_type,
        "duration": task.duration,
        "is_completed": task.is_completed,
        "task_type_id": task.task_type_id,
        "text": task.text,
        # An empty result is an empty PHP array, as in the documented list example.
        "result": {"text": task.result} if task.result else [],
        "complete_till": task.complete_till,
        "account_id": account.id,
        "_links": {"self": {"href": f"{base}/api/v4/tasks/{task.id}"}},
    }


def refresh_closest(account: Account, entity_type: str | None, entity_id: int | None) -> None:
    """`closest_task_at` of the task's entity: its earliest open deadline (no `updated_at`
    change — the entity itself did not change)."""
    if entity_type is None or entity_id is None:
        return
    registries: dict[str, dict[int, Any]] = {
        "leads": account.leads_by_id,
        "contacts": account.contacts,
        "companies": account.companies,
    }
    entity = registries.get(entity_type, {}).get(entity_id)
    if entity is None:
        return
    open_ = [
        t.complete_till for t in account.tasks_by_entity.get(entity_id, []) if not t.is_completed
    ]
    entity.closest_task_at = min(open_) if open_ else None


def _check(
    account: Account, item: dict[str, Any], task: Task | None, visible: VisibleEntity
) -> Errors:
    errors: Errors = []
    creating = task is None
    text = item.get("text")
    if (creating or "text" in item) and not (isinstance(text, str) and text.strip()):
        errors.append(error("NotBlank", "text", "This value should not be blank."))
    if (creating or "complete_till" in item) and not is_int(item.get("complete_till")):
        errors.append(bad_type("complete_till", "int"))
    if "task_type_id" in item and (
        not is_int(item["task_type_id"]) or account.task_type(item["task_type_id"]) is None
    ):
        errors.append(not_a_choice("task_type_id"))
    if "responsible_user_id" in item and item["responsible_user_id"] not in account.users:
        errors.append(not_a_choice("responsible_user_id"))
    if "is_completed" in item and not isinstance(item["is_completed"], bool):
        errors.append(bad_type("is_completed", "bool"))
    if "duration" in item and (not is_int(item["duration"]) or item["duration"] < 0):
        errors.append(bad_type("duration", "int"))
    result = item.get("result")
    if result is not None and not (
        isinstance(result, dict) and isinstance(result.get("text"), str)
    ):
        errors.append(bad_type("result", "object"))
    if "entity_type" in item or "entity_id" in item:
        etype, eid = item.get("entity_type"), item.get("entity_id")
        if etype not in ENTITY_TYPES or etype == "customers":
            errors.append(not_a_choice("entity_type"))
        elif not is_int(eid) or not entity_exists(account, etype, eid) or not visible(etype, eid):
            errors.append(not_found("entity_id"))
    return errors


def add_tasks(
    rec: Recorder, account: Account, user: User, items: list[dict[str, Any]], visible: VisibleEntity
) -> list[Task]:
    check_batch(items)
    raise_if(
        [
            (request_id(item, i), errors)
            for i, item in enumerate(items)
            if (errors := _check(account, item, None, visible))
        ]
    )
    for item in items:
        ensure(account, item.get("entity_id"))
    change = rec.begin(account)
    made: list[Task] = []
    for item in items:
        result = item.get("result")
        task = Task(
            id=account.new_id(),
            entity_type=item.get("entity_type"),
            entity_id=item.get("entity_id"),
            created_by=user.id,
            updated_by=user.id,
            created_at=change.now,
            updated_at=change.now,
            responsible_user_id=item.get("responsible_user_id", user.id),
            task_type_id=item.get("task_type_id", 1),
            text=item["text"],
            complete_till=item["complete_till"],
            duration=item.get("duration", 0),
            is_completed=item.get("is_completed", False),
            result=result["text"] if isinstance(result, dict) else None,
        )
        account.tasks[task.id] = task
        if task.entity_id is not None:
            account.tasks_by_entity.setdefault(task.entity_id, []).append(task)
        refresh_closest(account, task.entity_type, task.entity_id)
        change.event("task_added", "task", task.id, user.id)
        change.hooks.append(task_hook("add", task, account))
        made.append(task)
    rec.commit(change)
    return made


def _apply(change: Change, user: User, item: dict[str, Any], task: Task) -> None:
    account, by = change.account, user.id
    before = (task.text, task.complete_till, task.task_type_id, task.is_completed, task.result)
    old_owner = task.responsible_user_id
    old_entity = (task.entity_type, task.entity_id)
    for key in (
        "text",
        "complete_till",
        "task_type_id",
        "responsible_user_id",
        "duration",
        "is_completed",
    ):
        if key in item:
            setattr(task, key, item[key])
    if isinstance(item.get("result"), dict):
        task.result = item["result"]["text"]
    if "entity_type" in item or "entity_id" in item:
        if task.entity_id is not None and task in account.tasks_by_entity.get(task.entity_id, []):
            account.tasks_by_entity[task.entity_id].remove(task)
        task.entity_type, task.entity_id = item.get("entity_type"), item.get("entity_id")
        if task.entity_id is not None:
            account.tasks_by_entity.setdefault(task.entity_id, []).append(task)
    change.stamp(task)
    task.updated_by = by
    refresh_closest(account, *old_entity)
    refresh_closest(account, task.entity_type, task.entity_id)
    text, till, type_id, done, result = before
    if task.text != text:
        change.event(
            "task_text_changed",
            "task",
            task.id,
            by,
            [{"task": {"text": task.text}}],
            [{"task": {"text": text}}],
        )
    if task.complete_till != till:
        change.event(
            "task_deadline_changed",
            "task",
            task.id,
            by,
            [{"task_deadline": {"timestamp": task.complete_till}}],
            [{"task_deadline": {"timestamp": till}}],
        )
    if task.task_type_id != type_id:
        change.event(
            "task_type_changed",
            "task",
            task.id,
            by,
            [{"task_type": {"id": task.task_type_id}}],
            [{"task_type": {"id": type_id}}],
        )
    closed_now = task.is_completed and not done
    if closed_now:
        change.event("task_completed", "task", task.id, by)
    if task.result and task.result != result:
        change.event("task_result_added", "task", task.id, by, [{"note": {"id": account.new_id()}}])
    change.hooks.append(task_hook("update", task, account, closed_now=closed_now))
    if task.responsible_user_id != old_owner:
        change.hooks.append(task_hook("responsible", task, account))


def update_tasks(
    rec: Recorder,
    account: Account,
    user: User,
    items: list[dict[str, Any]],
    visible: VisibleEntity,
    visible_task: VisibleTask = None,
) -> list[Task]:

    def find(item: dict[str, Any]) -> Task | None:
        ensure_owner(account, "tasks", item.get("id"))
        ensure(account, item.get("entity_id"))
        task = account.tasks.get(int_or_none(item.get("id")) or 0)
        return None if task is None or (visible_task and not visible_task(task)) else task

    plans = check_existing(
        items, find, lambda item, task: (_check(account, item, task, visible), 0)
    )
    change = rec.begin(account)
    for item, task, _ in plans:
        _apply(change, user, item, task)
    rec.commit(change)
    return [task for _, task, _ in plans]


def delete_task(rec: Recorder, account: Account, user: User, task_id: int) -> Task:
    """No v4 route deletes a task; the control API does (task_deleted, delete_task hook)."""
    ensure_owner(account, "tasks", task_id)
    task = account.tasks.pop(task_id, None)
    if task is None:
        raise KeyError(f"no task {task_id}")
    change = rec.begin(account)
    if task.entity_id is not None and task in account.tasks_by_entity.get(task.entity_id, []):
        account.tasks_by_entity[task.entity_id].remove(task)
    refresh_closest(account, task.entity_type, task.entity_id)
    change.event("task_deleted", "task", task.id, user.id)
    change.hooks.append(task_hook("delete", task, account))
    rec.commit(change)
    return task
