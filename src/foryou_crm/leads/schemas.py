"""Leads API shapes (camelCase on the wire) and the parsed query of ``GET /leads``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel

from foryou_crm.connections.status import SyncOut
from foryou_crm.core.schemas import CamelModel

Sort = Literal["-createdAt", "createdAt", "updatedAt", "-updatedAt", "price", "-price"]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Bound:
    """A parsed ``…From``/``…To`` value: a date-only value covers its whole UTC day."""

    instant: datetime
    date_only: bool


def parse_bound(value: str | None) -> Bound | None:
    """ISO 8601 date or date-time; a date-time without an offset is UTC. Raises ValueError
    (FastAPI turns it into a 422 naming the parameter)."""
    if value is None:
        return None
    text = value.strip()
    if _DATE_ONLY.match(text):
        return Bound(datetime.combine(date.fromisoformat(text), time(), UTC), True)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError("expected an ISO 8601 date (YYYY-MM-DD) or date-time") from None
    return Bound(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC), False)


def lower_unix(bound: Bound | None) -> int | None:
    return int(bound.instant.timestamp()) if bound else None


def upper_unix(bound: Bound | None) -> int | None:
    """Inclusive upper bound in Unix seconds: to a date means to the end of that day."""
    if bound is None:
        return None
    if bound.date_only:
        return int((bound.instant + timedelta(days=1)).timestamp()) - 1
    return int(bound.instant.timestamp())


@dataclass(frozen=True)
class LeadFilter:
    query: str | None = None
    pipeline_id: int | None = None
    status_ids: list[int] = field(default_factory=list)
    responsible_user_ids: list[int] = field(default_factory=list)
    tag: str | None = None
    price_from: int | None = None
    price_to: int | None = None
    created_from: int | None = None
    created_to: int | None = None
    updated_from: int | None = None
    updated_to: int | None = None
    sort: Sort = "-createdAt"
    page: int = 1
    limit: int = 50

    @property
    def unfiltered(self) -> bool:
        return not (
            self.query
            or self.pipeline_id is not None
            or self.status_ids
            or self.responsible_user_ids
            or self.tag
            or any(
                bound is not None
                for bound in (
                    self.price_from,
                    self.price_to,
                    self.created_from,
                    self.created_to,
                    self.updated_from,
                    self.updated_to,
                )
            )
        )


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
