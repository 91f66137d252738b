"""The events feed: `GET /api/v4/events` and `/events/{id}` (events-and-notes.md).

Every change the sandbox makes records its events here; this is how a client learns of
deletions (`filter[type][]=lead_deleted`). Ids are ULIDs like amoCRM's
("01pz58t6p04ymgsgfbmfyfy1mf"): 48 bits of milliseconds, then a per-account counter, so
they sort in creation order. The list is newest first (see docs/sandbox.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .models import Account, Event
from .params import QueryError, Range, after_range, as_list, csv_list, to_int

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
PLURAL = {"lead": "leads", "contact": "contacts", "company": "companies", "task": "tasks"}
MAX_LIMIT = 100  # "Максимум – 100" (amoCRM); Kommo documents 250
MAX_IDS = 10  # filter[entity_id] and filter[created_by]: "до 10-ти"
_CUSTOM_FIELD_TYPE = ("custom_field_", "_value_changed")


def ulid(ms: int, tail: int) -> str:
    n = ((ms & (2**48 - 1)) << 80) | (tail & (2**80 - 1))
    out = []
    for _ in range(26):
        out.append(_CROCKFORD[n & 31])
        n >>= 5
    return "".join(reversed(out))


def new_event(
    account: Account,
    type_: str,
    entity_type: str,
    entity_id: int,
    by: int,
    at: int,
    ms: int,
    after: list[dict[str, Any]] | None = None,
    before: list[dict[str, Any]] | None = None,
) -> Event:
    account.event_seq += 1
    tail = (account.id << 40) | account.event_seq
    return Event(ulid(ms, tail), type_, entity_type, entity_id, by, at, after or [], before or [])


@dataclass
class EventQuery:
    ids: set[str] | None = None
    types: set[str] | None = None
    field_id: int | None = None  # from custom_field_{ID}_value_changed
    entities: set[str] | None = None
    entity_ids: set[int] | None = None
    created: Range | None = None
    created_by: set[int] | None = None
    value_checks: list[Callable[[Event], bool]] = field(default_factory=list)


def _ids(raw: Any, path: str) -> set[int]:
    values = {to_int(v, path) for v in csv_list(raw)}
    if len(values) > MAX_IDS:
        raise QueryError(path, f"This collection should contain {MAX_IDS} elements or less.")
    return values


def _value_check(raw: Any, side: str) -> list[Callable[[Event], bool]]:
    """`filter[value_after|value_before][leads_statuses|responsible_user_id|…]`."""
    if not isinstance(raw, dict):
        return []
    path = f"filter.{side}"
    checks: list[Callable[[Event], bool]] = []

    def values(e: Event) -> list[dict[str, Any]]:
        return e.value_after if side == "value_after" else e.value_before

    if "leads_statuses" in raw:
        pairs = {
            (to_int(i.get("pipeline_id"), path), to_int(i.get("status_id"), path))
            for i in as_list(raw["leads_statuses"])
            if isinstance(i, dict)
        }
        checks.append(
            lambda e: any(
                (v["lead_status"]["pipeline_id"], v["lead_status"]["id"]) in pairs
                for v in values(e)
                if "lead_status" in v
            )
        )
    if "responsible_user_id" in raw:
        users = {to_int(u, path) for u in csv_list(raw["responsible_user_id"])}
        checks.append(
            lambda e: any(v.get("responsible_user", {}).get("id") in users for v in values(e))
        )
    if "custom_field_values" in raw:
        enums = {to_int(u, path) for u in csv_list(raw["custom_field_values"])}
        checks.append(
            lambda e: any(
                v.get("custom_field_value", {}).get("enum_id") in enums for v in values(e)
            )
        )
    if "value" in raw:
        wanted = str(raw["value"])
        checks.append(
            lambda e: any(v.get("custom_field_value", {}).get("text") == wanted for v in values(e))
        )
    return checks


def build_event_query(params: dict[str, Any]) -> EventQuery:
    q = EventQuery()
    raw = params.get("filter")
    if not isinstance(raw, dict):
        return q
    if "id" in raw:
        q.ids = set(csv_list(raw["id"]))
    if "type" in raw:
        q.types = set(csv_list(raw["type"]))
        per_field = [
            t
            for t in q.types
            if t.startswith(_CUSTOM_FIELD_TYPE[0]) and t != ("custom_field_value_changed")
        ]
        if per_field:
            # "Если вы передаете данный тип, то другие типы не могут быть переданы."
            if len(q.types) > 1:
                raise QueryError("filter.type", "custom_field_{ID}_value_changed goes alone.")
            middle = per_field[0].removeprefix(_CUSTOM_FIELD_TYPE[0])
            q.field_id = to_int(middle.removesuffix(_CUSTOM_FIELD_TYPE[1]), "filter.type")
            q.types = {"custom_field_value_changed"}
    if "entity" in raw:
        q.entities = set(csv_list(raw["entity"]))
    if "entity_id" in raw:
        if q.entities is None or len(q.entities) != 1:
            raise QueryError("filter.entity_id", "Pass exactly one entity in filter[entity].")
        q.entity_ids = _ids(raw["entity_id"], "filter.entity_id")
    if "created_at" in raw:
        q.created = after_range(raw["created_at"], "filter.created_at")
    if "created_by" in raw:
        q.created_by = _ids(raw["created_by"], "filter.created_by")
    q.value_checks = _value_check(raw.get("value_after"), "value_after")
    q.value_checks += _value_check(raw.get("value_before"), "value_before")
    return q


def _field_touched(e: Event, field_id: int) -> bool:
    return any(
        v.get("custom_field_value", {}).get("field_id") == field_id
        for v in (*e.value_after, *e.value_before)
    )


def matches(e: Event, q: EventQuery) -> bool:
    if q.ids is not None and e.id not in q.ids:
        return False
    if q.types is not None and e.type not in q.types:
        return False
    if q.field_id is not None and not _field_touched(e, q.field_id):
        return False
    if q.entities is not None and e.entity_type not in q.entities:
        return False
    if q.entity_ids is not None and e.entity_id not in q.entity_ids:
        return False
    if q.created is not None and not q.created.holds(e.created_at):
        return False
    if q.created_by is not None and e.created_by not in q.created_by:
        return False
    return all(check(e) for check in q.value_checks)


def newest_first(
    account: Account, q: EventQuery, visible: Callable[[Event], bool] | None
) -> Iterator[Event]:
    for e in reversed(account.events):
        if matches(e, q) and (visible is None or visible(e)):
            yield e


def entity_name(account: Account, e: Event) -> str | None:
    if e.entity_type == "lead":
        lead = account.lead(e.entity_id)
        return lead.name if lead else None
    if e.entity_type == "contact":
        contact = account.contacts.get(e.entity_id)
        return contact.name if contact else None
    if e.entity_type == "company":
        company = account.companies.get(e.entity_id)
        return company.name if company else None
    return None


def event_json(account: Account, e: Event, base: str, with_: set[str]) -> dict[str, Any]:
    plural = PLURAL.get(e.entity_type, f"{e.entity_type}s")
    entity: dict[str, Any] = {"id": e.entity_id}
    if f"{e.entity_type}_name" in with_:
        entity["name"] = entity_name(account, e)
    entity["_links"] = {"self": {"href": f"{base}/api/v4/{plural}/{e.entity_id}"}}
    return {
        "id": e.id,
        "type": e.type,
        "entity_id": e.entity_id,
        "entity_type": e.entity_type,
        "created_by": e.created_by,
        "created_at": e.created_at,
        "value_after": e.value_after,
        "value_before": e.value_before,
        "account_id": account.id,
        "_links": {"self": {"href": f"{base}/api/v4/events/{e.id}"}},
        "_embedded": {"entity": entity},
    }
