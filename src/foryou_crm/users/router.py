from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, Request

from foryou_crm.core.errors import Forbidden, TooManyRequests, error_responses
from foryou_crm.core.schemas import Envelope
from foryou_crm.core.security import issue_access_token
from foryou_crm.services import Services, ServicesDep, SessionDep
from foryou_crm.users import service
from foryou_crm.users.deps import CurrentUser
from foryou_crm.users.models import User
from foryou_crm.users.schemas import LoginIn, RegisterIn, TokenOut, UserOut

router = APIRouter(prefix="/api/auth", tags=["auth"])
log = structlog.get_logger("foryou_crm.auth")


def _token_for(services: Services, user: User) -> dict[str, Any]:
    settings = services.settings
    issued = issue_access_token(
        user_id=user.id,
        version=user.token_version,
        secret=settings.jwt_secret.get_secret_value(),
        issuer=settings.jwt_issuer,
        ttl_seconds=settings.jwt_ttl_seconds,
        now=services.clock.now(),
    )
    out = TokenOut(
        access_token=issued.token,
        expires_in=issued.expires_in,
        user=UserOut(id=user.id, email=user.email, name=user.name),
    )
    return {"success": True, "data": out.model_dump(by_alias=True)}


@router.post(
    "/login",
    response_model=Envelope[TokenOut],
    responses=error_responses(
        401,
        403,
        422,
        429,
        codes={401: ("INVALID_CREDENTIALS",), 403: ("USER_DISABLED",), 429: ("TOO_MANY_ATTEMPTS",)},
    ),
)
async def login(
    body: LoginIn, request: Request, services: ServicesDep, session: SessionDep
) -> dict[str, Any]:
    throttle = services.login_throttle
    client = request.client.host if request.client else "unknown"
    wait = await throttle.attempt(body.email, client)
    if wait:
        log.warning("login_throttled", retry_after=wait)
        raise TooManyRequests(
            "Too many failed sign-ins; try again later.", code="TOO_MANY_ATTEMPTS", retry_after=wait
        )
    try:
        user = await service.authenticate(session, email=body.email, password=body.password)
    except service.InvalidCredentials:
        log.info("login_failed")
        raise
    await throttle.succeeded(body.email, client)
    log.info("login_succeeded", user_id=user.id)
    return _token_for(services, user)


@router.post(
    "/register",
    status_code=201,
    response_model=Envelope[TokenOut],
    responses=error_responses(
        403, 409, 422, codes={403: ("REGISTRATION_DISABLED",), 409: ("EMAIL_TAKEN",)}
    ),
)
async def register(body: RegisterIn, services: ServicesDep, session: SessionDep) -> dict[str, Any]:
    if not services.settings.registration_enabled:
        raise Forbidden("Registration is disabled.", code="REGISTRATION_DISABLED")
    user = await service.create_user(
        session,
        email=body.email,
        password=body.password,
        name=body.name,
        now=services.clock.now(),
    )
    return _token_for(services, user)


@router.get("/me", response_model=Envelope[UserOut], responses=error_responses(401))
async def me(user: CurrentUser) -> dict[str, Any]:
    return {
        "success": True,
        "data": UserOut(id=user.id, email=user.email, name=user.name).model_dump(by_alias=True),
    }
