"""What the steps of the flow share: how secrets are kept (hashes only), where the browser is
sent back to, and forgetting the tokens a flow still holds.

amoCRM's authorization code never leaves the server. The app receives our own one-time
completion code, worthless without the JWT of the user who started the flow (and the app
verifier when the app sent a challenge)."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.oauth.models import ClientKind, OAuthFlow
from foryou_crm.core.config import Settings


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def fingerprint(value: str) -> str:
    """A short, non-reversible tag for logs: lets operators correlate one flow's lines."""
    return sha256_hex(value)[:10]


def challenge_of(verifier: str) -> str:
    """PKCE's S256: the challenge the app sent for the verifier it shows at completion."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hand_over_target(
    settings: Settings,
    *,
    client_kind: ClientKind,
    return_to: str | None,
    params: dict[str, str],
) -> str:
    """Where the callback page sends the browser: the app's deep link, or the web screen."""
    if client_kind == "mobile":
        base = settings.app_callback_url
    else:
        base = return_to or f"{settings.public_base_url.rstrip('/')}/app/amo-crm/callback"
    return f"{base}?{urlencode(params)}"


async def forget_pending_tokens(session: AsyncSession, which: ColumnElement[bool]) -> None:
    """Flows that got tokens at the callback but were never completed keep them encrypted until
    then; disconnect and the uninstall hook take them (and the completion code) away."""
    await session.execute(
        update(OAuthFlow)
        .where(which, OAuthFlow.access_token_enc.is_not(None))
        .values(access_token_enc=None, refresh_token_enc=None, completion_hash=None)
    )


async def purge_stale_flows(session: AsyncSession, now: datetime) -> None:
    """Unfinished flows keep encrypted tokens only until their completion code expires."""
    await session.execute(
        update(OAuthFlow)
        .where(OAuthFlow.completion_expires_at < now, OAuthFlow.access_token_enc.is_not(None))
        .values(access_token_enc=None, refresh_token_enc=None)
    )
    await session.execute(delete(OAuthFlow).where(OAuthFlow.expires_at < now - timedelta(days=1)))
