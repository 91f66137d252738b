"""Ending connections: the agent's "disconnect", an administrator removing a user's connection,
and amoCRM's uninstall hook (the integration was switched off for an account). Either way the
connection goes (its mirror with it, by cascade), and so do the tokens a half-finished connect
attempt still holds; why and when is kept for the status (``connections.endings``)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.oauth.flows import forget_pending_tokens
from foryou_crm.amocrm.oauth.models import OAuthFlow
from foryou_crm.connections import endings
from foryou_crm.connections.models import EndReason
from foryou_crm.core.config import Settings
from foryou_crm.core.errors import Forbidden

log = structlog.get_logger("foryou_crm.amocrm.flow")


async def end_user_connection(
    session: AsyncSession, *, user_id: int, reason: EndReason, at: datetime
) -> bool:
    """Delete the user's tokens and everything stored for that connection, keeping ``reason``
    for the status. Idempotent; no other user's connection is touched, even one to the same
    amoCRM account.

    ``reason``: ``"agent_disconnected"`` for the agent's own «Відключити AMO CRM»,
    ``"admin_removed"`` when an administrator of this service removes it (user administration
    calls this; the request's session commits it)."""
    removed = await endings.end_for_user(session, user_id=user_id, reason=reason, at=at)
    await forget_pending_tokens(session, OAuthFlow.user_id == user_id)
    log.info("amocrm_disconnected", user_id=user_id, reason=reason, had_connection=removed)
    return removed


def _expected_signature(client_id: str, client_secret: str, account_id: int) -> str:
    message = f"{client_id}|{account_id}".encode()
    return hmac.new(client_secret.encode(), message, hashlib.sha256).hexdigest()


def _signed_account(
    settings: Settings, client_uuid: str | None, account_id: str | None, signature: str | None
) -> int | None:
    """The account id, if the hook is signed with our client secret; None otherwise."""
    if client_uuid is None or account_id is None or signature is None:
        return None
    if not (account_id.isascii() and account_id.isdigit() and len(account_id) <= 18):
        return None
    expected = _expected_signature(
        settings.amocrm_client_id,
        settings.amocrm_client_secret.get_secret_value(),
        int(account_id),
    )
    # Bytes, not str: compare_digest refuses non-ASCII str (a 500 for anyone's input).
    if hmac.compare_digest(
        client_uuid.encode(), settings.amocrm_client_id.encode()
    ) and hmac.compare_digest(signature.lower().encode(), expected.encode()):
        return int(account_id)
    return None


async def uninstall_account(
    session: AsyncSession,
    settings: Settings,
    *,
    client_uuid: str | None,
    account_id: str | None,
    signature: str | None,
    at: datetime,
) -> int:
    """amoCRM says the integration was switched off for an account: drop every connection to
    it (each user sees ``integration_removed``). Returns how many there were."""
    account = _signed_account(settings, client_uuid, account_id, signature)
    if account is None:
        log.warning("amocrm_uninstall_hook_rejected")
        raise Forbidden("The uninstall hook's signature does not verify.", code="INVALID_SIGNATURE")
    removed = await endings.end_for_account(
        session, account_id=account, reason="integration_removed", at=at
    )
    await forget_pending_tokens(session, OAuthFlow.account_id == account)
    log.info("amocrm_uninstall_hook", account_id=account, connections_removed=removed)
    return removed
