"""Rows written straight into the database, for the tests of what reads them (no amoCRM flow)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.connections.models import AmoConnection
from foryou_crm.users.models import User


async def add_connected_user(
    session: AsyncSession, email: str, at: datetime, **user: Any
) -> tuple[User, AmoConnection]:
    """A user (``user``: more of its columns) and their connection, flushed, not committed."""
    added = User(email=email, name=user.pop("name", ""), created_at=at, **user)
    session.add(added)
    await session.flush()
    connection = AmoConnection(
        user_id=added.id,
        account_id=2**40 + 7,
        domain="reforyou.amocrm.ru",
        platform=1,
        access_token_enc="a",
        refresh_token_enc="r",
        key_id="k",
        token_expires_at=at,
        connected_at=at,
        refreshed_at=at,
        updated_at=at,
    )
    session.add(connection)
    await session.flush()
    return added, connection
