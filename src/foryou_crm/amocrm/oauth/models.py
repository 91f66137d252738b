"""The record of one connect attempt (the OAuth flow)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from foryou_crm.core.db import Base, UTCDateTime

ClientKind = Literal["mobile", "web"]


class OAuthFlow(Base):
    """One attempt to connect amoCRM, from auth-url to exchange-code.

    Only hashes of ``state`` and of the completion code are stored. Between the callback and
    exchange-code the tokens wait here, encrypted, bound to ``user_id``; completion moves them to
    the user's connection and clears them from the flow."""

    __tablename__ = "amocrm_oauth_flows"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_kind: Mapped[ClientKind] = mapped_column(String(16))
    app_challenge: Mapped[str | None] = mapped_column(String(128))
    return_to: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Outcome of the callback: None (ok) or a machine error code shown to the app.
    error: Mapped[str | None] = mapped_column(String(64))
    completion_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    completion_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The pending connection (set by the callback, cleared by completion).
    account_id: Mapped[int | None] = mapped_column(BigInteger)
    domain: Mapped[str | None] = mapped_column(String(255))
    platform: Mapped[int | None] = mapped_column(Integer)
    account_name: Mapped[str | None] = mapped_column(String(255))
    amo_user_id: Mapped[int | None] = mapped_column(BigInteger)
    is_admin: Mapped[bool | None] = mapped_column(Boolean)
    access_token_enc: Mapped[str | None] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    connection_id: Mapped[int | None] = mapped_column(Integer)
