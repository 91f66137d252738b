"""Every amoCRM call gets its access token here.

- Refreshes ahead of expiry, and once more on a 401, retrying the call once.
- Single-flight per connection: an asyncio lock in this process, and ``SELECT … FOR UPDATE`` on
  PostgreSQL across processes; after taking the lock the row is re-read, because another worker
  may already have refreshed (amoCRM refresh tokens work once).
- The rotated pair is committed at once in its own transaction: losing it loses the connection.
- A refresh amoCRM refuses → ``needs_reconnect`` and the reason ``refresh_refused`` for the status
  (nothing deleted silently). amoCRM unreachable →
  the old pair is kept and the caller gets a retriable 503."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import TypeVar

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foryou_crm.amocrm.client import AmoCRMClient, AmoCRMTransport, TokenPair, request_tokens
from foryou_crm.amocrm.errors import (
    CONFIGURATION_HINTS,
    AmoCRMAuthError,
    AmoCRMBadRequest,
    AmoCRMError,
    AmoCRMMisconfigured,
    AmoCRMUnavailable,
)
from foryou_crm.amocrm.hosts import account_base_url
from foryou_crm.connections import endings
from foryou_crm.connections.errors import NotConnected, ReconnectRequired
from foryou_crm.connections.models import AmoConnection, ConnectionRef
from foryou_crm.core import metrics
from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from foryou_crm.core.crypto import TokenCipher
from foryou_crm.core.errors import AppError

log = structlog.get_logger("foryou_crm.amocrm.tokens")
T = TypeVar("T")


def token_purpose(user_id: int, kind: str) -> str:
    """Associated data binding a ciphertext to its owner: it decrypts for this user only."""
    return f"amocrm:user:{user_id}:{kind}"


class TokenManager:
    def __init__(
        self,
        *,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        cipher: TokenCipher,
        transport: AmoCRMTransport,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.cipher = cipher
        self.transport = transport
        self.clock = clock
        self._locks: dict[int, asyncio.Lock] = {}

    def seal(self, user_id: int, pair: TokenPair) -> tuple[str, str, datetime]:
        expires = self.clock.now() + timedelta(seconds=pair.expires_in)
        return (
            self.cipher.encrypt(pair.access_token, purpose=token_purpose(user_id, "access")),
            self.cipher.encrypt(pair.refresh_token, purpose=token_purpose(user_id, "refresh")),
            expires,
        )

    def _due(self, row: AmoConnection) -> bool:
        ahead = timedelta(seconds=self.settings.amocrm_refresh_ahead_seconds)
        return row.token_expires_at - ahead <= self.clock.now()

    def _usable_token(
        self, row: AmoConnection | None, *, stale: str | None, force: bool
    ) -> str | None:
        """The row's access token if it can be used as is; None when a refresh is due."""
        if row is None:
            raise NotConnected()
        if row.needs_reconnect:
            raise ReconnectRequired()
        token = self.cipher.decrypt(
            row.access_token_enc, purpose=token_purpose(row.user_id, "access")
        )
        return token if not force and not self._due(row) and token != stale else None

    async def access_token(self, connection_id: int, *, stale: str | None = None) -> str:
        """A usable access token. ``stale``: a token amoCRM just refused with 401; refresh unless
        another task already replaced it."""
        async with self.sessionmaker() as session:
            row = await session.get(AmoConnection, connection_id)
            token = self._usable_token(row, stale=stale, force=False)
        return token if token is not None else await self.refresh(connection_id, stale=stale)

    async def refresh(
        self, connection_id: int, *, stale: str | None = None, force: bool = False
    ) -> str:
        # Shielded: if the caller goes away (client disconnect, timeout) after amoCRM rotated the
        # pair, the refresh still runs to its commit; otherwise the single-use pair would be lost.
        return await asyncio.shield(self._refresh(connection_id, stale=stale, force=force))

    async def _refresh(self, connection_id: int, *, stale: str | None, force: bool) -> str:
        lock = self._locks.setdefault(connection_id, asyncio.Lock())
        async with lock:
            refused: AppError | None = None
            async with self.sessionmaker() as session, session.begin():
                row = (
                    await session.execute(
                        select(AmoConnection)
                        .where(AmoConnection.id == connection_id)
                        .with_for_update()
                    )
                ).scalar_one_or_none()
                current = self._usable_token(row, stale=stale, force=force)
                if current is not None:
                    return current  # someone refreshed while we waited for the lock
                assert row is not None
                refresh_token = self.cipher.decrypt(
                    row.refresh_token_enc, purpose=token_purpose(row.user_id, "refresh")
                )
                log.info("amocrm_token_refresh_started", connection_id=row.id, user_id=row.user_id)
                try:
                    pair = await request_tokens(
                        self.transport,
                        base_url=account_base_url(self.settings, row.domain),
                        account=row.domain,
                        client_id=self.settings.amocrm_client_id,
                        client_secret=self.settings.amocrm_client_secret.get_secret_value(),
                        redirect_uri=self.settings.redirect_uri,
                        grant={"grant_type": "refresh_token", "refresh_token": refresh_token},
                    )
                except (AmoCRMAuthError, AmoCRMBadRequest) as exc:
                    if exc.hint in CONFIGURATION_HINTS:
                        # Our settings are wrong (a bad deploy): keep every user's tokens.
                        log.error(
                            "amocrm_integration_misconfigured", connection_id=row.id, hint=exc.hint
                        )
                        metrics.token_refresh_finished("misconfigured")
                        raise AmoCRMMisconfigured(hint=exc.hint) from exc
                    # The refresh token is dead (used, revoked, expired): the user must reconnect,
                    # and the status says so with this reason until they do.
                    row.needs_reconnect = True
                    row.updated_at = self.clock.now()
                    await endings.record(
                        session,
                        user_id=row.user_id,
                        reason="refresh_refused",
                        domain=row.domain,
                        at=row.updated_at,
                    )
                    log.warning(
                        "amocrm_token_refresh_refused",
                        connection_id=row.id,
                        user_id=row.user_id,
                        hint=exc.hint,
                    )
                    refused = ReconnectRequired()
                    metrics.token_refresh_finished("refused")
                except AmoCRMError as exc:
                    # The old pair stays; the caller gets the error (503 when amoCRM is away).
                    unavailable = isinstance(exc, AmoCRMUnavailable)
                    metrics.token_refresh_finished("unavailable" if unavailable else "failed")
                    raise
                else:
                    access, refresh, expires = self.seal(row.user_id, pair)
                    row.access_token_enc, row.refresh_token_enc = access, refresh
                    row.key_id = self.cipher.active_kid
                    row.token_expires_at = expires
                    row.refreshed_at = row.updated_at = self.clock.now()
                    log.info("amocrm_token_refreshed", connection_id=row.id, user_id=row.user_id)
                    metrics.token_refresh_finished("refreshed")
            # The transaction committed here: the new pair (or needs_reconnect) is durable.
            if refused is not None:
                raise refused
            return pair.access_token

    async def call(self, ref: ConnectionRef, fn: Callable[[AmoCRMClient], Awaitable[T]]) -> T:
        """Run ``fn`` with a client for this connection; on a 401 refresh once and retry once."""
        token = await self.access_token(ref.id)
        client = self._client(ref, token)
        try:
            return await fn(client)
        except AmoCRMAuthError:
            log.info("amocrm_401_refreshing", connection_id=ref.id)
            token = await self.access_token(ref.id, stale=token)
            return await fn(self._client(ref, token))

    def _client(self, ref: ConnectionRef, token: str) -> AmoCRMClient:
        return AmoCRMClient(
            self.transport,
            base_url=account_base_url(self.settings, ref.domain),
            account=ref.domain,
            access_token=token,
        )

    async def refresh_idle(self) -> int:
        """Refresh connections not refreshed for a long time, so an idle connection never
        reaches amoCRM's 3-month refresh-token expiry. Returns how many were refreshed."""
        cutoff = self.clock.now() - timedelta(days=self.settings.amocrm_idle_refresh_days)
        async with self.sessionmaker() as session:
            ids = (
                (
                    await session.execute(
                        select(AmoConnection.id).where(
                            AmoConnection.refreshed_at < cutoff,
                            AmoConnection.needs_reconnect.is_(False),
                        )
                    )
                )
                .scalars()
                .all()
            )
        done = 0
        for connection_id in ids:
            try:
                await self.refresh(connection_id, force=True)
                done += 1
            except AppError as exc:
                log.warning(
                    "amocrm_idle_refresh_failed", connection_id=connection_id, code=exc.code
                )
        return done
