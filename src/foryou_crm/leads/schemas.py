"""Leads API shapes (camelCase on the wire); the query of GET /leads is ``filter.LeadFilter``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from foryou_crm.connections.status import SyncOut
from foryou_crm.core.schemas import CamelModel


class ContactOut(CamelModel):
    id: int
    name: str | None


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
    contacts: list[ContactOut]
    url: str


class LeadsPageOut(CamelModel):
    items: list[LeadOut]
    page: int
    limit: int
    total: int
    has_more: bool
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
