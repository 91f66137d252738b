"""What an administrator can do to users, for the API and the CLI alike. Functions only
``flush()``: the request (or the command's transaction) commits."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.admin.schemas import AdminUserOut
from foryou_crm.amocrm.disconnect import end_user_connection
from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.connections import repository
from foryou_crm.connections.models import AmoConnection, SyncState
from foryou_crm.connections.status import status_of
from foryou_crm.connections.views import ConnectionView, SyncView
from foryou_crm.core.config import Settings
from foryou_crm.core.errors import Conflict, NotFound
from foryou_crm.leads import webhooks
from foryou_crm.users import service as users
from foryou_crm.users.models import User

log = structlog.get_logger("foryou_crm.admin")


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"
    message = "No such user."


def user_out(user: User, connection: AmoConnection | None, sync: SyncState | None) -> AdminUserOut:
    return AdminUserOut(
        id=user.id,
        email=user.email,
        name=user.name,
        is_admin=user.is_admin,
        disabled=user.disabled_at is not None,
        disabled_at=user.disabled_at,
        created_at=user.created_at,
        external=user.external_subject is not None,
        has_password=user.password_hash is not None,
        amocrm=status_of(
            None if connection is None else ConnectionView.of(connection), SyncView.of(sync)
        ),
    )


async def overview(
    session: AsyncSession, *, offset: int = 0, limit: int | None = None
) -> tuple[list[AdminUserOut], int]:
    """Users by id with their connection and its sync, and how many users there are."""
    rows = await session.execute(
        select(User, AmoConnection, SyncState)
        .outerjoin(AmoConnection, AmoConnection.user_id == User.id)
        .outerjoin(SyncState, SyncState.connection_id == AmoConnection.id)
        .order_by(User.id)
        .offset(offset)
        .limit(limit)
    )
    total = await session.scalar(select(func.count()).select_from(User))
    return [user_out(*row) for row in rows], int(total or 0)


async def describe(session: AsyncSession, user: User) -> AdminUserOut:
    found = await repository.connection_and_sync_state(session, user.id)
    return user_out(user, *(found or (None, None)))


async def by_id(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFound()
    return user


async def by_email(session: AsyncSession, email: str) -> User:
    user = await users.get_by_email(session, email)
    if user is None:
        raise UserNotFound(f"No user {email.lower()}.")
    return user


class ExternalAccount(Conflict):
    """The user signs in through the agency's admin backend: a password here would open a
    second way in, and would not revoke the backend's JWTs (they carry no token version)."""

    code = "EXTERNAL_ACCOUNT"
    message = (
        "This user signs in through the admin backend: change the password there, or disable "
        "the user here to sign them out."
    )


async def reset_password(user: User, password: str | None) -> str | None:
    """Set ``password``, or a generated one which is returned (to be shown once). Either way
    every JWT the user holds stops working. Not for users of the admin backend."""
    if user.external_issuer is not None:
        raise ExternalAccount()
    generated = None if password else secrets.token_urlsafe(12)
    await users.reset_password(user, password or str(generated))
    return generated


@dataclass(frozen=True)
class Deleted:
    connection_removed: bool
    amocrm_webhook_removed: bool


async def delete_user(
    session: AsyncSession, settings: Settings, tokens: TokenManager, user: User
) -> Deleted:
    """The user and everything stored for them: their amoCRM tokens, pending connect attempts
    and the leads mirror (by cascade). At amoCRM, what can be taken back is: amoCRM documents no
    endpoint that revokes an integration's tokens (amocrm-api.md §3), so the tokens are only
    deleted here; the lead webhook is removed when this was the last connection to the account
    (only an admin's connection may do that). The agent removes the integration in amoCRM."""
    webhook_removed = False
    connection = await repository.connection_of(session, user.id)
    if connection is not None and connection.is_admin:
        others = set(await repository.connection_ids_of_account(session, connection.account_id))
        if others == {connection.id}:
            webhook_removed = await webhooks.unsubscribe(settings, tokens, connection.ref())
    removed = await end_user_connection(
        session, user_id=user.id, reason="admin_removed", at=tokens.clock.now()
    )
    await session.execute(delete(User).where(User.id == user.id))
    await session.flush()
    log.info(
        "user_deleted",
        user_id=user.id,
        connection_removed=removed,
        amocrm_webhook_removed=webhook_removed,
    )
    return Deleted(removed, webhook_removed)
