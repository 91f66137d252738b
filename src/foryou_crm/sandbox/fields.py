"""Custom fields: definitions, the values entities carry, and amoCRM's input rules for them.

Shapes follow custom-fields.md (amoCRM) and the official PHP library's value models:
select/multiselect values are `{value, enum_id, enum_code}` (the enum's own code, usually
null), multitext (PHONE/EMAIL) values carry the enum's name as `enum_code` ("WORK", "MOB"…),
every other type is just `{value}`. Numeric values come back as strings, as amoCRM's do.

Seeded entities keep their values in a compact tuple (`seeded`, one slot per field of the
entity type, in definition order) so 100 000 leads cost one small tuple each; the first
edit writes the values out to `values`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from .models import Account, Contact, CustomField, FieldEnum, Lead, Values
from .params import QueryError, Range, as_list, to_int, to_range
from .profiles import FieldDef
from .seed_people import contact_values
from .seed_values import lead_values

ENUM_TYPES = frozenset({"select", "multiselect", "radiobutton"})
SINGLE_ENUM_TYPES = frozenset({"select", "radiobutton"})
DATE_TYPES = frozenset({"date", "date_time", "birthday"})
TEXT_TYPES = frozenset({"text", "textarea", "url", "streetaddress"})
# The numeric type codes amoCRM uses in events (`custom_field_value.field_type`); 8 is the
# multitext e-mail of the documented example.
TYPE_CODES = {
    "text": 1, "numeric": 2, "checkbox": 3, "select": 4, "multiselect": 5, "date": 6, "url": 7,
    "multitext": 8, "textarea": 9, "radiobutton": 10, "streetaddress": 11, "birthday": 14,
    "date_time": 19,
}  # fmt: skip
MAX_VALUES_PER_ENTITY = 40  # leads/complex: "не более 40 значений дополнительных полей"


class HasValues(Protocol):
    @property
    def seeded(self) -> Any: ...

    values: Values | None


def build_fields(
    defs: Iterable[FieldDef], entity_type: str, first_id: int, first_enum_id: int
) -> tuple[list[CustomField], int]:
    """Definitions with amoCRM-like ids; returns them and the next free enum id."""
    fields: list[CustomField] = []
    enum_id = first_enum_id
    for i, d in enumerate(defs):
        enums: list[FieldEnum] | None = None
        if d.enums:
            enums = []
            for j, value in enumerate(d.enums):
                enums.append(FieldEnum(enum_id, value, (j + 1) * 2 if d.predefined else 500 + j))
                enum_id += 2
        fields.append(
            CustomField(
                id=first_id + i * 2,
                name=d.name,
                type=d.type,
                entity_type=entity_type,
                sort=(i + 1) * 2 if d.predefined else 500 + i,
                code=d.code,
                enums=enums,
                is_predefined=d.predefined,
                is_deletable=not d.predefined,
            )
        )
    return fields, enum_id


# --- reading values ----------------------------------------------------------------------


def _seeded_value(f: CustomField, raw: Any) -> list[tuple[Any, int | None]]:
    enums = f.enums or []
    if f.type in SINGLE_ENUM_TYPES:
        e = enums[raw]
        return [(e.value, e.id)]
    if f.type == "multiselect":
        return [(enums[i].value, enums[i].id) for i in raw]
    if f.type == "multitext":
        return [(value, enums[i].id) for value, i in raw]
    if f.type == "numeric":
        return [(str(raw), None)]
    return [(raw, None)]


def seeded_values(fields: list[CustomField], seeded: tuple[Any, ...]) -> Values:
    return {
        f.id: _seeded_value(f, raw)
        for f, raw in zip(fields, seeded, strict=False)
        if raw is not None
    }


def values_of(account: Account, entity_type: str, entity: HasValues) -> Values:
    """The entity's values (a fresh dict for seeded ones: do not mutate it)."""
    if entity.values is not None:
        return entity.values
    if isinstance(entity, Contact):
        seeded = contact_values(account, entity)
    elif isinstance(entity, Lead):
        seeded = lead_values(account, entity)
    else:
        seeded = entity.seeded
    if seeded is None:
        return {}
    return seeded_values(account.fields[entity_type], seeded)


def writable_values(account: Account, entity_type: str, entity: HasValues) -> Values:
    if entity.values is None:
        entity.values = dict(values_of(account, entity_type, entity))
    return entity.values


def first_value(account: Account, entity_type: str, entity: HasValues, code: str) -> Any:
    """The first value of the field with this code (PHONE, EMAIL…), or None."""
    f = account.field_by_code(entity_type, code)
    values = values_of(account, entity_type, entity).get(f.id) if f else None
    return values[0][0] if values else None


def value_json(f: CustomField, value: Any, enum_id: int | None) -> dict[str, Any]:
    if f.type in ENUM_TYPES:
        e = f.enum(enum_id) if enum_id is not None else None
        return {"value": value, "enum_id": enum_id, "enum_code": e.code if e else None}
    if f.type == "multitext":
        e = f.enum(enum_id) if enum_id is not None else None
        return {"value": value, "enum_id": enum_id, "enum_code": e.value if e else None}
    return {"value": value}


