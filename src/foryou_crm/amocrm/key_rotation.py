"""``foryou-crm keys rotate``: every stored amoCRM token re-encrypted under the active (first)
key of ``FORYOU_TOKEN_ENCRYPTION_KEYS``, so the others can be removed from the setting.

Stored tokens live in two places: each connection's pair, and the pair a connect attempt holds
between amoCRM's callback and the app's exchange-code.

Safe while the API serves, row by row, by compare-and-swap: a row is rewritten only if it
still holds exactly the ciphertexts that were read (``UPDATE … WHERE access = :read AND
refresh = :read``), in a transaction of its own. A token refresh that committed in between
(amoCRM refresh tokens work once: overwriting the new pair with the old one would lose the
connection) makes the update touch nothing; that row is read again on the next pass. No lock
is held while anything is decrypted, so requests never wait for the rotation; it works the same
on SQLite, which has no row locks, and on PostgreSQL, where the refresh's ``SELECT … FOR
UPDATE`` makes the update wait for the refresh to commit and then find the row changed.

A refresh by a process still running with the *old* key first writes under the old key again:
the rotation reports what is left under other keys, and succeeds only when nothing is."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from foryou_crm.amocrm.oauth.models import OAuthFlow
from foryou_crm.amocrm.tokens import token_purpose
from foryou_crm.connections.models import AmoConnection
from foryou_crm.core.crypto import DecryptionError, TokenCipher
from foryou_crm.core.db import affected_rows

log = structlog.get_logger("foryou_crm.amocrm.keys")

MAX_PASSES = 5


@dataclass(frozen=True)
class StoredPair:
    """One stored token pair as read: the row it is in, and its two ciphertexts."""

    table: type[AmoConnection] | type[OAuthFlow]
    row_id: int
    user_id: int
    access: str
    refresh: str


@dataclass
class RotationReport:
    active_kid: str
    connections: int = 0  # pairs re-encrypted
    pending_connects: int = 0
    # Pairs no configured key opens (their key was removed too early): left as they are.
    unreadable: int = 0
    # Ciphertexts under each key once done: only the active key when the rotation succeeded.
    keys_in_use: Counter[str] = field(default_factory=Counter)

    @property
    def complete(self) -> bool:
        return self.unreadable == 0 and set(self.keys_in_use) <= {self.active_kid}


async def stored_pairs(session: AsyncSession) -> list[StoredPair]:
    """Every stored token pair: the connections', then the pending connects'."""
    connections = await session.execute(
        select(
            AmoConnection.id,
            AmoConnection.user_id,
            AmoConnection.access_token_enc,
            AmoConnection.refresh_token_enc,
        ).order_by(AmoConnection.id)
    )
    flows = await session.execute(
        select(
            OAuthFlow.id,
            OAuthFlow.user_id,
            OAuthFlow.access_token_enc,
            OAuthFlow.refresh_token_enc,
        )
        .where(OAuthFlow.access_token_enc.is_not(None), OAuthFlow.refresh_token_enc.is_not(None))
        .order_by(OAuthFlow.id)
    )
    return [StoredPair(AmoConnection, *row) for row in connections] + [
        StoredPair(OAuthFlow, row_id, user_id, str(access), str(refresh))
        for row_id, user_id, access, refresh in flows
    ]


async def reencrypt_pair(
    sessionmaker: async_sessionmaker[AsyncSession], cipher: TokenCipher, pair: StoredPair
) -> bool:
    """``pair`` rewritten under the active key, if its row still holds what was read; False
    when the row changed meanwhile (or is gone) and must be read again."""
    access = cipher.reencrypt(pair.access, purpose=token_purpose(pair.user_id, "access"))
    refresh = cipher.reencrypt(pair.refresh, purpose=token_purpose(pair.user_id, "refresh"))
    table = pair.table
    values: dict[str, Any] = {
        "access_token_enc": access or pair.access,
        "refresh_token_enc": refresh or pair.refresh,
    }
    if table is AmoConnection:
        values["key_id"] = cipher.active_kid
    unchanged: list[ColumnElement[bool]] = [
        table.id == pair.row_id,
        table.access_token_enc == pair.access,
        table.refresh_token_enc == pair.refresh,
    ]
    async with sessionmaker() as session, session.begin():
        swapped = await affected_rows(
            session,
            update(table)
            .where(*unchanged)
            .values(**values)
            .execution_options(synchronize_session=False),
        )
    return swapped == 1


async def rotate(
    sessionmaker: async_sessionmaker[AsyncSession], cipher: TokenCipher
) -> RotationReport:
    """Re-encrypt every stored pair not under the active key; idempotent."""
    report = RotationReport(cipher.active_kid)
    unreadable: set[tuple[str, int]] = set()
    for _ in range(MAX_PASSES):
        async with sessionmaker() as session:
            stored = await stored_pairs(session)
        due = [
            pair
            for pair in stored
            if {cipher.key_id(pair.access), cipher.key_id(pair.refresh)} != {cipher.active_kid}
            and (pair.table.__tablename__, pair.row_id) not in unreadable
        ]
        if not due:
            break
        for pair in due:
            try:
                swapped = await reencrypt_pair(sessionmaker, cipher, pair)
            except DecryptionError:
                unreadable.add((pair.table.__tablename__, pair.row_id))
                log.error(
                    "token_key_unreadable", table=pair.table.__tablename__, row_id=pair.row_id
                )
                continue
            if swapped and pair.table is AmoConnection:
                report.connections += 1
            elif swapped:
                report.pending_connects += 1
    async with sessionmaker() as session:
        stored = await stored_pairs(session)
    report.unreadable = len(unreadable)
    report.keys_in_use = Counter(
        cipher.key_id(value) for pair in stored for value in (pair.access, pair.refresh)
    )
    log.info(
        "token_keys_rotated",
        active_kid=report.active_kid,
        connections=report.connections,
        pending_connects=report.pending_connects,
        unreadable=report.unreadable,
        keys_in_use=dict(report.keys_in_use),
    )
    return report
