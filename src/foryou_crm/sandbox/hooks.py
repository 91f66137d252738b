"""What each webhook says: the v2 vocabulary amoCRM still sends (webhooks-format.md).

Every value is a string; lead/contact/company keys are v2 names (`last_modified`,
`date_create`, `modified_user_id`, `custom_fields[i][values][j][enum]`…). Contacts and
companies share the `contacts` section and differ by `type` (the documented examples),
tasks use the `task` section with "Y-m-d H:i:s" dates (documented example), notes are
`{leads|contacts|companies}[note][i][note][…]` with v2 numeric note types, as captured
from live amoCRM webhooks in public code (see docs/sandbox.md).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from .fields import values_of
from .models import Account, Company, Contact, Lead, Note, Task
from .webhooks import HookEvent

LEAD_SETTINGS = {
    "add": "add_lead",
    "update": "update_lead",
    "status": "status_lead",
    "responsible": "responsible_lead",
    "delete": "delete_lead",
    "restore": "restore_lead",
}
# v2 element types: 1 contact, 2 lead, 3 company.
ELEMENT_TYPES = {"contacts": "1", "leads": "2", "companies": "3"}
# v2 note types: 4 common, 10/11 incoming/outgoing call, 25 system message, 102/103 SMS.
V2_NOTE_TYPES = {
    "common": "4", "call_in": "10", "call_out": "11", "service_message": "25",
    "extended_service_message": "25", "sms_in": "102", "sms_out": "103",
}  # fmt: skip
SINGULAR = {"leads": "lead", "contacts": "contact", "companies": "company"}


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(account: Account, ts: int) -> str:
    """A timestamp as the account's wall clock, "2017-07-20 15:00:00"."""
    return dt.datetime.fromtimestamp(ts, _zone(account.timezone)).strftime("%Y-%m-%d %H:%M:%S")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def custom_fields(account: Account, entity_type: str, entity: Any) -> list[tuple[str, str]]:
    values = values_of(account, entity_type, entity)
    out: list[tuple[str, str]] = []
    i = 0
    for f in account.fields.get(entity_type, []):
        items = values.get(f.id)
        if not items:
            continue
        out += [(f"custom_fields[{i}][id]", str(f.id)), (f"custom_fields[{i}][name]", f.name)]
        for j, (value, enum_id) in enumerate(items):
            out.append((f"custom_fields[{i}][values][{j}][value]", _text(value)))
            if enum_id is not None:
                out.append((f"custom_fields[{i}][values][{j}][enum]", str(enum_id)))
        if f.code:
            out.append((f"custom_fields[{i}][code]", f.code))
        i += 1
    return out


def lead_hook(
    kind: str,
    lead: Lead,
    account: Account,
    modified_by: int,
    *,
    old_status_id: int | None = None,
    old_pipeline_id: int | None = None,
    old_responsible_user_id: int | None = None,
) -> HookEvent:
    fields: list[tuple[str, str]] = [("id", str(lead.id))]
    if kind != "delete":
        fields += [
            ("name", lead.name),
            ("status_id", str(lead.status_id)),
            ("price", str(lead.price)),
            ("responsible_user_id", str(lead.responsible_user_id)),
            ("last_modified", str(lead.updated_at)),
            ("modified_user_id", str(modified_by)),
            ("created_user_id", str(lead.created_by)),
            ("date_create", str(lead.created_at)),
            ("pipeline_id", str(lead.pipeline_id)),
            ("account_id", str(account.id)),
            *custom_fields(account, "leads", lead),
            ("created_at", str(lead.created_at)),
            ("updated_at", str(lead.updated_at)),
        ]
        for i, tag in enumerate(lead.tags):
            fields += [(f"tags[{i}][id]", str(tag.id)), (f"tags[{i}][name]", tag.name)]
    else:
        fields += [("status_id", str(lead.status_id)), ("pipeline_id", str(lead.pipeline_id))]
    if old_status_id is not None:
        fields.append(("old_status_id", str(old_status_id)))
    if old_pipeline_id is not None:
        fields.append(("old_pipeline_id", str(old_pipeline_id)))
    if old_responsible_user_id is not None:
        fields.append(("old_responsible_user_id", str(old_responsible_user_id)))
    return HookEvent(LEAD_SETTINGS[kind], "leads", kind, fields)


