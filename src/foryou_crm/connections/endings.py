"""Ending connections, and remembering why and when until the user connects again.

Every way a connection ends goes through here, so ``GET /api/amo-crm/status`` can always say
what happened: the agent's «Відключити» and an administrator's removal (``end_for_user``),
amoCRM's uninstall hook (``end_for_account``), amoCRM refusing the refresh token (``record``
next to setting ``needs_reconnect``; the connection stays). Connecting again ``forget``s it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.connections import repository
from foryou_crm.connections.models import AmoConnection, ConnectionEnding, EndReason


async def record(
    session: AsyncSession, *, user_id: int, reason: EndReason, domain: str, at: datetime
) -> None:
    """Remember the latest ending for the user (one row per user, replaced in place).

    An upsert, not read-then-write: the agent's disconnect and amoCRM's hook may end the same
    connection at the same moment."""
    dialect: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values = {"reason": reason, "domain": domain, "ended_at": at}
    stmt = dialect.insert(ConnectionEnding.__table__).values(user_id=user_id, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_=values))


async def ending_of(session: AsyncSession, user_id: int) -> ConnectionEnding | None:
    return await session.get(ConnectionEnding, user_id)


async def forget(session: AsyncSession, user_id: int) -> None:
    """The user connected again: the old reason no longer describes anything."""
    await session.execute(delete(ConnectionEnding).where(ConnectionEnding.user_id == user_id))


async def end_for_user(
    session: AsyncSession, *, user_id: int, reason: EndReason, at: datetime
) -> bool:
    """Delete the user's connection (its mirror goes by cascade) and record why. False, and
    nothing recorded, when there was none: a second «Відключити» keeps the first reason."""
    connection = await repository.connection_of(session, user_id)
    if connection is None:
        return False
    await repository.delete_for_user(session, user_id)
    await record(session, user_id=user_id, reason=reason, domain=connection.domain, at=at)
    return True


async def end_for_account(
    session: AsyncSession, *, account_id: int, reason: EndReason, at: datetime
) -> int:
    """Delete every user's connection to this amoCRM account, recording why for each of them.
    Returns how many there were."""
    ended = (
        await session.execute(
            select(AmoConnection.user_id, AmoConnection.domain).where(
                AmoConnection.account_id == account_id
            )
        )
    ).all()
    await repository.delete_for_account(session, account_id)
    for user_id, domain in ended:
        await record(session, user_id=user_id, reason=reason, domain=domain, at=at)
    return len(ended)
