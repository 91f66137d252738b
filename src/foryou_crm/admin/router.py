"""``/api/admin/users…``: administrators list, disable, enable, reset and delete users. Every
route answers 401 without a valid JWT and 403 ``FORBIDDEN`` to anyone who is not an admin
(``CurrentAdmin``), before it looks at anything else."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.admin import service
from foryou_crm.admin.schemas import (
    AdminUserOut,
    AdminUsersPage,
    DeletedOut,
    PasswordResetOut,
    ResetPasswordIn,
)
from foryou_crm.core.errors import Conflict, error_responses
from foryou_crm.core.schemas import Envelope
from foryou_crm.services import ServicesDep, SessionDep
from foryou_crm.users import service as users
from foryou_crm.users.deps import CurrentAdmin
from foryou_crm.users.models import User

router = APIRouter(prefix="/api/admin", tags=["admin"])
log = structlog.get_logger("foryou_crm.admin")

# users.id is a 32-bit integer on PostgreSQL: a larger id is a 422, not a database error.
# The admin operations' own codes, for their OpenAPI examples.
CODES: dict[int, tuple[str, ...]] = {404: ("USER_NOT_FOUND",), 409: ("OWN_ACCOUNT",)}
RESET_CODES: dict[int, tuple[str, ...]] = {404: ("USER_NOT_FOUND",), 409: ("EXTERNAL_ACCOUNT",)}
UserId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class OwnAccount(Conflict):
    """An admin may not disable or delete their own account here (it would lock them out
    mid-request); another admin or ``foryou-crm users`` can."""

    code = "OWN_ACCOUNT"
    message = "You cannot disable or delete your own account."


def _ok(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data}


async def _other_user(session: AsyncSession, admin: User, user_id: int) -> User:
    if user_id == admin.id:
        raise OwnAccount()
    return await service.by_id(session, user_id)


@router.get(
    "/users", response_model=Envelope[AdminUsersPage], responses=error_responses(401, 403, 422)
)
async def list_users(
    session: SessionDep,
    admin: CurrentAdmin,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Every user with their amoCRM connection (domain, account, needs reconnect) and last
    sync, by id."""
    items, total = await service.overview(session, offset=(page - 1) * limit, limit=limit)
    out = AdminUsersPage(
        items=items, total=total, page=page, limit=limit, has_more=page * limit < total
    )
    return _ok(out.model_dump(by_alias=True, mode="json"))


@router.post(
    "/users/{user_id}/disable",
    response_model=Envelope[AdminUserOut],
    responses=error_responses(401, 403, 404, 409, 422, codes=CODES),
)
async def disable_user(
    user_id: UserId, services: ServicesDep, session: SessionDep, admin: CurrentAdmin
) -> dict[str, Any]:
    """Every JWT of the user is refused from the next request on (401 ``USER_DISABLED``), and
    sign-in answers 403; their connection and mirror stay until enabled or deleted."""
    user = await _other_user(session, admin, user_id)
    users.set_disabled(user, disabled=True, now=services.clock.now())
    await session.flush()
    return _ok((await service.describe(session, user)).model_dump(by_alias=True, mode="json"))


@router.post(
    "/users/{user_id}/enable",
    response_model=Envelope[AdminUserOut],
    responses=error_responses(401, 403, 404, 422, codes=CODES),
)
async def enable_user(
    user_id: UserId, services: ServicesDep, session: SessionDep, admin: CurrentAdmin
) -> dict[str, Any]:
    user = await service.by_id(session, user_id)
    users.set_disabled(user, disabled=False, now=services.clock.now())
    await session.flush()
    return _ok((await service.describe(session, user)).model_dump(by_alias=True, mode="json"))


@router.post(
    "/users/{user_id}/reset-password",
    response_model=Envelope[PasswordResetOut],
    responses=error_responses(401, 403, 404, 409, 422, codes=RESET_CODES),
)
async def reset_password(
    user_id: UserId,
    session: SessionDep,
    admin: CurrentAdmin,
    body: ResetPasswordIn | None = None,
) -> dict[str, Any]:
    """Sets the given password, or generates one and answers it this once; every JWT the user
    holds stops working (401 ``TOKEN_REVOKED``). 409 ``EXTERNAL_ACCOUNT`` for a user of the
    admin backend (their password lives there)."""
    user = await service.by_id(session, user_id)
    generated = await service.reset_password(user, body.password if body else None)
    await session.flush()
    out = PasswordResetOut(user=await service.describe(session, user), generated_password=generated)
    log.info("admin_password_reset", admin_id=admin.id, user_id=user.id)
    return _ok(out.model_dump(by_alias=True, mode="json"))


@router.delete(
    "/users/{user_id}",
    response_model=Envelope[DeletedOut],
    responses=error_responses(401, 403, 404, 409, 422, codes=CODES),
)
async def delete_user(
    user_id: UserId, services: ServicesDep, session: SessionDep, admin: CurrentAdmin
) -> dict[str, Any]:
    """The user, their amoCRM tokens, pending connect attempts and leads mirror. amoCRM has no
    endpoint to revoke an integration's tokens; the lead webhook is removed at amoCRM when this
    was the last connection to the account (see ``service.delete_user``)."""
    user = await _other_user(session, admin, user_id)
    deleted = await service.delete_user(session, services.settings, services.tokens, user)
    log.info("admin_user_deleted", admin_id=admin.id, user_id=user_id)
    out = DeletedOut(
        id=user_id,
        connection_removed=deleted.connection_removed,
        amocrm_webhook_removed=deleted.amocrm_webhook_removed,
    )
    return _ok(out.model_dump(by_alias=True, mode="json"))
