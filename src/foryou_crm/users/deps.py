"""The current user, from ``Authorization: Bearer <JWT>`` (ours, or the admin backend's)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Protocol, TypeVar

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.core.abuse import Action
from foryou_crm.core.direct import DirectReads
from foryou_crm.core.errors import Forbidden, Unauthorized
from foryou_crm.core.logging import bind_context
from foryou_crm.core.security import decode_access_token
from foryou_crm.services import Services, ServicesDep, SessionDep
from foryou_crm.users.models import User
from foryou_crm.users.service import user_for_external_identity

bearer = HTTPBearer(auto_error=False, description="The app's JWT")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


class Principal(Protocol):
    """What ``authenticate`` checks of the user a loader read: a mapped ``User``, or the
    lighter view the busiest routes read (``connections.views.UserView``)."""

    @property
    def id(self) -> int: ...
    @property
    def token_version(self) -> int: ...
    @property
    def disabled_at(self) -> datetime | None: ...


P = TypeVar("P", bound=Principal)
Extra = TypeVar("Extra")
# What the user is read through: the request's session, or (the busiest routes, which read
# without the ORM) the direct reads.
Reader = TypeVar("Reader", AsyncSession, DirectReads)
# Reads the user by id together with whatever else the route needs, in one query.
UserLoader = Callable[[Reader, int], Awaitable[tuple[P | None, Extra]]]


async def _user_only(session: AsyncSession, user_id: int) -> tuple[User | None, None]:
    return await session.get(User, user_id), None


async def authenticate(
    request: Request,
    services: Services,
    session: Reader,
    credentials: HTTPAuthorizationCredentials | None,
    load: UserLoader[Reader, P, Extra],
) -> tuple[P, Extra]:
    """The bearer's user, checked (exists, token version, not disabled), and what ``load``
    read with it: a route that needs the user's connection too gets both in one round trip."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("Missing bearer token.")
    token = credentials.credentials
    settings = services.settings
    now = services.clock.now()
    verifier = services.external_jwt
    issuer = None
    if verifier is not None:
        # Which verifier applies depends on the (not yet verified) issuer.
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.InvalidTokenError as exc:
            raise Unauthorized("Malformed bearer token.") from exc
    # Only the token's checks are in the ``try``: a failing database read is a server error,
    # not a bad token (asyncpg's DataError is a ValueError).
    try:
        if verifier is not None and verifier.issuer and issuer == verifier.issuer:
            identity, claims = await verifier.verify(token, now), None
        else:
            claims = decode_access_token(
                token,
                secret=settings.jwt_secret.get_secret_value(),
                issuer=settings.jwt_issuer,
                now=now,
            )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired.", code="TOKEN_EXPIRED") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError, jwt.PyJWKClientError) as exc:
        raise Unauthorized("Invalid bearer token.") from exc
    if claims is None:
        # Mapping the identity may create or link the user: a write, in a transaction of its
        # own, whatever the route reads with (the busiest routes read with direct reads,
        # which cannot write).
        async with services.sessionmaker() as own:
            known = await user_for_external_identity(own, identity, now)
            await own.commit()
        loaded, extra = await load(session, known.id)
        if loaded is None:  # deleted between the two reads
            raise Unauthorized("The user of this token no longer exists.")
        user = loaded
    else:
        found, extra = await load(session, claims["sub"])
        if found is None:
            raise Unauthorized("The user of this token no longer exists.")
        if claims["ver"] != found.token_version:
            raise Unauthorized(
                "This token was revoked (the password was reset); sign in again.",
                code="TOKEN_REVOKED",
            )
        user = found
    # Checked on every request against the row as read now or as kept until
    # a change's notice (``connections.principals``): disabling takes effect at once, on the
    # other processes within the milliseconds the notice takes.
    if user.disabled_at is not None:
        raise Unauthorized(
            "This account is disabled; ask your administrator.", code="USER_DISABLED"
        )
    request.state.user_id = user.id
    bind_context(user_id=user.id)  # on every later line of the request, its access line too
    return user, extra


async def current_user(
    request: Request, services: ServicesDep, session: SessionDep, credentials: BearerDep
) -> User:
    user, _ = await authenticate(request, services, session, credentials, _user_only)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def client_address(request: Request) -> str:
    """The client's address as the trusted proxies tell it (``FORYOU_FORWARDED_ALLOW_IPS``)."""
    return request.client.host if request.client else "unknown"


def limited(action: Action) -> Callable[[Request, ServicesDep, User], Awaitable[User]]:
    """The current user, once ``action`` is within its abuse limits for this user and this
    client address (core/abuse.py). Checked after the JWT and before anything else, so the
    order an endpoint answers in is 401 → 429 → 409 → 422."""

    async def within_limits(request: Request, services: ServicesDep, user: CurrentUser) -> User:
        await services.abuse.hit(action, "user", str(user.id))
        await services.abuse.hit(action, "address", client_address(request))
        return user

    return within_limits


async def current_admin(user: CurrentUser) -> User:
    """The current user if an administrator (``users create --admin``, ``users promote``),
    else 403 ``FORBIDDEN``."""
    if not user.is_admin:
        raise Forbidden("Administrators only.")
    return user


CurrentAdmin = Annotated[User, Depends(current_admin)]