def party_hook(
    action: str, entity_type: str, entity: Contact | Company, account: Account, by: int
) -> HookEvent:
    """A contact or company webhook: both in the `contacts` section, told apart by `type`."""
    singular = SINGULAR[entity_type]
    if action == "delete":
        fields = [("id", str(entity.id)), ("type", singular)]
        return HookEvent(f"delete_{singular}", "contacts", action, fields)
    fields = [
        ("id", str(entity.id)),
        ("name", entity.name),
        ("responsible_user_id", str(entity.responsible_user_id)),
        ("date_create", str(entity.created_at)),
        ("last_modified", str(entity.updated_at)),
        ("created_user_id", str(entity.created_by)),
        ("modified_user_id", str(by)),
    ]
    if isinstance(entity, Contact) and entity.company_id is not None:
        company = account.companies.get(entity.company_id)
        fields += [
            ("company_name", company.name if company else ""),
            ("linked_company_id", str(entity.company_id)),
        ]
    fields.append(("account_id", str(account.id)))
    fields += custom_fields(account, entity_type, entity)
    index = account.leads_by_contact if entity_type == "contacts" else account.leads_by_company
    for lead_id in index.get(entity.id, []):
        fields.append((f"linked_leads_id[{lead_id}][ID]", str(lead_id)))
    fields += [
        ("created_at", str(entity.created_at)),
        ("updated_at", str(entity.updated_at)),
        ("type", singular),
    ]
    return HookEvent(f"{action}_{singular}", "contacts", action, fields)


def note_hook(note: Note, params: dict[str, Any], account: Account) -> HookEvent:
    if note.note_type in ("call_in", "call_out"):
        text = json.dumps(
            {
                "UNIQ": params.get("uniq"),
                "DURATION": params.get("duration"),
                "SRC": params.get("source"),
                "LINK": params.get("link"),
                "PHONE": params.get("phone"),
            },
            ensure_ascii=False,
        )
    else:
        text = str(params.get("text", ""))
    when = local_time(account, note.created_at)
    fields = [
        ("note[element_type]", ELEMENT_TYPES[note.entity_type]),
        ("note[element_id]", str(note.entity_id)),
        ("note[note_type]", V2_NOTE_TYPES.get(note.note_type, "4")),
        ("note[text]", text),
        ("note[account_id]", str(account.id)),
        ("note[date_create]", when),
        ("note[timestamp_x]", local_time(account, note.updated_at)),
        ("note[created_by]", str(note.created_by)),
        ("note[modified_by]", str(note.updated_by)),
        ("note[main_user_id]", str(note.responsible_user_id)),
        ("note[group_id]", "0"),
        ("note[id]", str(note.id)),
        ("note[created_at]", str(note.created_at)),
        ("note[updated_at]", str(note.updated_at)),
    ]
    return HookEvent(f"note_{SINGULAR[note.entity_type]}", note.entity_type, "note", fields)


def task_hook(action: str, task: Task, account: Account, *, closed_now: bool = False) -> HookEvent:
    if action == "delete":
        return HookEvent("delete_task", "task", action, [("id", str(task.id))])
    fields = [
        ("id", str(task.id)),
        ("element_id", str(task.entity_id or 0)),
        ("element_type", ELEMENT_TYPES.get(task.entity_type or "", "0")),
        ("task_type", str(task.task_type_id)),
        ("date_create", local_time(account, task.created_at)),
        ("text", task.text),
        ("status", "1" if task.is_completed else "0"),
        ("account_id", str(account.id)),
        ("created_user_id", str(task.created_by)),
        ("last_modified", local_time(account, task.updated_at)),
        ("responsible_user_id", str(task.responsible_user_id)),
        ("complete_till", local_time(account, task.complete_till)),
    ]
    if action == "update":
        fields.append(("action_close", "1" if closed_now else "0"))
    if task.result:
        fields.append(("result[text]", task.result))
    return HookEvent(f"{action}_task", "task", action, fields)