def values_json(
    account: Account, entity_type: str, entity: HasValues
) -> list[dict[str, Any]] | None:
    """`custom_fields_values` of an entity: null when nothing is filled, as amoCRM sends."""
    values = values_of(account, entity_type, entity)
    if not values:
        return None
    out: list[dict[str, Any]] = []
    for f in account.fields.get(entity_type, []):
        items = values.get(f.id)
        if items:
            out.append(
                {
                    "field_id": f.id,
                    "field_name": f.name,
                    "field_code": f.code,
                    "field_type": f.type,
                    "values": [value_json(f, v, e) for v, e in items],
                }
            )
    return out or None


def field_json(f: CustomField, account: Account, base: str) -> dict[str, Any]:
    """A definition, with the keys custom-fields.md returns for leads/contacts/companies."""
    body: dict[str, Any] = {
        "id": f.id,
        "name": f.name,
        "type": f.type,
        "account_id": account.id,
        "code": f.code,
        "sort": f.sort,
        "is_api_only": False,
        "enums": (
            [{"id": e.id, "value": e.value, "sort": e.sort, "code": e.code} for e in f.enums]
            if f.enums is not None
            else None
        ),
        "group_id": None,
        "required_statuses": [],
        "is_deletable": f.is_deletable,
        "is_predefined": f.is_predefined,
        "entity_type": f.entity_type,
        "remind": None,
        "currency": None,
    }
    if f.entity_type == "leads":
        body["is_computed"] = False
        body["hidden_statuses"] = []
        body["chained_lists"] = None
    body["_links"] = {"self": {"href": f"{base}/api/v4/{f.entity_type}/custom_fields/{f.id}"}}
    return body


# --- writing values ----------------------------------------------------------------------


def _error(code: str, path: str, detail: str) -> dict[str, str]:
    return {"code": code, "path": path, "detail": detail}


def _bad_type(path: str, what: str) -> dict[str, str]:
    return _error("InvalidType", path, f"This value should be of type {what}.")


