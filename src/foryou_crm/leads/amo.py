"""amoCRM JSON → mirror rows.

Only what the mirror needs is read from a lead; the payload of a webhook is never used (see
``webhooks.py``): every row here comes from an API answer."""

from __future__ import annotations

from typing import Any

TAG_SEP = "\x1f"
# The mirror's id and time columns are 64-bit (BIGINT): a value beyond them cannot be stored.
INT64_MAX = 2**63 - 1


class MalformedLead(ValueError):
    """amoCRM answered a lead the mirror cannot hold (no usable id). That one lead is left out,
    loudly; the rest of its page is stored."""


def _int(value: Any) -> int | None:
    """An integer amoCRM sent, or None when it is missing, not a number or out of range."""
    if isinstance(value, bool):
        return None
    try:
        number = int(value) if value is not None else None
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number is not None and -INT64_MAX <= number <= INT64_MAX else None


# The moments a ``datetime`` can hold (years 1–9999), in Unix seconds: a time amoCRM sends
# outside them is kept as missing, not stored to fail every later read of the lead.
FIRST_SECOND, LAST_SECOND = -62_135_596_800, 253_402_300_799


def _seconds(value: Any) -> int | None:
    number = _int(value)
    return number if number is not None and FIRST_SECOND <= number <= LAST_SECOND else None


def lead_id(lead: Any) -> int:
    """The lead's amoCRM id (positive, 64-bit), or MalformedLead."""
    found = _int(lead.get("id")) if isinstance(lead, dict) else None
    if found is None or found <= 0:
        raise MalformedLead(f"no usable lead id in {str(lead)[:120]!r}")
    return found


def tags_of(lead: dict[str, Any]) -> list[str]:
    tags = ((lead.get("_embedded") or {}).get("tags")) or []
    return [str(t.get("name") or "") for t in tags if isinstance(t, dict) and t.get("name")]


def contact_ids_of(lead: dict[str, Any]) -> list[int]:
    """The lead's contact ids, the main contact first."""
    contacts = ((lead.get("_embedded") or {}).get("contacts")) or []
    found = [(not c.get("is_main"), _int(c.get("id"))) for c in contacts if isinstance(c, dict)]
    return [i for _, i in sorted(found, key=lambda x: x[0]) if i is not None]


def company_id_of(entity: dict[str, Any]) -> int | None:
    companies = ((entity.get("_embedded") or {}).get("companies")) or []
    ids = [_int(c.get("id")) for c in companies if isinstance(c, dict)]
    return next((i for i in ids if i is not None), None)


def tags_key(tags: list[str]) -> str:
    return TAG_SEP + TAG_SEP.join(t.lower() for t in tags) + TAG_SEP if tags else ""


def search_text(name: str, contacts: list[dict[str, Any]], tags: list[str]) -> str:
    parts = [name, *(str(c.get("name") or "") for c in contacts), *tags]
    return "\n".join(p for p in parts if p).lower()


def brief(contact_id: int, known: dict[int, ContactBrief], *, main: bool) -> dict[str, Any]:
    """A contact as the lead list shows it (its name null while it is not known yet)."""
    name, phone = known.get(contact_id, (None, None))
    return {"id": contact_id, "name": name, "phone": phone, "main": main}


# (name, first phone) of a known contact
ContactBrief = tuple[str, str | None]


def lead_row(
    lead: dict[str, Any], *, connection_id: int, gen: int, known: dict[int, ContactBrief]
) -> dict[str, Any]:
    """A row for ``amo_leads``; ``known`` holds the contacts already mirrored."""
    amo_id = lead_id(lead)
    name = str(lead.get("name") or "")
    tags = tags_of(lead)
    contacts = [brief(cid, known, main=i == 0) for i, cid in enumerate(contact_ids_of(lead))]
    return {
        "connection_id": connection_id,
        "amo_id": amo_id,
        "name": name,
        "price": _int(lead.get("price")) or 0,
        "status_id": _int(lead.get("status_id")) or 0,
        "pipeline_id": _int(lead.get("pipeline_id")) or 0,
        "responsible_user_id": _int(lead.get("responsible_user_id")),
        "created_at": _seconds(lead.get("created_at")) or 0,
        "updated_at": _seconds(lead.get("updated_at")) or 0,
        "closed_at": _seconds(lead.get("closed_at")),
        "tags": tags,
        "contacts": contacts,
        "custom_fields": custom_values(lead.get("custom_fields_values")),
        "company_id": company_id_of(lead),
        "tags_key": tags_key(tags),
        "search_text": search_text(name, contacts, tags),
        "contacts_pending": any(c["name"] is None for c in contacts),
        "sync_gen": gen,
    }


def contact_name(contact: dict[str, Any]) -> str:
    name = str(contact.get("name") or "").strip()
    if name:
        return name
    first, last = contact.get("first_name") or "", contact.get("last_name") or ""
    return f"{first} {last}".strip()


def _text(value: Any, limit: int = 10_000) -> str:
    return str(value if value is not None else "")[:limit]


