"""App users: registration, sign-in, and mapping external identities to local users."""

from __future__ import annotations

import asyncio
from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.core.errors import AppError, Conflict, Forbidden
from foryou_crm.core.security import hash_password, verify_password
from foryou_crm.users.external_jwt import ExternalIdentity
from foryou_crm.users.models import User

log = structlog.get_logger("foryou_crm.users")


class InvalidCredentials(AppError):
    status_code = 401
    code = "INVALID_CREDENTIALS"
    message = "Wrong email or password."


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"
    message = "An account with this email already exists."


class UserDisabled(Forbidden):
    """Sign-in with the right password to a disabled account (a JWT of a disabled user gets
    401 ``USER_DISABLED`` instead: see ``users/deps.py``)."""

    code = "USER_DISABLED"
    message = "This account is disabled; ask your administrator."


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email.lower()))
    return result.scalar_one_or_none()


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    password: str | None,
    name: str,
    now: datetime,
    admin: bool = False,
) -> User:
    email = email.lower()
    if await get_by_email(session, email) is not None:
        raise EmailTaken()
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=await asyncio.to_thread(hash_password, password) if password else None,
        created_at=now,
        is_admin=admin,
        token_version=0,
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:  # a concurrent registration won the race
        raise EmailTaken() from exc
    log.info("user_created", user_id=user.id)
    return user


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User:
    user = await get_by_email(session, email)
    # Argon2 takes tens of milliseconds of CPU: keep it off the event loop.
    ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    if not ok or user is None:
        raise InvalidCredentials()
    if user.disabled_at is not None:
        raise UserDisabled()
    return user


# --- administration (foryou-crm users …, /api/admin/users) ----------------------------------


def set_disabled(user: User, *, disabled: bool, now: datetime) -> None:
    """Disable (every JWT of the user is refused from the next request on) or enable again.
    Idempotent: disabling a disabled user keeps the first time."""
    if disabled and user.disabled_at is None:
        user.disabled_at = now
    elif not disabled:
        user.disabled_at = None
    log.info("user_disabled" if disabled else "user_enabled", user_id=user.id)


async def reset_password(user: User, password: str) -> None:
    """A new password, and every JWT issued before it revoked (the token version moves on)."""
    user.password_hash = await asyncio.to_thread(hash_password, password)
    user.token_version += 1
    log.info("user_password_reset", user_id=user.id, token_version=user.token_version)


def set_admin(user: User, *, admin: bool) -> None:
    user.is_admin = admin
    log.info("user_promoted" if admin else "user_demoted", user_id=user.id)


async def user_for_external_identity(
    session: AsyncSession, identity: ExternalIdentity, now: datetime
) -> User:
    """The local user of an admin-backend identity, created on first sight.

    An existing local account is linked by email only when nobody can sign in to it with a
    password (made by an operator without one): otherwise whoever registered that email first
    would share the admin-backend user's account."""
    user = await _by_identity(session, identity)
    if user is not None:
        return user
    email = identity.email or f"{identity.subject}@external.invalid"
    existing = await get_by_email(session, email)
    if (
        existing is not None
        and existing.external_subject is None
        and existing.password_hash is None
    ):
        existing.external_issuer, existing.external_subject = identity.issuer, identity.subject
        await session.flush()
        log.info("external_user_linked", user_id=existing.id, issuer=identity.issuer)
        return existing
    if existing is not None:
        email = f"{identity.subject}@external.invalid"
    # Created in its own short transaction: the app fires several requests at first launch,
    # and a losing racer must be able to read the winner's row instead of failing.
    try:
        async with AsyncSession(session.bind) as own, own.begin():
            own.add(
                User(
                    email=email,
                    name=identity.name or email.split("@")[0],
                    password_hash=None,
                    external_issuer=identity.issuer,
                    external_subject=identity.subject,
                    created_at=now,
                )
            )
    except IntegrityError:
        log.info("external_user_created_concurrently", issuer=identity.issuer)
    user = await _by_identity(session, identity)
    if user is None:  # pragma: no cover - the insert above committed or lost to a committed one
        raise AppError("Could not create the user.", status_code=503, code="TRY_AGAIN")
    log.info("external_user_mapped", user_id=user.id, issuer=identity.issuer)
    return user


async def _by_identity(session: AsyncSession, identity: ExternalIdentity) -> User | None:
    result = await session.execute(
        select(User).where(
            User.external_issuer == identity.issuer, User.external_subject == identity.subject
        )
    )
    return result.scalar_one_or_none()
