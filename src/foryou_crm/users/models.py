from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
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
