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
    contacts = ((lead.get("_embedded") or {}).get("contacts")) or []
    ids = [_int(c.get("id")) for c in contacts if isinstance(c, dict)]
    return [i for i in ids if i is not None]


def tags_key(tags: list[str]) -> str:
    return TAG_SEP + TAG_SEP.join(t.lower() for t in tags) + TAG_SEP if tags else ""


def search_text(name: str, contacts: list[dict[str, Any]], tags: list[str]) -> str:
    parts = [name, *(str(c.get("name") or "") for c in contacts), *tags]
    return "\n".join(p for p in parts if p).lower()


def lead_row(
    lead: dict[str, Any], *, connection_id: int, gen: int, names: dict[int, str]
) -> dict[str, Any]:
    """A row for ``amo_leads``; ``names`` holds the contact names already known."""
    amo_id = lead_id(lead)
    name = str(lead.get("name") or "")
    tags = tags_of(lead)
    contacts = [{"id": cid, "name": names.get(cid)} for cid in contact_ids_of(lead)]
    return {
        "connection_id": connection_id,
        "amo_id": amo_id,
        "name": name,
        "price": _int(lead.get("price")) or 0,
        "status_id": _int(lead.get("status_id")) or 0,
        "pipeline_id": _int(lead.get("pipeline_id")) or 0,
        "responsible_user_id": _int(lead.get("responsible_user_id")),
        "created_at": _int(lead.get("created_at")) or 0,
        "updated_at": _int(lead.get("updated_at")) or 0,
        "closed_at": _int(lead.get("closed_at")),
        "tags": tags,
        "contacts": contacts,
        "custom_fields": lead.get("custom_fields_values"),
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
