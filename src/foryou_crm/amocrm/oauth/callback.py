"""Step 2: amoCRM sends the browser back to ``GET /api/amo-crm/callback`` after consent.

    verify_state → check_consent → trusted_account_host → exchange_code → store_tokens

Each step raises its own ``CallbackError``; ``handle`` runs them and answers where the browser
goes next (``HandOver``), and ``hand_back`` does the same for a failed step. The router turns
either into the page (``page.py``): a person is looking at a browser, so the answer is always
a page, never JSON."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import structlog
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.client import AmoCRMClient, AmoCRMTransport, TokenPair, request_tokens
from foryou_crm.amocrm.errors import AmoCRMError, AmoCRMForbidden, AmoCRMUnavailable
from foryou_crm.amocrm.hosts import account_base_url, allowed_account_host
from foryou_crm.amocrm.oauth.flows import fingerprint, hand_over_target, sha256_hex
from foryou_crm.amocrm.oauth.models import OAuthFlow
from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.connections.models import KOMMO, platform_name
from foryou_crm.core.config import Settings
from foryou_crm.core.db import affected_rows

log = structlog.get_logger("foryou_crm.amocrm.flow")

MAX_STATE_LENGTH = 128


class CallbackQuery(BaseModel):
    """What amoCRM puts on the callback URL (also ``client_id``, unused). No limits at the
    query level: a 422 JSON body would strand the person in the browser; odd values fail a
    step instead."""

    model_config = ConfigDict(frozen=True)

    code: str | None = None
    state: str | None = None
    referer: str | None = None
    platform: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class HandOver:
    error: str | None  # the machine code the page and the app show; None on success
    target: str | None  # where the page sends the browser; None: no app to go back to


# --- the steps' errors ---------------------------------------------------------------------


class CallbackError(Exception):
    """A step failed. ``flow``: the flow the state named, when one did (the browser is then
    sent back to the app that started it, with ``code`` as the error)."""

    code: ClassVar[str]
    # Whether the failure is the flow's outcome (stored on it); a replayed state is not.
    is_outcome: ClassVar[bool] = True

    def __init__(self, flow: OAuthFlow | None, state: str) -> None:
        super().__init__(self.code)
        self.flow = flow
        self.state = state


class StateInvalid(CallbackError):
    """Unknown, already used or expired: nothing else is done."""

    code = "state_invalid"
    is_outcome = False


class ConsentDeclined(CallbackError):
    code = "access_denied"


class NoAuthorizationCode(CallbackError):
    """amoCRM came back with another error, or without a code."""

    code = "exchange_failed"


class RefererNotAllowed(CallbackError):
    """``referer`` decides where the client secret is sent: refused before any request."""

    code = "referer_not_allowed"


class AmoCRMNotAnswering(CallbackError):
    code = "amocrm_unavailable"


class ExchangeRefused(CallbackError):
    code = "exchange_failed"


# --- the steps -----------------------------------------------------------------------------


def _well_formed(state: str | None) -> bool:
    return (
        bool(state)
        and len(state or "") <= MAX_STATE_LENGTH
        and (state or "").replace("-", "").replace("_", "").isalnum()
    )


async def verify_state(session: AsyncSession, state: str, now: datetime) -> OAuthFlow:
    """The flow ``state`` names, marked used. The mark is committed at once, so a replay can
    never pass, whatever happens later in this request (the one commit a route makes before
    it returns; the rest of the callback is committed by the request as usual)."""
    if not _well_formed(state):
        log.warning("amocrm_callback_state_rejected", known_flow=False)
        raise StateInvalid(None, state)
    state_hash = sha256_hex(state)
    consumed = await affected_rows(
        session,
        update(OAuthFlow)
        .where(
            OAuthFlow.state_hash == state_hash,
            OAuthFlow.consumed_at.is_(None),
            OAuthFlow.expires_at > now,
        )
        .values(consumed_at=now)
        .execution_options(synchronize_session=False),
    )
    flow = (
        await session.execute(select(OAuthFlow).where(OAuthFlow.state_hash == state_hash))
    ).scalar_one_or_none()
    await session.commit()
    if consumed != 1 or flow is None:
        # A known flow replayed or expired: that app is told, nothing else is done.
        log.warning("amocrm_callback_state_rejected", known_flow=flow is not None)
        raise StateInvalid(flow, state)
    return flow


def check_consent(flow: OAuthFlow, query: CallbackQuery, state: str) -> str:
    """amoCRM's authorization code, if the person allowed access."""
    if query.error is not None or not query.code:
        error: type[CallbackError] = (
            ConsentDeclined if query.error == "access_denied" else NoAuthorizationCode
        )
        log.info("amocrm_consent_declined", user_id=flow.user_id, error=error.code)
        raise error(flow, state)
    return query.code


def trusted_account_host(
    settings: Settings, flow: OAuthFlow, referer: str | None, state: str
) -> str:
    domain = allowed_account_host(settings, referer)
    if domain is None:
        log.warning("amocrm_referer_refused", user_id=flow.user_id)
        raise RefererNotAllowed(flow, state)
    return domain


