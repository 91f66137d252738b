"""Leads API shapes (camelCase on the wire); the query of GET /leads is ``filter.LeadFilter``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from foryou_crm.connections.status import SyncOut
from foryou_crm.core.schemas import CamelModel


class ContactOut(CamelModel):
    """A lead's contact as the list shows it; the main contact comes first."""

    id: int
    name: str | None
    phone: str | None = None  # the first phone
    is_main: bool = False


class LeadOut(CamelModel):
    id: int
    name: str
    price: int
    status_id: int
    status_name: str | None
    status_color: str | None
    pipeline_id: int
    pipeline_name: str | None
    responsible_user_id: int | None
    responsible_user_name: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    tags: list[str]
    contacts: Sequence[ContactOut]
    currency: str | None = None  # the account's (ISO code); prices are in it
    url: str


class TypedValueOut(CamelModel):
    value: str
    type: str | None  # amoCRM's enum code: MOB, WORK, PRIV, HOME…


class ContactDetailOut(ContactOut):
    phones: list[TypedValueOut]
    emails: list[TypedValueOut]
    position: str | None


class CompanyOut(CamelModel):
    id: int
    name: str | None  # null until the company is read


class CustomValueOut(CamelModel):
    value: Any  # as amoCRM sends it: text, a number as text, true/false, a timestamp
    enum_id: int | None = None


class CustomFieldOut(CamelModel):
    id: int
    name: str
    type: str  # amoCRM's field type: text, numeric, select, multiselect, date, url…
    code: str | None
    values: list[CustomValueOut]


class NoteOut(CamelModel):
    id: int
    type: str  # amoCRM's note_type: common, call_in, call_out, service_message…
    text: str
    created_at: datetime
    created_by: int | None
    params: dict[str, Any]


class TaskOut(CamelModel):
    id: int
    text: str
    complete_till: datetime
    task_type_id: int | None
    responsible_user_id: int | None


class LeadDetailOut(LeadOut):
    contacts: Sequence[ContactDetailOut]
    company: CompanyOut | None
    custom_fields: list[CustomFieldOut]
    notes: list[NoteOut]  # latest first, at most 20
    tasks: list[TaskOut]  # open ones, soonest due first


class LeadDetailEnvelope(BaseModel):
    success: bool = True
    data: LeadDetailOut


class EnumOut(CamelModel):
    id: int
    value: str


class FilterFieldOut(CamelModel):
    id: int
    name: str
    type: str
    enums: list[EnumOut]


class FilterFieldsOut(CamelModel):
    fields: list[FilterFieldOut]


class LeadsPageOut(CamelModel):
    items: list[LeadOut]
    page: int
    limit: int
    total: int  # every lead the filter selects (not only this page's)
    has_more: bool
    # Pass as ``cursor`` for the page after this one; null on the last page.
    next_cursor: str | None = None
    sync: SyncOut


class StatusOut(CamelModel):
    id: int
    name: str
    color: str | None
    sort: int
    type: int


class PipelineOut(CamelModel):
    id: int
    name: str
    sort: int
    is_main: bool
    statuses: list[StatusOut]


class UserOut(CamelModel):
    id: int
    name: str


class PipelinesOut(CamelModel):
    pipelines: list[PipelineOut]
    users: list[UserOut]


class LeadsEnvelope(BaseModel):
    success: bool = True
    data: LeadsPageOut


class AcceptedOut(CamelModel):
    """A lead webhook's answer: how many lead ids it named (each is read back)."""

    accepted: int
