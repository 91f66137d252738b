"""The connect flow: auth URL → amoCRM consent → our callback → exchange-code → status →
disconnect, and amoCRM's uninstall hook.

amoCRM's authorization code never leaves the server. The app receives our own one-time completion
code, worthless without the JWT of the user who started the flow (and the app verifier when the
app sent a challenge)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlencode

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foryou_crm.amocrm.client import AmoCRMClient, AmoCRMTransport, request_tokens
from foryou_crm.amocrm.errors import AmoCRMError, AmoCRMForbidden, AmoCRMUnavailable
from foryou_crm.amocrm.hosts import account_base_url, allowed_account_host, authorize_base
from foryou_crm.amocrm.models import OAuthFlow
from foryou_crm.amocrm.schemas import AuthUrlOut
from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.connections import repository
from foryou_crm.connections.models import AmoConnection, platform_name
from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from foryou_crm.core.errors import AppError, Forbidden

log = structlog.get_logger("foryou_crm.amocrm.flow")

ClientKind = Literal["mobile", "web"]


_URLSAFE = re.compile(r"[A-Za-z0-9_-]{16,128}")


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def fingerprint(value: str) -> str:
    """A short, non-reversible tag for logs: lets operators correlate one flow's lines."""
    return sha256_hex(value)[:10]


