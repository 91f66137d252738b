"""The API shapes of the connect flow (camelCase on the wire)."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from foryou_crm.core.schemas import CamelModel

URLSAFE = r"^[A-Za-z0-9_-]+$"


class AuthUrlOut(CamelModel):
    url: str
    state: str
    expires_at: datetime


class ExchangeCodeIn(CamelModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    code: str = Field(min_length=16, max_length=128, pattern=URLSAFE)
    state: str = Field(min_length=16, max_length=128, pattern=URLSAFE)
    app_verifier: str | None = Field(default=None, min_length=32, max_length=128, pattern=URLSAFE)
