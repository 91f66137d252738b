"""Writing leads: add, edit, delete (control API), restore — with validation, events, webhooks.

Batches are all-or-nothing: every item is checked before anything changes. Events follow
events-and-notes.md (lead_added, lead_status_changed, entity_responsible_changed,
custom_field_value_changed, entity_tag_added/deleted, entity_linked/unlinked,
lead_deleted, lead_restored); name and price changes record no event (their value shapes
are not documented).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import Any

from .changes import Change, Recorder
from .fields import Changes, apply_values, change_event_values, parse_values
from .hooks import lead_hook
from .links import set_lead_company, set_lead_contacts
from .models import CLOSED_STATUS_IDS, Account, Lead, User
from .seed_activity import before_change
from .tagging import apply_tag_changes, check_tag_changes
from .validation import (
    Errors,
    bad_type,
    check_all,
    check_existing,
    error,
    int_or_none,
    is_int,
    not_a_choice,
    not_found,
)

Visible = Callable[[Lead], bool] | None


def _check_scalars(account: Account, item: dict[str, Any], lead: Lead | None) -> Errors:
    errors: Errors = []
    if "name" in item and not isinstance(item["name"], str):
        errors.append(bad_type("name", "string"))
    if "price" in item and (not is_int(item["price"]) or item["price"] < 0):
        errors.append(bad_type("price", "int"))
    for key in ("status_id", "pipeline_id", "responsible_user_id"):
        if key in item and not is_int(item[key]):
            errors.append(bad_type(key, "int"))
    if "loss_reason_id" in item and item["loss_reason_id"] is not None:
        if not is_int(item["loss_reason_id"]):
            errors.append(bad_type("loss_reason_id", "int"))
        elif account.loss_reason(item["loss_reason_id"]) is None:
            errors.append(not_a_choice("loss_reason_id"))
    if errors:
        return errors
    pipeline_id = item.get("pipeline_id", lead.pipeline_id if lead else account.main_pipeline.id)
    pipeline = account.pipeline(pipeline_id)
    if pipeline is None:
        errors.append(not_a_choice("pipeline_id"))
    elif "status_id" in item and pipeline.status(item["status_id"]) is None:
        errors.append(not_a_choice("status_id"))
    if "responsible_user_id" in item and item["responsible_user_id"] not in account.users:
        errors.append(not_a_choice("responsible_user_id"))
    return errors


def _check_links(account: Account, embedded: dict[str, Any]) -> Errors:
    errors: Errors = []
    for key, registry in (("contacts", account.contacts), ("companies", account.companies)):
        items = embedded.get(key, [])
        if not isinstance(items, list):
            errors.append(bad_type(f"_embedded.{key}", "array"))
            continue
        if key == "companies" and len(items) > 1:
            errors.append(error("InvalidValue", "_embedded.companies", "Only one company."))
        for i, one in enumerate(items):
            found = isinstance(one, dict) and one.get("id") in registry
            if not found or registry[one["id"]].is_deleted:
                errors.append(not_found(f"_embedded.{key}.{i}.id"))
    return errors


def check_lead(
    account: Account, item: dict[str, Any], lead: Lead | None, *, models_inside: bool = False
) -> tuple[Errors, Changes]:
    """All of a lead's input problems, and its parsed custom field changes.
    `models_inside`: `_embedded.contacts/companies` hold new models (leads/complex)."""
    errors = _check_scalars(account, item, lead)
    changes: Changes = {}
    if "custom_fields_values" in item:
        changes, problems = parse_values(account, "leads", item["custom_fields_values"])
        errors += problems
    embedded = item.get("_embedded", {})
    if embedded is not None and not isinstance(embedded, dict):
        return [*errors, bad_type("_embedded", "object")], changes
    errors += check_tag_changes(item, account.tags)
    if not models_inside:
        errors += _check_links(account, embedded or {})
    return errors, changes


def new_lead(change: Change, user: User, item: dict[str, Any], changes: Changes) -> Lead:
    """Create one pre-checked lead (also used by leads/complex)."""
    account = change.account
    pipeline = account.pipeline(item.get("pipeline_id", account.main_pipeline.id))
    assert pipeline is not None
    # amoCRM puts a new lead into the first stage after "unsorted".
    status_id = item.get("status_id", pipeline.statuses[1].id)
    now = change.now
    lead = Lead(
        id=account.new_id(),
        name=item.get("name") or f"Сделка #{account.next_id}",
        price=item.get("price", 0),
        responsible_user_id=item.get("responsible_user_id", user.id),
        status_id=status_id,
        pipeline_id=pipeline.id,
        created_by=user.id,
        updated_by=user.id,
        created_at=now,
        updated_at=now,
        closed_at=now if status_id in CLOSED_STATUS_IDS else None,
        closest_task_at=None,
        loss_reason_id=item.get("loss_reason_id"),
    )
    lead.tags = apply_tag_changes(account, [], item, account.tags)
    embedded = item.get("_embedded") or {}
    set_lead_contacts(account, lead, [int(c["id"]) for c in embedded.get("contacts") or []])
    companies = embedded.get("companies") or []
    set_lead_company(account, lead, int(companies[0]["id"]) if companies else None)
    apply_values(account, "leads", lead, changes)
    account.leads.append(lead)  # ids only grow, so the list stays sorted
    account.leads_by_id[lead.id] = lead
    change.event("lead_added", "lead", lead.id, user.id, [{"note": {"id": account.new_id()}}])
    change.hooks.append(lead_hook("add", lead, account, user.id))
    return lead


def create_leads(
    rec: Recorder, account: Account, user: User, items: list[dict[str, Any]]
) -> list[Lead]:
    changes = check_all(items, lambda item: check_lead(account, item, None))
    change = rec.begin(account)
    created = [new_lead(change, user, it, ch) for it, ch in zip(items, changes, strict=True)]
    rec.commit(change)
    return created


def _record_links(change: Change, lead: Lead, by: int, before: list[tuple[str, int]]) -> None:
    after = [("contact", c) for c in lead.contact_ids]
    if lead.company_id is not None:
        after.append(("company", lead.company_id))
    for kind, key in (
        ("entity_linked", set(after) - set(before)),
        ("entity_unlinked", set(before) - set(after)),
    ):
        for type_, eid in sorted(key):
            value = [
                {
                    "link" if kind == "entity_linked" else "unlink": {
                        "entity": {"type": type_, "id": eid}
                    }
                }
            ]
            pair = (value, []) if kind == "entity_linked" else ([], value)
            change.event(kind, "lead", lead.id, by, *pair)


def _apply_update(
    change: Change, user: User, item: dict[str, Any], lead: Lead, changes: Changes
) -> None:
    account = change.account
    old_status, old_pipeline, old_resp = lead.status_id, lead.pipeline_id, lead.responsible_user_id
    old_tags = {t.name for t in lead.tags}
    old_links = [("contact", c) for c in lead.contact_ids]
    if lead.company_id is not None:
        old_links.append(("company", lead.company_id))
    if "name" in item:
        lead.name = item["name"]
    if "price" in item:
        lead.price = item["price"]
    if "pipeline_id" in item and item["pipeline_id"] != lead.pipeline_id:
        pipeline = account.pipeline(item["pipeline_id"])
        assert pipeline is not None
        lead.pipeline_id = pipeline.id
        if "status_id" not in item:
            lead.status_id = pipeline.statuses[1].id
    if "status_id" in item:
        lead.status_id = item["status_id"]
    if "responsible_user_id" in item:
        lead.responsible_user_id = item["responsible_user_id"]
    if "loss_reason_id" in item:
        lead.loss_reason_id = item["loss_reason_id"]
    lead.tags = apply_tag_changes(account, lead.tags, item, account.tags)
    embedded = item.get("_embedded")
    if isinstance(embedded, dict) and "contacts" in embedded:
        set_lead_contacts(account, lead, [int(c["id"]) for c in embedded["contacts"] or []])
    if isinstance(embedded, dict) and "companies" in embedded:
        companies = embedded["companies"] or []
        set_lead_company(account, lead, int(companies[0]["id"]) if companies else None)
    changed_fields = apply_values(account, "leads", lead, changes)
    if lead.status_id in CLOSED_STATUS_IDS and old_status not in CLOSED_STATUS_IDS:
        lead.closed_at = change.now
    elif lead.status_id not in CLOSED_STATUS_IDS:
        lead.closed_at = None
    change.stamp(lead)
    lead.updated_by = user.id
    by = user.id
    change.hooks.append(lead_hook("update", lead, account, by))
    if (lead.status_id, lead.pipeline_id) != (old_status, old_pipeline):
        change.event(
            "lead_status_changed",
            "lead",
            lead.id,
            by,
            [{"lead_status": {"id": lead.status_id, "pipeline_id": lead.pipeline_id}}],
            [{"lead_status": {"id": old_status, "pipeline_id": old_pipeline}}],
        )
        moved = old_pipeline if old_pipeline != lead.pipeline_id else None
        change.hooks.append(
            lead_hook("status", lead, account, by, old_status_id=old_status, old_pipeline_id=moved)
        )
    if lead.responsible_user_id != old_resp:
        change.event(
            "entity_responsible_changed",
            "lead",
            lead.id,
            by,
            [{"responsible_user": {"id": lead.responsible_user_id}}],
            [{"responsible_user": {"id": old_resp}}],
        )
        change.hooks.append(
            lead_hook("responsible", lead, account, by, old_responsible_user_id=old_resp)
        )
    for f, before, after in changed_fields:
        change.event(
            "custom_field_value_changed",
            "lead",
            lead.id,
            by,
            change_event_values(f, after),
            change_event_values(f, before),
        )
    names = {t.name for t in lead.tags}
    if names - old_tags:
        change.event(
            "entity_tag_added",
            "lead",
            lead.id,
            by,
            [{"tag": {"name": n}} for n in sorted(names - old_tags)],
        )
    if old_tags - names:
        change.event(
            "entity_tag_deleted",
            "lead",
            lead.id,
            by,
            [],
            [{"tag": {"name": n}} for n in sorted(old_tags - names)],
        )
    _record_links(change, lead, by, old_links)


def update_leads(
    rec: Recorder,
    account: Account,
    user: User,
    items: list[dict[str, Any]],
    visible: Visible = None,
) -> list[Lead]:

    def find(item: dict[str, Any]) -> Lead | None:
        lead = account.leads_by_id.get(int_or_none(item.get("id")) or 0)
        if lead is None or lead.is_deleted or (visible is not None and not visible(lead)):
            return None
        return lead

    plans = check_existing(items, find, lambda item, lead: check_lead(account, item, lead))
    change = rec.begin(account)
    for item, lead, changes in plans:
        before_change(account, lead.id)  # while it is still as seeded
        _apply_update(change, user, item, lead, changes)
    rec.commit(change)
    return [lead for _, lead, _ in plans]


def delete_lead(rec: Recorder, account: Account, user: User, lead_id: int) -> Lead:
    """Move a lead to the trash. A deletion counts as a change: `updated_at` moves."""
    lead = account.leads_by_id.get(lead_id)
    if lead is None or lead.is_deleted:
        raise KeyError(f"no lead {lead_id}")
    before_change(account, lead.id)
    change = rec.begin(account)
    index = bisect.bisect_left(account.leads, lead.id, key=lambda item: item.id)
    del account.leads[index]
    lead.is_deleted = True
    change.stamp(lead)
    lead.updated_by = user.id
    account.deleted_leads.append(lead)
    change.event("lead_deleted", "lead", lead.id, user.id)
    change.hooks.append(lead_hook("delete", lead, account, user.id))
    rec.commit(change)
    return lead


def restore_lead(rec: Recorder, account: Account, user: User, lead_id: int) -> Lead:
    """Bring a lead back from the trash (the restore_lead webhook, lead_restored event)."""
    lead = account.leads_by_id.get(lead_id)
    if lead is None or not lead.is_deleted:
        raise KeyError(f"no deleted lead {lead_id}")
    before_change(account, lead.id)
    change = rec.begin(account)
    account.deleted_leads.remove(lead)
    lead.is_deleted = False
    bisect.insort(account.leads, lead, key=lambda item: item.id)
    change.stamp(lead)
    lead.updated_by = user.id
    change.event("lead_restored", "lead", lead.id, user.id)
    change.hooks.append(lead_hook("restore", lead, account, user.id))
    rec.commit(change)
    return lead
