from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from foryou_crm.core.db import Base, UTCDateTime


class User(Base):
    """An app user (an agent of ForYou Real Estate)."""

    __tablename__ = "users"
    # sqlite_autoincrement: never reuse an id (a deleted user's JWT must not become someone else's).
    __table_args__ = (
        UniqueConstraint("external_issuer", "external_subject"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    # Null for users who only ever sign in with the admin backend's JWTs.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    external_issuer: Mapped[str | None] = mapped_column(String(255))
    external_subject: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # May use /api/admin (set by `foryou-crm users create --admin` or `users promote`).
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set: every request with this user's JWT answers 401 USER_DISABLED, and sign-in 403.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Carried in our JWTs as "ver"; a password reset bumps it, so every JWT issued before it
    # stops working at once (401 TOKEN_REVOKED).
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