@dataclass(frozen=True)
class Exchanged:
    """What amoCRM gave for the code: the token pair and the account it opens."""

    tokens: TokenPair
    account: dict[str, Any]
    is_admin: bool


async def exchange_code(
    transport: AmoCRMTransport,
    settings: Settings,
    flow: OAuthFlow,
    *,
    domain: str,
    code: str,
    state: str,
) -> Exchanged:
    base_url = account_base_url(settings, domain)
    try:
        pair = await request_tokens(
            transport,
            base_url=base_url,
            account=domain,
            client_id=settings.amocrm_client_id,
            client_secret=settings.amocrm_client_secret.get_secret_value(),
            redirect_uri=settings.redirect_uri,
            grant={"grant_type": "authorization_code", "code": code},
        )
        log.info("amocrm_code_exchanged", user_id=flow.user_id, domain=domain)
        client = AmoCRMClient(
            transport, base_url=base_url, account=domain, access_token=pair.access_token
        )
        return Exchanged(pair, await client.get_account(), await _is_admin(client))
    except AmoCRMUnavailable as exc:
        log.warning("amocrm_exchange_unavailable", user_id=flow.user_id, domain=domain)
        raise AmoCRMNotAnswering(flow, state) from exc
    except AmoCRMError as exc:
        log.warning(
            "amocrm_exchange_failed",
            user_id=flow.user_id,
            domain=domain,
            error_code=exc.code,
            hint=exc.hint,
        )
        raise ExchangeRefused(flow, state) from exc


async def _is_admin(client: AmoCRMClient) -> bool:
    """Only admins may read users; one cheap call tells us what this token may do."""
    try:
        await client.get_users_page()
    except AmoCRMForbidden:
        return False
    return True


async def store_tokens(
    session: AsyncSession,
    tokens: TokenManager,
    flow: OAuthFlow,
    exchanged: Exchanged,
    *,
    domain: str,
    platform: str | None,
    completion_expires_at: datetime,
) -> str:
    """The pending connection on the flow, tokens encrypted for this user; returns the
    completion code the app will present (only its hash is kept)."""
    account = exchanged.account
    access, refresh, expires = tokens.seal(flow.user_id, exchanged.tokens)
    completion = secrets.token_urlsafe(32)
    flow.account_id = int(account["id"])
    flow.domain = domain
    flow.platform = KOMMO if platform == "2" or platform_name(None, domain) == "kommo" else 1
    flow.account_name = str(account.get("name") or "")[:255]
    flow.amo_user_id = int(account["current_user_id"]) if account.get("current_user_id") else None
    flow.access_token_enc, flow.refresh_token_enc, flow.token_expires_at = access, refresh, expires
    flow.completion_hash = sha256_hex(completion)
    flow.completion_expires_at = completion_expires_at
    flow.is_admin = exchanged.is_admin
    flow.error = None
    await session.flush()
    log.info(
        "amocrm_tokens_saved",
        user_id=flow.user_id,
        account_id=flow.account_id,
        domain=domain,
        pending_completion=True,
    )
    return completion


# --- the whole callback --------------------------------------------------------------------


async def handle(
    session: AsyncSession,
    query: CallbackQuery,
    *,
    settings: Settings,
    now: datetime,
    transport: AmoCRMTransport,
    tokens: TokenManager,
) -> HandOver:
    """Every step in turn; raises the failed step's ``CallbackError``."""
    state = query.state or ""
    log.info(
        "amocrm_callback_received",
        has_code=bool(query.code),
        state_fingerprint=fingerprint(state) if _well_formed(state) else None,
        referer=allowed_account_host(settings, query.referer) or "(not allowed)",
        amocrm_error=_error_kind(query.error),
    )
    flow = await verify_state(session, state, now)
    code = check_consent(flow, query, state)
    domain = trusted_account_host(settings, flow, query.referer, state)
    exchanged = await exchange_code(
        transport, settings, flow, domain=domain, code=code, state=state
    )
    completion = await store_tokens(
        session,
        tokens,
        flow,
        exchanged,
        domain=domain,
        platform=query.platform,
        completion_expires_at=now + timedelta(seconds=settings.completion_ttl_seconds),
    )
    return HandOver(None, _target(settings, flow, {"code": completion, "state": state}))


def hand_back(settings: Settings, failed: CallbackError) -> HandOver:
    """Where the browser goes after a failed step: back to the app that started the flow (when
    the state named one), told which step failed. The failure is stored as the flow's outcome."""
    flow = failed.flow
    if flow is None:
        return HandOver(failed.code, None)
    if failed.is_outcome:
        flow.error = failed.code
    return HandOver(
        failed.code, _target(settings, flow, {"error": failed.code, "state": failed.state})
    )


def _target(settings: Settings, flow: OAuthFlow, params: dict[str, str]) -> str:
    return hand_over_target(
        settings, client_kind=flow.client_kind, return_to=flow.return_to, params=params
    )


def _error_kind(error: str | None) -> str | None:
    """amoCRM's ``error`` for the log: only the value we know, never free text."""
    if error is None:
        return None
    return error if error == "access_denied" else "other"
