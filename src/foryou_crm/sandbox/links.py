"""Links between leads, contacts and companies (entity-links-api.md).

Every link lives on one side (`Lead.contact_ids`, `Lead.company_id`, `Contact.company_id`);
the reverse indexes on the account are kept in step here, so nothing else writes them.
"""

from __future__ import annotations

from typing import Any

from .changes import Change
from .hooks import lead_hook, party_hook
from .models import Account, Contact, Lead
from .seed_activity import before_change
from .validation import Errors, bad_type, error, is_int, not_a_choice, not_found

SINGULAR = {"leads": "lead", "contacts": "contact", "companies": "company"}
# What each entity can be linked to in the sandbox (catalog elements and customers are
# documented but not emulated).
ALLOWED = {
    "leads": ("contacts", "companies"),
    "contacts": ("companies",),
    "companies": ("contacts", "leads"),
}


def _drop(index: dict[int, list[int]], key: int | None, value: int) -> None:
    if key is not None and value in index.get(key, []):
        index[key].remove(value)


def _add(index: dict[int, list[int]], key: int | None, value: int) -> None:
    if key is not None and value not in index.setdefault(key, []):
        index[key].append(value)


def set_lead_contacts(account: Account, lead: Lead, contact_ids: list[int]) -> None:
    for cid in lead.contact_ids:
        _drop(account.leads_by_contact, cid, lead.id)
    lead.contact_ids = list(dict.fromkeys(contact_ids))
    for cid in lead.contact_ids:
        _add(account.leads_by_contact, cid, lead.id)


def set_lead_company(account: Account, lead: Lead, company_id: int | None) -> None:
    _drop(account.leads_by_company, lead.company_id, lead.id)
    lead.company_id = company_id
    _add(account.leads_by_company, company_id, lead.id)


def set_contact_company(account: Account, contact: Contact, company_id: int | None) -> None:
    _drop(account.contacts_by_company, contact.company_id, contact.id)
    contact.company_id = company_id
    _add(account.contacts_by_company, company_id, contact.id)


def links_of(account: Account, entity_type: str, entity_id: int) -> list[dict[str, Any]]:
    """`{to_entity_id, to_entity_type, metadata}` of one entity, contacts first."""
    out: list[dict[str, Any]] = []
    if entity_type == "leads":
        lead = account.lead(entity_id)
        if lead is None:
            return out
        for i, cid in enumerate(lead.contact_ids):
            out.append(_link(cid, "contacts", {"main_contact": i == 0}))
        if lead.company_id is not None:
            out.append(_link(lead.company_id, "companies", None))
    elif entity_type == "contacts":
        contact = account.contacts.get(entity_id)
        if contact is not None and contact.company_id is not None:
            out.append(_link(contact.company_id, "companies", None))
    else:
        for cid in account.contacts_by_company.get(entity_id, []):
            out.append(_link(cid, "contacts", None))
        for lid in account.leads_by_company.get(entity_id, []):
            lead = account.lead(lid)
            if lead is not None and not lead.is_deleted:
                out.append(_link(lid, "leads", None))
    return out


def _link(to_id: int, to_type: str, metadata: dict[str, Any] | None) -> dict[str, Any]:
    return {"to_entity_id": to_id, "to_entity_type": to_type, "metadata": metadata}


def entity_exists(account: Account, entity_type: str, entity_id: int) -> bool:
    if entity_type == "leads":
        lead = account.lead(entity_id)
        return lead is not None and not lead.is_deleted
    if entity_type == "contacts":
        return entity_id in account.contacts and not account.contacts[entity_id].is_deleted
    return entity_id in account.companies and not account.companies[entity_id].is_deleted


def check_link(account: Account, entity_type: str, item: Any) -> Errors:
    """One link of a body (paths are relative to the item, whose index is the request_id)."""
    if not isinstance(item, dict):
        return [bad_type("", "object")]
    to_type, to_id = item.get("to_entity_type"), item.get("to_entity_id")
    if to_type not in ALLOWED[entity_type]:
        return [not_a_choice("to_entity_type")]
    if not is_int(to_id) or not entity_exists(account, to_type, to_id):
        return [not_found("to_entity_id")]
    metadata = item.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return [bad_type("metadata", "object")]
    return []


def apply_link(
    change: Change, entity_type: str, entity_id: int, item: dict[str, Any], by: int, *, link: bool
) -> dict[str, Any] | None:
    """Link (or unlink) one pre-checked pair; returns the link as the API shows it, or
    None when nothing changed. Records entity_linked/unlinked and the update webhooks."""
    account = change.account
    to_type, to_id = item["to_entity_type"], item["to_entity_id"]
    pair = {entity_type: entity_id, to_type: to_id}
    for touched_id in pair.values():
        before_change(account, touched_id)
    lead = account.lead(pair["leads"]) if "leads" in pair else None
    contact = account.contacts.get(pair["contacts"]) if "contacts" in pair else None
    metadata: dict[str, Any] | None = None
    if lead is not None and contact is not None:
        ids = [c for c in lead.contact_ids if c != contact.id]
        is_main = bool((item.get("metadata") or {}).get("is_main")) or not ids
        if link:
            ids = [contact.id, *ids] if is_main else [*ids, contact.id]
        if ids == lead.contact_ids:
            return None
        set_lead_contacts(account, lead, ids)
        metadata = {"main_contact": link and ids[0] == contact.id}
    elif lead is not None:
        target = pair["companies"] if link else None
        if lead.company_id == target or (not link and lead.company_id != pair["companies"]):
            return None
        set_lead_company(account, lead, target)
    else:
        assert contact is not None
        target = pair["companies"] if link else None
        if contact.company_id == target or (not link and contact.company_id != pair["companies"]):
            return None
        set_contact_company(account, contact, target)
    kind = "entity_linked" if link else "entity_unlinked"
    value = [{"link" if link else "unlink": {"entity": {"type": SINGULAR[to_type], "id": to_id}}}]
    change.event(
        kind, SINGULAR[entity_type], entity_id, by, *((value, []) if link else ([], value))
    )
    for touched in (lead, contact):
        if touched is None:
            continue
        change.stamp(touched)
        touched.updated_by = by
        if isinstance(touched, Lead):
            change.hooks.append(lead_hook("update", touched, account, by))
        else:
            change.hooks.append(party_hook("update", "contacts", touched, account, by))
    out = {"entity_id": entity_id, "entity_type": entity_type, **_link(to_id, to_type, metadata)}
    return out


def check_links(
    account: Account, entity_type: str, items: Any, *, entity_id: int | None
) -> list[tuple[str, Errors]]:
    """Validate a link/unlink body; `entity_id` None = the mass form (each item names it)."""
    if not isinstance(items, list) or not items:
        return [("0", [bad_type("", "array")])]
    problems: list[tuple[str, Errors]] = []
    for i, item in enumerate(items):
        errors = check_link(account, entity_type, item)
        if entity_id is None:
            own = item.get("entity_id") if isinstance(item, dict) else None
            if not is_int(own) or not entity_exists(account, entity_type, own):
                errors.append(error("NotFound", "entity_id", "Entity not found."))
        if errors:
            problems.append((str(i), errors))
    return problems
