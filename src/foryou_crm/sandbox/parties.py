"""Writing contacts and companies (contacts-api.md, companies-api.md): add, edit, and
deletion through the control API — with validation, events and webhooks.

Both are visible to every user (amoCRM's default role rights, see README).
"""

from __future__ import annotations

from typing import Any

from .changes import Change, Recorder
from .fields import Changes, apply_values, change_event_values, parse_values, values_of
from .hooks import lead_hook, party_hook
from .links import set_contact_company, set_lead_company, set_lead_contacts
from .models import Account, Company, Contact, User
from .seed_activity import before_change, ensure
from .tagging import apply_tag_changes, check_tag_changes
from .validation import (
    Errors,
    bad_type,
    check_all,
    check_existing,
    int_or_none,
    is_int,
    not_a_choice,
)

SINGULAR = {"contacts": "contact", "companies": "company"}
Party = Contact | Company


def registry(account: Account, entity_type: str) -> dict[int, Contact] | dict[int, Company]:
    return account.contacts if entity_type == "contacts" else account.companies


def check_party(account: Account, entity_type: str, item: dict[str, Any]) -> tuple[Errors, Changes]:
    errors: Errors = []
    text_keys = ("name", "first_name", "last_name") if entity_type == "contacts" else ("name",)
    for key in text_keys:
        if key in item and not isinstance(item[key], str):
            errors.append(bad_type(key, "string"))
    if "responsible_user_id" in item:
        if not is_int(item["responsible_user_id"]):
            errors.append(bad_type("responsible_user_id", "int"))
        elif item["responsible_user_id"] not in account.users:
            errors.append(not_a_choice("responsible_user_id"))
    changes: Changes = {}
    if "custom_fields_values" in item:
        changes, problems = parse_values(account, entity_type, item["custom_fields_values"])
        errors += problems
    embedded = item.get("_embedded")
    if embedded is not None and not isinstance(embedded, dict):
        errors.append(bad_type("_embedded", "object"))
    else:
        errors += check_tag_changes(item, account.party_tags)
    return errors, changes


def _apply_names(entity: Party, item: dict[str, Any]) -> None:
    if isinstance(entity, Contact):
        if "first_name" in item or "last_name" in item:
            entity.first_name = item.get("first_name", entity.first_name)
            entity.last_name = item.get("last_name", entity.last_name)
            entity.given_name = None
        if "name" in item and not ("first_name" in item or "last_name" in item):
            entity.given_name = item["name"]
    elif "name" in item:
        entity.name = item["name"]


def new_party(
    change: Change, entity_type: str, user: User, item: dict[str, Any], changes: Changes
) -> Party:
    """Create one pre-checked contact or company (also used by leads/complex)."""
    account = change.account
    now, owner = change.now, item.get("responsible_user_id", user.id)
    entity: Party
    if entity_type == "contacts":
        entity = Contact(account.new_id(), "", "", owner, user.id, now, now, user.id)
        account.contacts[entity.id] = entity
    else:
        entity = Company(account.new_id(), "", owner, user.id, user.id, now, now)
        account.companies[entity.id] = entity
    _apply_names(entity, item)
    entity.tags = apply_tag_changes(account, [], item, account.party_tags)
    apply_values(account, entity_type, entity, changes)
    singular = SINGULAR[entity_type]
    change.event(
        f"{singular}_added", singular, entity.id, user.id, [{"note": {"id": account.new_id()}}]
    )
    change.hooks.append(party_hook("add", entity_type, entity, account, user.id))
    return entity


def create_parties(
    rec: Recorder, account: Account, entity_type: str, user: User, items: list[dict[str, Any]]
) -> list[Party]:
    changes = check_all(items, lambda item: check_party(account, entity_type, item))
    change = rec.begin(account)
    made = [
        new_party(change, entity_type, user, it, ch) for it, ch in zip(items, changes, strict=True)
    ]
    rec.commit(change)
    return made


