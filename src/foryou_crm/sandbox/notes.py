"""Notes (events-and-notes.md): their params, adding and editing them, and their JSON.

Seeded notes keep only their varying params in a tuple (`Note.seeded`, keyed by
SEED_KEYS); a call's `uniq` and recording link are derived from its id.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from .changes import Recorder
from .hooks import note_hook
from .links import entity_exists
from .models import Account, Note, User
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

SEED_KEYS = {
    "common": ("text",),
    "call_in": ("duration", "source", "phone", "call_result", "call_status"),
    "call_out": ("duration", "source", "phone", "call_result", "call_status"),
    "service_message": ("service", "text"),
}
# The note types API v4 writes, and the params each requires ("для которых обязателен
# массив params"): key → the type it must have.
REQUIRED: dict[str, dict[str, type | tuple[type, ...]]] = {
    "common": {"text": str},
    "call_in": {"uniq": str, "duration": int, "source": str, "phone": str},
    "call_out": {"uniq": str, "duration": int, "source": str, "phone": str},
    "service_message": {"service": str, "text": str},
    "extended_service_message": {"service": str, "text": str},
    "message_cashier": {"status": str, "text": str},
    "geolocation": {"text": str, "address": str, "longitude": str, "latitude": str},
    "sms_in": {"text": str, "phone": str},
    "sms_out": {"text": str, "phone": str},
    "attachment": {"file_uuid": str, "file_name": str},
}
# The event each added note records (events-and-notes.md, "Типы событий").
EVENT_TYPES = {
    "common": "common_note_added", "call_in": "incoming_call", "call_out": "outgoing_call",
    "service_message": "service_note_added", "extended_service_message": "service_note_added",
    "message_cashier": "message_to_cashier_note_added", "geolocation": "geo_note_added",
    "sms_in": "incoming_sms", "sms_out": "outgoing_sms", "attachment": "attachment_note_added",
}  # fmt: skip
SINGULAR = {"leads": "lead", "contacts": "contact", "companies": "company"}
VisibleEntity = Callable[[str, int], bool]


def call_uniq(account: Account, note_id: int) -> str:
    return str(uuid.UUID(int=(note_id * 0x9E3779B97F4A7C15 + account.id) % 2**128, version=4))


def note_params(account: Account, note: Note) -> dict[str, Any]:
    if note.params is not None:
        return note.params
    seeded = dict(zip(SEED_KEYS.get(note.note_type, ()), note.seeded or (), strict=False))
    if note.note_type not in ("call_in", "call_out"):
        return seeded
    uniq = call_uniq(account, note.id)
    return {
        "uniq": uniq,
        "duration": seeded["duration"],
        "source": seeded["source"],
        "link": f"https://records.{account.base_domain}.example/{account.subdomain}/{uniq}.mp3",
        "phone": seeded["phone"],
        "call_result": seeded["call_result"],
        "call_status": seeded["call_status"],
    }


def note_json(account: Account, note: Note, base: str) -> dict[str, Any]:
    return {
        "id": note.id,
        "entity_id": note.entity_id,
        "created_by": note.created_by,
        "updated_by": note.updated_by,
        "created_at": note.created_at,
        "updated_at": note.updated_at,
        "responsible_user_id": note.responsible_user_id,
        "group_id": 0,
        "note_type": note.note_type,
        "params": note_params(account, note),
        "account_id": account.id,
        "_links": {
            "self": {"href": f"{base}/api/v4/{note.entity_type}/{note.entity_id}/notes/{note.id}"}
        },
    }


def check_params(note_type: Any, params: Any) -> Errors:
    if note_type not in REQUIRED:
        return [not_a_choice("note_type")]
    if not isinstance(params, dict):
        return [bad_type("params", "object")]
    errors: Errors = []
    for key, kind in REQUIRED[note_type].items():
        value = params.get(key)
        if value is None:
            errors.append(error("NotBlank", f"params.{key}", "This value should not be blank."))
        elif not isinstance(value, kind) or isinstance(value, bool):
            errors.append(bad_type(f"params.{key}", "int" if kind is int else "string"))
    if note_type == "message_cashier" and params.get("status") not in (
        "created",
        "shown",
        "canceled",
    ):
        errors.append(not_a_choice("params.status"))
    return errors


def _check_new(
    account: Account,
    entity_type: str,
    item: dict[str, Any],
    entity_id: int | None,
    visible: VisibleEntity,
) -> Errors:
    target = entity_id if entity_id is not None else item.get("entity_id")
    errors: Errors = []
    reachable = is_int(target) and entity_exists(account, entity_type, target)
    if not reachable or not visible(entity_type, int(target or 0)):
        errors.append(not_found("entity_id"))
    for key in ("created_by", "responsible_user_id"):
        if key in item and item[key] not in account.users:
            errors.append(not_a_choice(key))
    return errors + check_params(item.get("note_type"), item.get("params"))


def add_notes(
    rec: Recorder,
    account: Account,
    user: User,
    entity_type: str,
    items: list[dict[str, Any]],
    visible: VisibleEntity,
    entity_id: int | None = None,
) -> list[Note]:
    """`POST /api/v4/{entity_type}/notes` (each item names `entity_id`) or
    `POST /api/v4/{entity_type}/{entity_id}/notes`."""
    check_batch(items)
    raise_if(
        [
            (request_id(item, i), errors)
            for i, item in enumerate(items)
            if (errors := _check_new(account, entity_type, item, entity_id, visible))
        ]
    )
    for item in items:
        ensure(account, entity_id if entity_id is not None else item["entity_id"])
    change = rec.begin(account)
    made: list[Note] = []
    for item in items:
        target = entity_id if entity_id is not None else int(item["entity_id"])
        author = item.get("created_by", user.id)
        note = Note(
            id=account.new_id(),
            entity_type=entity_type,
            entity_id=target,
            note_type=item["note_type"],
            created_by=author,
            updated_by=author,
            created_at=change.now,
            updated_at=change.now,
            responsible_user_id=item.get("responsible_user_id", author),
            params=dict(item["params"]),
        )
        account.notes[note.id] = note
        account.notes_by_entity.setdefault(target, []).append(note)
        singular = SINGULAR[entity_type]
        change.event(
            EVENT_TYPES[note.note_type], singular, target, author, [{"note": {"id": note.id}}]
        )
        change.hooks.append(note_hook(note, note.params or {}, account))
        made.append(note)
    rec.commit(change)
    return made


def update_notes(
    rec: Recorder,
    account: Account,
    user: User,
    entity_type: str,
    items: list[dict[str, Any]],
    visible: VisibleEntity,
    entity_id: int | None = None,
) -> list[Note]:
    """PATCH: `params` (and `note_type`) of existing notes of this entity type."""

    def find(item: dict[str, Any]) -> Note | None:
        ensure_owner(account, "notes", item.get("id"))
        note = account.notes.get(int_or_none(item.get("id")) or 0)
        if (
            note is None
            or note.entity_type != entity_type
            or (entity_id is not None and note.entity_id != entity_id)
            or not visible(entity_type, note.entity_id)
        ):
            return None
        return note

    def check(item: dict[str, Any], note: Note) -> tuple[Errors, None]:
        note_type = item.get("note_type", note.note_type)
        return check_params(note_type, item.get("params", note_params(account, note))), None

    found = [(item, note) for item, note, _ in check_existing(items, find, check)]
    change = rec.begin(account)
    for item, note in found:
        note.note_type = item.get("note_type", note.note_type)
        note.params = dict(item.get("params", note_params(account, note)))
        note.seeded = None
        change.stamp(note)
        note.updated_by = user.id
    rec.commit(change)
    return [note for _, note in found]