def _not_a_choice(path: str) -> dict[str, str]:
    return _error("NotSupportedChoice", path, "The value you selected is not a valid choice.")


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _timestamp(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(dt.datetime.fromisoformat(value).timestamp())
        except ValueError:
            return None
    return None


def _one_value(
    f: CustomField, item: Any, path: str
) -> tuple[tuple[Any, int | None] | None, dict[str, str] | None]:
    """One input value → (stored value, enum id) or an error."""
    if not isinstance(item, dict):
        return None, _bad_type(path, "object")
    value = item.get("value")
    if f.type in ENUM_TYPES or f.type == "multitext":
        enum: FieldEnum | None = None
        if item.get("enum_id") is not None:
            enum = f.enum(item["enum_id"]) if isinstance(item["enum_id"], int) else None
            if enum is None:
                return None, _not_a_choice(f"{path}.enum_id")
        elif item.get("enum_code") is not None:
            code = item["enum_code"]
            enum = f.enum_named(code) if isinstance(code, str) else None
            if enum is None:
                return None, _not_a_choice(f"{path}.enum_code")
        if f.type == "multitext":
            if not isinstance(value, str) or not value.strip():
                return None, _bad_type(f"{path}.value", "string")
            # amoCRM files a phone/e-mail without a type under its first enum (WORK).
            return (value.strip(), (enum or (f.enums or [])[0]).id), None
        if enum is None and isinstance(value, str):
            enum = f.enum_named(value)
        if enum is None:
            return None, _not_a_choice(f"{path}.value")
        return (enum.value, enum.id), None
    if f.type == "checkbox":
        if not isinstance(value, bool):
            return None, _bad_type(f"{path}.value", "bool")
        return (value, None), None
    if f.type == "numeric":
        if not _is_number(value):
            return None, _bad_type(f"{path}.value", "numeric")
        return (str(value), None), None
    if f.type in DATE_TYPES:
        stamp = _timestamp(value)
        if stamp is None:
            return None, _bad_type(f"{path}.value", "int")
        return (stamp, None), None
    if not isinstance(value, str):
        return None, _bad_type(f"{path}.value", "string")
    return (value, None), None


def _field_of(
    account: Account, entity_type: str, item: dict[str, Any], path: str
) -> tuple[CustomField | None, dict[str, str] | None]:
    if item.get("field_id") is not None:
        fid = item["field_id"]
        f = account.field(entity_type, fid) if isinstance(fid, int) else None
        return (f, None) if f else (None, _not_a_choice(f"{path}.field_id"))
    code = item.get("field_code")
    f = account.field_by_code(entity_type, code) if isinstance(code, str) else None
    return (f, None) if f else (None, _not_a_choice(f"{path}.field_code"))


Changes = dict[int, list[tuple[Any, int | None]]]


def parse_values(
    account: Account, entity_type: str, raw: Any, path: str = "custom_fields_values"
) -> tuple[Changes, list[dict[str, str]]]:
    """`custom_fields_values` of a write → {field id: new values ([] clears)} or errors."""
    if not isinstance(raw, list):
        return {}, [_bad_type(path, "array")]
    if len(raw) > MAX_VALUES_PER_ENTITY:
        return {}, [_error("InvalidValue", path, "Too many custom fields values.")]
    changes: Changes = {}
    errors: list[dict[str, str]] = []
    for i, item in enumerate(raw):
        here = f"{path}.{i}"
        if not isinstance(item, dict):
            errors.append(_bad_type(here, "object"))
            continue
        f, problem = _field_of(account, entity_type, item, here)
        if f is None:
            errors.append(problem or _not_a_choice(here))
            continue
        given = item.get("values")
        if given is None:
            changes[f.id] = []
            continue
        if not isinstance(given, list):
            errors.append(_bad_type(f"{here}.values", "array"))
            continue
        if f.type in SINGLE_ENUM_TYPES | {"checkbox", "numeric", "url"} | DATE_TYPES and (
            len(given) > 1
        ):
            errors.append(_error("InvalidValue", f"{here}.values", "Only one value is allowed."))
            continue
        parsed: list[tuple[Any, int | None]] = []
        for j, one in enumerate(given):
            value, problem = _one_value(f, one, f"{here}.values.{j}")
            if problem:
                errors.append(problem)
            elif value is not None:
                parsed.append(value)
        changes[f.id] = parsed
    return changes, errors


def apply_values(
    account: Account, entity_type: str, entity: HasValues, changes: Changes
) -> list[tuple[CustomField, list[tuple[Any, int | None]], list[tuple[Any, int | None]]]]:
    """Write parsed changes; returns (field, before, after) for the fields that changed."""
    if not changes:
        return []
    values = writable_values(account, entity_type, entity)
    changed = []
    for fid, after in changes.items():
        before = values.get(fid, [])
        if before == after:
            continue
        if after:
            values[fid] = after
        else:
            values.pop(fid, None)
        f = account.field(entity_type, fid)
        assert f is not None
        changed.append((f, before, after))
    # Keep the definition order (amoCRM lists values in field order).
    order = {f.id: i for i, f in enumerate(account.fields.get(entity_type, []))}
    entity.values = dict(sorted(values.items(), key=lambda kv: order.get(kv[0], 0)))
    return changed


def change_event_values(
    f: CustomField, items: list[tuple[Any, int | None]]
) -> list[dict[str, Any]]:
    """value_after/value_before of a `custom_field_value_changed` event (events-and-notes.md)."""
    return [
        {
            "custom_field_value": {
                "field_id": f.id,
                "field_type": TYPE_CODES.get(f.type, 1),
                "enum_id": enum_id,
                "text": str(value),
            }
        }
        for value, enum_id in items
    ]


# --- filtering ---------------------------------------------------------------------------


def value_filters(
    account: Account, entity_type: str, raw: Any
) -> list[Callable[[HasValues], bool]]:
    """`filter[custom_fields_values][{field_id}]` (filters-api.md): enum ids for lists,
    values for text/numeric, `[from]`/`[to]` for numeric and dates, 1/0 for checkboxes."""
    if not isinstance(raw, dict):
        raise QueryError("filter.custom_fields_values", "This value should be of type array.")
    preds: list[Callable[[HasValues], bool]] = []
    for key, wanted in raw.items():
        path = f"filter.custom_fields_values.{key}"
        f = account.field(entity_type, to_int(key, path))
        if f is None:
            raise QueryError(path, "The value you selected is not a valid choice.")
        preds.append(_value_predicate(account, entity_type, f, wanted, path))
    return preds


def _value_predicate(
    account: Account, entity_type: str, f: CustomField, wanted: Any, path: str
) -> Callable[[HasValues], bool]:
    def values(entity: HasValues) -> list[tuple[Any, int | None]]:
        return values_of(account, entity_type, entity).get(f.id, [])

    if isinstance(wanted, dict) and ("from" in wanted or "to" in wanted):
        if f.type != "numeric" and f.type not in DATE_TYPES:
            raise QueryError(path, "This field does not support ranges.")
        bounds: Range = to_range(wanted, path)
        return lambda e: any(bounds.holds(int(float(v))) for v, _ in values(e))
    if f.type in ENUM_TYPES:
        enum_ids = {to_int(v, path) for v in as_list(wanted)}
        return lambda e: any(enum_id in enum_ids for _, enum_id in values(e))
    if f.type == "checkbox":
        flags = {str(v) in ("1", "true") for v in as_list(wanted)}
        return lambda e: (
            any(bool(v) in flags for v, _ in values(e)) or (False in flags and not values(e))
        )
    texts = {str(v) for v in as_list(wanted)}
    return lambda e: any(str(v) in texts for v, _ in values(e))