def _apply_update(
    change: Change,
    entity_type: str,
    user: User,
    item: dict[str, Any],
    entity: Party,
    changes: Changes,
) -> None:
    account, by, singular = change.account, user.id, SINGULAR[entity_type]
    values_of(account, entity_type, entity)  # draws seeded values while the names are seeded
    old_owner = entity.responsible_user_id
    _apply_names(entity, item)
    if "responsible_user_id" in item:
        entity.responsible_user_id = item["responsible_user_id"]
    entity.tags = apply_tag_changes(account, entity.tags, item, account.party_tags)
    changed = apply_values(account, entity_type, entity, changes)
    change.stamp(entity)
    entity.updated_by = by
    change.hooks.append(party_hook("update", entity_type, entity, account, by))
    if entity.responsible_user_id != old_owner:
        change.event(
            "entity_responsible_changed",
            singular,
            entity.id,
            by,
            [{"responsible_user": {"id": entity.responsible_user_id}}],
            [{"responsible_user": {"id": old_owner}}],
        )
        change.hooks.append(party_hook("responsible", entity_type, entity, account, by))
    for f, before, after in changed:
        change.event(
            "custom_field_value_changed",
            singular,
            entity.id,
            by,
            change_event_values(f, after),
            change_event_values(f, before),
        )


def update_parties(
    rec: Recorder, account: Account, entity_type: str, user: User, items: list[dict[str, Any]]
) -> list[Party]:
    found = registry(account, entity_type)

    def find(item: dict[str, Any]) -> Party | None:
        entity = found.get(int_or_none(item.get("id")) or 0)
        return None if entity is None or entity.is_deleted else entity

    def check(item: dict[str, Any], _: Party) -> tuple[Errors, Changes]:
        return check_party(account, entity_type, item)

    plans: list[tuple[dict[str, Any], Party, Changes]] = check_existing(items, find, check)
    change = rec.begin(account)
    for item, entity, changes in plans:
        ensure(account, entity.id)
        _apply_update(change, entity_type, user, item, entity, changes)
    rec.commit(change)
    return [entity for _, entity, _ in plans]


def delete_party(
    rec: Recorder, account: Account, entity_type: str, user: User, entity_id: int
) -> Party:
    """Delete a contact or company: it leaves every lead (and employee) it was linked to."""
    entity = registry(account, entity_type).get(entity_id)
    if entity is None or entity.is_deleted:
        raise KeyError(f"no {SINGULAR[entity_type]} {entity_id}")
    ensure(account, entity_id)
    for lead_id in (
        account.leads_by_contact if entity_type == "contacts" else account.leads_by_company
    ).get(entity_id, []):
        before_change(account, lead_id)
    change = rec.begin(account)
    touched = []
    if isinstance(entity, Contact):
        set_contact_company(account, entity, None)
        for lead_id in list(account.leads_by_contact.get(entity.id, [])):
            lead = account.leads_by_id[lead_id]
            set_lead_contacts(account, lead, [c for c in lead.contact_ids if c != entity.id])
            touched.append(lead)
    else:
        for contact_id in list(account.contacts_by_company.get(entity.id, [])):
            set_contact_company(account, account.contacts[contact_id], None)
        for lead_id in list(account.leads_by_company.get(entity.id, [])):
            lead = account.leads_by_id[lead_id]
            set_lead_company(account, lead, None)
            touched.append(lead)
    entity.is_deleted = True
    change.stamp(entity)
    entity.updated_by = user.id
    singular = SINGULAR[entity_type]
    change.event(f"{singular}_deleted", singular, entity.id, user.id)
    change.hooks.append(party_hook("delete", entity_type, entity, account, user.id))
    for lead in touched:
        change.stamp(lead)
        lead.updated_by = user.id
        if not lead.is_deleted:
            change.hooks.append(lead_hook("update", lead, account, user.id))
    rec.commit(change)
    return entity