def challenge_of(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class InvalidCompletionCode(AppError):
    code = "INVALID_COMPLETION_CODE"
    message = "This connection link is not valid; start connecting amoCRM again."


class CompletionCodeExpired(AppError):
    code = "COMPLETION_CODE_EXPIRED"
    message = "This connection link has expired; start connecting amoCRM again."


class AppVerifierMismatch(AppError):
    code = "APP_VERIFIER_MISMATCH"
    message = "This connection was started by another app instance."


class ReturnToNotAllowed(AppError):
    code = "RETURN_TO_NOT_ALLOWED"
    message = "returnTo is not an allowed address."


@dataclass
class FlowDeps:
    settings: Settings
    clock: Clock
    transport: AmoCRMTransport
    tokens: TokenManager
    sessionmaker: async_sessionmaker[AsyncSession]


# --- 1. auth URL -------------------------------------------------------------------------------


async def start_flow(
    session: AsyncSession,
    deps: FlowDeps,
    *,
    user_id: int,
    client_kind: ClientKind,
    app_challenge: str | None,
    return_to: str | None,
) -> AuthUrlOut:
    settings = deps.settings
    if return_to is not None and (
        client_kind != "web" or return_to not in settings.web_return_to_allowlist
    ):
        raise ReturnToNotAllowed()
    now = deps.clock.now()
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


# --- 2. callback -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackOutcome:
    error: str | None  # machine code, or None on success
    client_kind: ClientKind | None  # None: the state matched no flow at all
    target: str | None


def hand_over_target(
    settings: Settings,
    *,
    client_kind: ClientKind,
    return_to: str | None,
    params: dict[str, str],
) -> str:
    if client_kind == "mobile":
        base = settings.app_callback_url
    else:
        base = return_to or f"{settings.public_base_url.rstrip('/')}/app/amo-crm/callback"
    return f"{base}?{urlencode(params)}"


async def _consume_state(deps: FlowDeps, state: str) -> OAuthFlow | None:
    """Atomically mark the flow used; commits at once so a replay can never pass, whatever
    happens later in this request. None: unknown, already used, or expired."""
    now = deps.clock.now()
    state_hash = sha256_hex(state)
    async with deps.sessionmaker() as session, session.begin():
        result = await session.execute(
            update(OAuthFlow)
            .where(
                OAuthFlow.state_hash == state_hash,
                OAuthFlow.consumed_at.is_(None),
                OAuthFlow.expires_at > now,
            )
            .values(consumed_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
    return await _flow_by_state(deps, state)


async def _flow_by_state(deps: FlowDeps, state: str) -> OAuthFlow | None:
    async with deps.sessionmaker() as session:
        return (
            await session.execute(
                select(OAuthFlow).where(OAuthFlow.state_hash == sha256_hex(state))
            )
        ).scalar_one_or_none()


async def handle_callback(
    session: AsyncSession,
    deps: FlowDeps,
    *,
    code: str | None,
    state: str | None,
    referer: str | None,
    platform: str | None,
    error: str | None,
) -> CallbackOutcome:
    settings = deps.settings
    state_ok = (
        bool(state)
        and len(state or "") <= 128
        and (state or "").replace("-", "").replace("_", "").isalnum()
    )
    log.info(
        "amocrm_callback_received",
        has_code=bool(code),
        state_fingerprint=fingerprint(state) if state_ok and state else None,
        referer=allowed_account_host(settings, referer) or "(not allowed)",
        amocrm_error=error if error in ("access_denied",) else ("other" if error else None),
    )
    flow = await _consume_state(deps, state) if state_ok and state else None
    if flow is None:
        known = await _flow_by_state(deps, state) if state_ok and state else None
        log.warning("amocrm_callback_state_rejected", known_flow=known is not None)
        if known is None:
            return CallbackOutcome("state_invalid", None, None)
        # A known flow replayed or expired: tell that app, without doing anything else.
        target = hand_over_target(
            settings,
            client_kind=known.client_kind,  # type: ignore[arg-type]
            return_to=known.return_to,
            params={"error": "state_invalid", "state": state or ""},
        )
        return CallbackOutcome("state_invalid", known.client_kind, target)  # type: ignore[arg-type]

    flow = await session.merge(flow)
    kind: ClientKind = flow.client_kind  # type: ignore[assignment]

    def outcome(err: str | None, params: dict[str, str]) -> CallbackOutcome:
        flow.error = err
        return CallbackOutcome(
            err,
            kind,
            hand_over_target(settings, client_kind=kind, return_to=flow.return_to, params=params),
        )

    assert state is not None
    if error is not None or not code:
        err = "access_denied" if error == "access_denied" else "exchange_failed"
        log.info("amocrm_consent_declined", user_id=flow.user_id, error=err)
        return outcome(err, {"error": err, "state": state})
    domain = allowed_account_host(settings, referer)
    if domain is None:
        # Refused before any outbound request: `referer` decides where the client secret goes.
        log.warning("amocrm_referer_refused", user_id=flow.user_id)
        return outcome("referer_not_allowed", {"error": "referer_not_allowed", "state": state})
    try:
        pair = await request_tokens(
            deps.transport,
            base_url=account_base_url(settings, domain),
            account=domain,
            client_id=settings.amocrm_client_id,
            client_secret=settings.amocrm_client_secret.get_secret_value(),
            redirect_uri=settings.redirect_uri,
            grant={"grant_type": "authorization_code", "code": code},
        )
        log.info("amocrm_code_exchanged", user_id=flow.user_id, domain=domain)
        client = AmoCRMClient(
            deps.transport,
            base_url=account_base_url(settings, domain),
            account=domain,
            access_token=pair.access_token,
        )
        account = await client.get_account()
        is_admin = await _is_admin(client)
    except AmoCRMUnavailable:
        log.warning("amocrm_exchange_unavailable", user_id=flow.user_id, domain=domain)
        return outcome("amocrm_unavailable", {"error": "amocrm_unavailable", "state": state})
    except AmoCRMError as exc:
        log.warning(
            "amocrm_exchange_failed",
            user_id=flow.user_id,
            domain=domain,
            error_code=exc.code,
            hint=exc.hint,
        )
        return outcome("exchange_failed", {"error": "exchange_failed", "state": state})

    access, refresh, expires = deps.tokens.seal(flow.user_id, pair)
    now = deps.clock.now()
    completion = secrets.token_urlsafe(32)
    flow.account_id = int(account["id"])
    flow.domain = domain
    flow.platform = 2 if platform == "2" or platform_name(None, domain) == "kommo" else 1
    flow.account_name = str(account.get("name") or "")[:255]
    flow.amo_user_id = int(account["current_user_id"]) if account.get("current_user_id") else None
    flow.access_token_enc, flow.refresh_token_enc, flow.token_expires_at = access, refresh, expires
    flow.completion_hash = sha256_hex(completion)
    flow.completion_expires_at = now + timedelta(seconds=settings.completion_ttl_seconds)
    flow.is_admin = is_admin
    await session.flush()
    log.info(
        "amocrm_tokens_saved",
        user_id=flow.user_id,
        account_id=flow.account_id,
        domain=domain,
        pending_completion=True,
    )
    return outcome(None, {"code": completion, "state": state})


async def _is_admin(client: AmoCRMClient) -> bool:
    """Only admins may read users; one cheap call tells us what this token may do."""
    try:
        await client.get_users_page()
    except AmoCRMForbidden:
        return False
    return True


# --- 3. exchange-code (completion) -------------------------------------------------------------


async def complete_flow(
    session: AsyncSession,
    deps: FlowDeps,
    *,
    user_id: int,
    code: str,
    state: str,
    app_verifier: str | None,
) -> tuple[AmoConnection, bool]:
    """Activate the pending connection for the caller only -> (connection, newly_activated)."""
    now = deps.clock.now()
    flow = (
        await session.execute(
            select(OAuthFlow).where(OAuthFlow.state_hash == sha256_hex(state)).with_for_update()
        )
    ).scalar_one_or_none()
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
    if flow.completed_at is None:
        assert flow.completion_expires_at is not None
        if flow.completion_expires_at <= now:
            raise CompletionCodeExpired()
        # Claim the flow atomically (SQLite ignores FOR UPDATE): of concurrent calls with the
        # same code exactly one activates; the others answer like a repeated call.
        claimed = await session.execute(
            update(OAuthFlow)
            .where(OAuthFlow.id == flow.id, OAuthFlow.completed_at.is_(None))
            .values(completed_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return await _activate(session, deps, flow, user_id, now), True
    await session.refresh(flow)
    existing = await repository.connection_of(session, user_id)
    if existing is not None and existing.id == flow.connection_id:
        return existing, False  # the same call again: same result
    raise InvalidCompletionCode()


async def _activate(
    session: AsyncSession, deps: FlowDeps, flow: OAuthFlow, user_id: int, now: datetime
) -> AmoConnection:
    assert flow.access_token_enc and flow.refresh_token_enc and flow.token_expires_at
    assert flow.account_id is not None and flow.domain and flow.platform

    # Replace the caller's previous connection (its mirror goes with it, by cascade).
    await repository.delete_for_user(session, user_id)
    connection = AmoConnection(
        user_id=user_id,
        account_id=flow.account_id,
        domain=flow.domain,
        platform=flow.platform,
        account_name=flow.account_name or "",
        amo_user_id=flow.amo_user_id,
        is_admin=bool(flow.is_admin),
        access_token_enc=flow.access_token_enc,
        refresh_token_enc=flow.refresh_token_enc,
        key_id=deps.tokens.cipher.key_id(flow.access_token_enc),
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
        user_id=user_id,
        account_id=connection.account_id,
        domain=connection.domain,
    )
    return connection


# --- 4. status, disconnect, uninstall ----------------------------------------------------------


async def disconnect(session: AsyncSession, *, user_id: int) -> bool:
    """Delete the caller's tokens and everything stored for that connection. Idempotent; no other
    user's connection is touched, even one to the same amoCRM account."""
    removed = await repository.delete_for_user(session, user_id)
    await session.execute(
        update(OAuthFlow)
        .where(OAuthFlow.user_id == user_id, OAuthFlow.access_token_enc.is_not(None))
        .values(access_token_enc=None, refresh_token_enc=None, completion_hash=None)
    )
    log.info("amocrm_disconnected", user_id=user_id, had_connection=removed)
    return removed


def expected_signature(client_id: str, client_secret: str, account_id: int) -> str:
    message = f"{client_id}|{account_id}".encode()
    return hmac.new(client_secret.encode(), message, hashlib.sha256).hexdigest()


async def handle_uninstall(
    session: AsyncSession,
    settings: Settings,
    *,
    client_uuid: str | None,
    account_id: str | None,
    signature: str | None,
) -> int:
    """amoCRM says the integration was switched off for an account: drop every connection to it."""
    valid = (
        client_uuid is not None
        and account_id is not None
        and account_id.isascii()
        and account_id.isdigit()
        and len(account_id) <= 18
        and signature is not None
        # Bytes, not str: compare_digest refuses non-ASCII str (a 500 for anyone's input).
        and hmac.compare_digest(client_uuid.encode(), settings.amocrm_client_id.encode())
        and hmac.compare_digest(
            signature.lower().encode(),
            expected_signature(
                settings.amocrm_client_id,
                settings.amocrm_client_secret.get_secret_value(),
                int(account_id),
            ).encode(),
        )
    )
    if not valid:
        log.warning("amocrm_uninstall_hook_rejected")
        raise Forbidden("The uninstall hook's signature does not verify.", code="INVALID_SIGNATURE")
    assert account_id is not None
    removed = await repository.delete_for_account(session, int(account_id))
    await session.execute(
        update(OAuthFlow)
        .where(OAuthFlow.account_id == int(account_id), OAuthFlow.access_token_enc.is_not(None))
        .values(access_token_enc=None, refresh_token_enc=None, completion_hash=None)
    )
    log.info("amocrm_uninstall_hook", account_id=int(account_id), connections_removed=removed)
    return removed


async def purge_stale_flows(session: AsyncSession, now: datetime) -> None:
    """Unfinished flows keep encrypted tokens only until their completion code expires."""
    await session.execute(
        update(OAuthFlow)
        .where(OAuthFlow.completion_expires_at < now, OAuthFlow.access_token_enc.is_not(None))
        .values(access_token_enc=None, refresh_token_enc=None)
    )
    await session.execute(delete(OAuthFlow).where(OAuthFlow.expires_at < now - timedelta(days=1)))
