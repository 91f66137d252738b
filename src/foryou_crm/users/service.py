"""App users: registration, sign-in, and mapping external identities to local users."""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.core.errors import AppError, Conflict
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


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email.lower()))
    return result.scalar_one_or_none()


async def create_user(
    session: AsyncSession, *, email: str, password: str | None, name: str, now: datetime
) -> User:
    email = email.lower()
    if await get_by_email(session, email) is not None:
        raise EmailTaken()
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=hash_password(password) if password else None,
        created_at=now,
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
    if not verify_password(user.password_hash if user else None, password) or user is None:
        raise InvalidCredentials()
    return user


async def user_for_external_identity(
    session: AsyncSession, identity: ExternalIdentity, now: datetime
) -> User:
    """The local user of an admin-backend identity, created (or linked by email) on first sight."""
    result = await session.execute(
        select(User).where(
            User.external_issuer == identity.issuer, User.external_subject == identity.subject
        )
    )
    user = result.scalar_one_or_none()
    if user is not None:
        return user
    email = identity.email or f"{identity.subject}@external.invalid"
    user = await get_by_email(session, email)
    if user is not None and user.external_subject is None:
        user.external_issuer, user.external_subject = identity.issuer, identity.subject
    else:
        if user is not None:  # the email belongs to another external identity
            email = f"{identity.subject}@external.invalid"
        user = User(
            email=email,
            name=identity.name or email.split("@")[0],
            password_hash=None,
            external_issuer=identity.issuer,
            external_subject=identity.subject,
            created_at=now,
        )
        session.add(user)
    await session.flush()
    log.info("external_user_mapped", user_id=user.id, issuer=identity.issuer)
    return user
