"""What ``/api/admin/users…`` answers and accepts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from foryou_crm.connections.status import StatusOut
from foryou_crm.core.schemas import CamelModel


class AdminUserOut(CamelModel):
    id: int
    email: str
    name: str
    is_admin: bool
    disabled: bool
    disabled_at: datetime | None
    created_at: datetime
    # Signs in with the admin backend's JWTs (deleting such a user lets their next request
    # with a valid admin-backend JWT create a new, empty one: disable them instead).
    external: bool
    has_password: bool
    amocrm: StatusOut


class AdminUsersPage(CamelModel):
    items: list[AdminUserOut]
    total: int
    page: int
    limit: int
    has_more: bool


class ResetPasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # None: a password is generated and answered once.
    password: str | None = Field(default=None, min_length=8, max_length=1024)


class PasswordResetOut(CamelModel):
    user: AdminUserOut
    # Only when the service generated it: shown this once, stored only as a hash.
    generated_password: str | None = None


class DeletedOut(CamelModel):
    id: int
    connection_removed: bool
    # Our lead webhook removed at amoCRM (the last connection to an account, an admin's).
    amocrm_webhook_removed: bool
