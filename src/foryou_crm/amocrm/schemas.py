from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

URLSAFE = r"^[A-Za-z0-9_-]+$"


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class AuthUrlOut(CamelModel):
    url: str
    state: str
    expires_at: datetime


class ExchangeCodeIn(CamelModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")
    code: str = Field(min_length=16, max_length=128, pattern=URLSAFE)
    state: str = Field(min_length=16, max_length=128, pattern=URLSAFE)
    app_verifier: str | None = Field(default=None, min_length=32, max_length=128, pattern=URLSAFE)


class SyncOut(CamelModel):
    state: Literal["idle", "running", "failed"] = "idle"
    progress: float = 0.0
    last_synced_at: datetime | None = None
    leads: int = 0
    error: str | None = None


class StatusOut(CamelModel):
    connected: bool
    has_tokens: bool
    domain: str | None = None
    account_id: str | None = None
    account_name: str | None = None
    platform: Literal["amocrm", "kommo"] | None = None
    connected_at: datetime | None = None
    needs_reconnect: bool = False
    sync: SyncOut | None = None


NOT_CONNECTED = StatusOut(connected=False, has_tokens=False)
