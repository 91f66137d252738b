"""Step 3: ``POST /api/amo-crm/exchange-code``. The app presents the completion code from the
hand-over page; the pending connection on the flow becomes the caller's connection, for the
caller only (the flow's user, the JWT's user and, when the app sent a challenge, its verifier
must all agree)."""

from __future__ import annotations

import hmac
from datetime import datetime

import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.oauth.flows import challenge_of, sha256_hex
from foryou_crm.amocrm.oauth.models import OAuthFlow
from foryou_crm.connections import endings, repository
from foryou_crm.connections.models import AmoConnection
from foryou_crm.core.crypto import TokenCipher
from foryou_crm.core.db import affected_rows
from foryou_crm.core.errors import AppError, Forbidden

log = structlog.get_logger("foryou_crm.amocrm.flow")


class InvalidCompletionCode(AppError):
    """No flow for this state, or not this code (or already used for another connection)."""

    code = "INVALID_COMPLETION_CODE"
    message = "This connection link is not valid; start connecting amoCRM again."


class CompletionCodeExpired(AppError):
    """Older than ``completion_ttl_seconds`` (10 minutes unless configured)."""

    code = "COMPLETION_CODE_EXPIRED"
    message = "This connection link has expired; start connecting amoCRM again."


class AppVerifierMismatch(AppError):
    """The app that started the flow sent a challenge; this caller cannot answer it."""

    code = "APP_VERIFIER_MISMATCH"
    message = "This connection was started by another app instance."


def _verified(
    flow: OAuthFlow | None, *, user_id: int, code: str, app_verifier: str | None
) -> OAuthFlow:
    """The flow, if this caller may complete it with this code."""
    if flow is None:
        raise InvalidCompletionCode()
    if flow.user_id != user_id:
        log.warning("exchange_code_user_mismatch", user_id=user_id)
        raise Forbidden(
            "This amoCRM connection was started by another user.", code="STATE_USER_MISMATCH"
        )
    if flow.completion_hash is None or not hmac.compare_digest(
        flow.completion_hash, sha256_hex(code)
    ):
        raise InvalidCompletionCode()
    if flow.app_challenge is not None and (
        app_verifier is None
        or not hmac.compare_digest(flow.app_challenge, challenge_of(app_verifier))
    ):
        raise AppVerifierMismatch()
    return flow


async def complete_flow(
    session: AsyncSession,
    cipher: TokenCipher,
    now: datetime,
    *,
    user_id: int,
    code: str,
    state: str,
    app_verifier: str | None,
) -> tuple[AmoConnection, bool]:
    """Activate the pending connection for the caller only -> (connection, newly_activated).
    The same call again answers the same connection."""
    found = (
        await session.execute(
            select(OAuthFlow).where(OAuthFlow.state_hash == sha256_hex(state)).with_for_update()
        )
    ).scalar_one_or_none()
    flow = _verified(found, user_id=user_id, code=code, app_verifier=app_verifier)
    if flow.completed_at is None:
        assert flow.completion_expires_at is not None
        if flow.completion_expires_at <= now:
            raise CompletionCodeExpired()
        # Claim the flow atomically (SQLite ignores FOR UPDATE): of concurrent calls with the
        # same code exactly one activates; the others answer like a repeated call.
        claimed = await affected_rows(
            session,
            update(OAuthFlow)
            .where(OAuthFlow.id == flow.id, OAuthFlow.completed_at.is_(None))
            .values(completed_at=now)
            .execution_options(synchronize_session=False),
        )
        if claimed == 1:
            return await _activate(session, cipher, flow, now), True
    await session.refresh(flow)
    existing = await repository.connection_of(session, user_id)
    if existing is not None and existing.id == flow.connection_id:
        return existing, False  # the same call again: same result
    raise InvalidCompletionCode()


async def _activate(
    session: AsyncSession, cipher: TokenCipher, flow: OAuthFlow, now: datetime
) -> AmoConnection:
    """The flow's pending connection replaces the user's previous one (its mirror goes with
    it, by cascade) and whatever ended it is no longer news; the flow keeps no tokens."""
    assert flow.access_token_enc and flow.refresh_token_enc and flow.token_expires_at
    assert flow.account_id is not None and flow.domain and flow.platform
    await repository.delete_for_user(session, flow.user_id)
    await endings.forget(session, flow.user_id)
    connection = AmoConnection(
        user_id=flow.user_id,
        account_id=flow.account_id,
        domain=flow.domain,
        platform=flow.platform,
        account_name=flow.account_name or "",
        amo_user_id=flow.amo_user_id,
        is_admin=bool(flow.is_admin),
        access_token_enc=flow.access_token_enc,
        refresh_token_enc=flow.refresh_token_enc,
        key_id=cipher.key_id(flow.access_token_enc),
        token_expires_at=flow.token_expires_at,
        needs_reconnect=False,
        connected_at=now,
        refreshed_at=now,
        updated_at=now,
    )
    session.add(connection)
    await session.flush()
    flow.completed_at = now
    flow.connection_id = connection.id
    flow.access_token_enc = flow.refresh_token_enc = None
    await session.flush()
    log.info(
        "exchange_code_completed",
        user_id=flow.user_id,
        account_id=connection.account_id,
        domain=connection.domain,
    )
    return connection