def custom_values(raw: Any) -> list[dict[str, Any]] | None:
    """amoCRM's ``custom_fields_values`` reduced to what the mirror shows: ``[{field_id,
    field_name, field_code, field_type, values: [{value, enum_id?, enum_code?}]}]``; entries
    without a usable field id are dropped."""
    if not isinstance(raw, list):
        return None
    fields = []
    for entry in raw:
        field_id = _int(entry.get("field_id")) if isinstance(entry, dict) else None
        if field_id is None:
            continue
        values = []
        for v in entry.get("values") or []:
            if not isinstance(v, dict):
                continue
            value: dict[str, Any] = {"value": v.get("value")}
            if (enum_id := _int(v.get("enum_id"))) is not None:
                value["enum_id"] = enum_id
            if v.get("enum_code") is not None:
                value["enum_code"] = _text(v.get("enum_code"), 64)
            values.append(value)
        fields.append(
            {
                "field_id": field_id,
                "field_name": _text(entry.get("field_name"), 255),
                "field_code": entry.get("field_code"),
                "field_type": _text(entry.get("field_type"), 40),
                "values": values,
            }
        )
    return fields


# Field types whose values are enums: the list can be filtered by them.
ENUM_TYPES = frozenset({"select", "multiselect", "radiobutton", "category"})


def enum_rows(connection_id: int, lead: dict[str, Any]) -> list[dict[str, Any]]:
    """``amo_lead_enums`` rows of a lead row (its chosen select/multiselect/radio values)."""
    rows = {
        (f["field_id"], v["enum_id"])
        for f in lead.get("custom_fields") or []
        if f.get("field_type") in ENUM_TYPES
        for v in f["values"]
        if v.get("enum_id") is not None
    }
    return [
        {"connection_id": connection_id, "lead_id": lead["amo_id"], "field_id": f, "enum_id": e}
        for f, e in sorted(rows)
    ]


def _typed_values(entity: dict[str, Any], code: str) -> list[dict[str, Any]]:
    for entry in entity.get("custom_fields_values") or []:
        if isinstance(entry, dict) and entry.get("field_code") == code:
            return [
                {"value": _text(v.get("value"), 255), "type": v.get("enum_code")}
                for v in entry.get("values") or []
                if isinstance(v, dict) and v.get("value")
            ]
    return []


def contact_row(contact: dict[str, Any], *, connection_id: int) -> dict[str, Any]:
    """A row for ``amo_contacts``: phones and e-mails are amoCRM's PHONE and EMAIL multitext
    fields, the position its POSITION field."""
    positions = _typed_values(contact, "POSITION")
    return {
        "connection_id": connection_id,
        "amo_id": _int(contact.get("id")),
        "name": contact_name(contact),
        "phones": _typed_values(contact, "PHONE"),
        "emails": _typed_values(contact, "EMAIL"),
        "position": positions[0]["value"] if positions else None,
        "company_id": company_id_of(contact),
        "updated_at": _int(contact.get("updated_at")) or 0,
    }


def company_row(company: dict[str, Any], *, connection_id: int) -> dict[str, Any]:
    return {
        "connection_id": connection_id,
        "amo_id": _int(company.get("id")),
        "name": _text(company.get("name"), 2000),
        "updated_at": _int(company.get("updated_at")) or 0,
    }


def note_text(note: dict[str, Any]) -> str:
    """What a note says: its text, or for a call the number and the result."""
    found = note.get("params")
    params: dict[str, Any] = found if isinstance(found, dict) else {}
    if params.get("text"):
        return _text(params["text"])
    parts = [params.get("phone"), params.get("call_result")]
    return " · ".join(_text(p, 500) for p in parts if p)


def note_row(note: dict[str, Any], *, connection_id: int) -> dict[str, Any] | None:
    """A row for ``amo_notes``; None for a note without usable ids."""
    amo_id, lead = _int(note.get("id")), _int(note.get("entity_id"))
    if amo_id is None or lead is None:
        return None
    params = note.get("params")
    return {
        "connection_id": connection_id,
        "amo_id": amo_id,
        "lead_id": lead,
        "note_type": _text(note.get("note_type"), 40),
        "text": note_text(note),
        "params": params if isinstance(params, dict) else {},
        "created_by": _int(note.get("created_by")),
        "created_at": _int(note.get("created_at")) or 0,
        "updated_at": _int(note.get("updated_at")) or 0,
    }


def task_row(task: dict[str, Any], *, connection_id: int) -> dict[str, Any] | None:
    """A row for ``amo_tasks``; None for a task without usable ids or not on a lead."""
    amo_id, lead = _int(task.get("id")), _int(task.get("entity_id"))
    if amo_id is None or lead is None or task.get("entity_type") != "leads":
        return None
    return {
        "connection_id": connection_id,
        "amo_id": amo_id,
        "lead_id": lead,
        "text": _text(task.get("text")),
        "task_type_id": _int(task.get("task_type_id")),
        "complete_till": _int(task.get("complete_till")) or 0,
        "responsible_user_id": _int(task.get("responsible_user_id")),
        "updated_at": _int(task.get("updated_at")) or 0,
    }


def custom_field_row(field: dict[str, Any], *, connection_id: int) -> dict[str, Any] | None:
    amo_id = _int(field.get("id"))
    if amo_id is None:
        return None
    enums = [
        {"id": i, "value": _text(e.get("value"), 255), "sort": _int(e.get("sort")) or 0}
        for e in field.get("enums") or []
        if isinstance(e, dict) and (i := _int(e.get("id"))) is not None
    ]
    return {
        "connection_id": connection_id,
        "amo_id": amo_id,
        "name": _text(field.get("name"), 2000),
        "code": field.get("code"),
        "type": _text(field.get("type"), 40),
        "sort": _int(field.get("sort")) or 0,
        "enums": enums,
    }
