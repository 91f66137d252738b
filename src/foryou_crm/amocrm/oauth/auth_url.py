"""Step 1: the consent URL the app opens in the browser, with a one-time ``state`` bound to
the user who asked for it."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from urllib.parse import urlencode

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.hosts import authorize_base
from foryou_crm.amocrm.oauth.flows import fingerprint, sha256_hex
from foryou_crm.amocrm.oauth.models import ClientKind, OAuthFlow
from foryou_crm.amocrm.oauth.schemas import AuthUrlOut
from foryou_crm.core.config import Settings
from foryou_crm.core.errors import AppError

log = structlog.get_logger("foryou_crm.amocrm.flow")


class ReturnToNotAllowed(AppError):
    code = "RETURN_TO_NOT_ALLOWED"
    message = "returnTo is not an allowed address."


async def start_flow(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    *,
    user_id: int,
    client_kind: ClientKind,
    app_challenge: str | None,
    return_to: str | None,
) -> AuthUrlOut:
    if return_to is not None and (
        client_kind != "web" or return_to not in settings.web_return_to_allowlist
    ):
        raise ReturnToNotAllowed()
    state = secrets.token_urlsafe(32)  # 256 random bits
    expires_at = now + timedelta(seconds=settings.state_ttl_seconds)
    session.add(
        OAuthFlow(
            user_id=user_id,
            state_hash=sha256_hex(state),
            client_kind=client_kind,
            app_challenge=app_challenge,
            return_to=return_to,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()
    query = urlencode(
        {"client_id": settings.amocrm_client_id, "state": state, "mode": "post_message"}
    )
    log.info(
        "oauth_flow_started",
        user_id=user_id,
        client=client_kind,
        state_fingerprint=fingerprint(state),
        with_app_challenge=app_challenge is not None,
    )
    return AuthUrlOut(
        url=f"{authorize_base(settings)}/oauth?{query}", state=state, expires_at=expires_at
    )
