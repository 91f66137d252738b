"""Why a connection ended, through the real flows: the agent's disconnect, amoCRM's uninstall
hook (fired by the sandbox switching the integration off), a refresh amoCRM refuses (tokens
revoked in the sandbox) and an administrator's removal. The status says why and when until the
user connects again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import column, insert, select, table

from foryou_crm.amocrm.client import AmoCRMClient
from foryou_crm.amocrm.disconnect import end_user_connection
from foryou_crm.connections.errors import ReconnectRequired
from foryou_crm.connections.models import AmoConnection, ConnectionEnding
from foryou_crm.core.db import UTCDateTime, make_engine
from foryou_crm.core.migrate import alembic_config
from tests.conftest import bearer, register
from tests.support import AMO_AGENT, World

REFORYOU = "reforyou.amocrm.ru"
KOMMO_ADMIN = "kommo-admin@otheragency.example"


async def _agent(world: World, email: str, login: str | None = None) -> tuple[str, int]:
    """A registered app user, connected (as ``login``, the sandbox admin by default)."""
    data = await register(world.client, email)
    token: str = data["accessToken"]
    await world.connect(token, **({"login": login} if login else {}))
    return token, int(data["user"]["id"])


async def _status(world: World, token: str) -> dict[str, Any]:
    r = await world.client.get("/api/amo-crm/status", headers=bearer(token))
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def _at(ended: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(ended["at"])


async def test_agent_disconnect_is_remembered_until_connecting_again(world: World) -> None:
    token, _ = await _agent(world, "a@foryou-agents.com")
    assert (await _status(world, token))["ended"] is None  # connected: nothing to explain

    before = world.services.clock.now()
    r = await world.client.post("/api/amo-crm/disconnect", headers=bearer(token))
    after = world.services.clock.now()
    answered = r.json()["data"]
    assert answered["connected"] is False and answered["hasTokens"] is False
    ended = answered["ended"]
    assert {k: ended[k] for k in ("reason", "domain")} == {
        "reason": "agent_disconnected",
        "domain": REFORYOU,
    }
    assert before <= _at(ended) <= after
    assert (await _status(world, token))["ended"] == ended

    # A second «Відключити» changes nothing: the first ending is still the one shown.
    world.services.clock.advance(3600)
    again = await world.client.post("/api/amo-crm/disconnect", headers=bearer(token))
    assert again.status_code == 200
    assert again.json()["data"]["ended"] == ended

    await world.connect(token)
    status = await _status(world, token)
    assert status["connected"] is True and status["ended"] is None
    async with world.services.sessionmaker() as session:
        assert (await session.execute(select(ConnectionEnding))).first() is None


async def test_integration_removed_in_amocrm_is_the_reason_for_everyone_on_that_account(
    world: World,
) -> None:
    a, _ = await _agent(world, "a@foryou-agents.com")
    b, _ = await _agent(world, "b@foryou-agents.com", login=AMO_AGENT)
    c, _ = await _agent(world, "c@foryou-agents.com", login=KOMMO_ADMIN)
    world.services.clock.advance(3600)  # an hour later, someone switches the integration off
    before = world.services.clock.now()

    # The sandbox's admin switches the integration off: it revokes the tokens and sends the
    # signed uninstall hook to our /webhooks/disconnect, as amoCRM does.
    r = await world.sandbox.post(f"/_sandbox/accounts/{REFORYOU}/disconnect")
    assert r.status_code == 200, r.text
    assert r.json()["hook"]["status"] == 200

    for token in (a, b):
        status = await _status(world, token)
        assert status["connected"] is False and status["hasTokens"] is False
        assert status["ended"]["reason"] == "integration_removed"
        assert status["ended"]["domain"] == REFORYOU
        assert before <= _at(status["ended"]) <= world.services.clock.now()
    other = await _status(world, c)  # another account's connection is untouched
    assert other["connected"] is True and other["ended"] is None

    # Connecting again (the admin grants access anew) clears the reason.
    await world.connect(a)
    assert (await _status(world, a))["ended"] is None
    assert (await _status(world, b))["ended"]["reason"] == "integration_removed"


async def _account(client: AmoCRMClient) -> dict[str, Any]:
    return await client.get_account()


async def _connection_of(world: World, user_id: int) -> AmoConnection:
    async with world.services.sessionmaker() as session:
        return (
            await session.execute(select(AmoConnection).where(AmoConnection.user_id == user_id))
        ).scalar_one()


async def test_refused_refresh_explains_needs_reconnect_until_reconnected(world: World) -> None:
    token, user_id = await _agent(world, "a@foryou-agents.com")
    connection = await _connection_of(world, user_id)
    # amoCRM forgets every token of the account (no hook): our next call finds out.
    r = await world.sandbox.post(f"/_sandbox/accounts/{REFORYOU}/revoke-tokens")
    assert r.status_code == 200
    before = world.services.clock.now()
    with pytest.raises(ReconnectRequired):
        await world.services.tokens.call(connection.ref(), _account)

    status = await _status(world, token)
    assert status["needsReconnect"] is True and status["hasTokens"] is True
    assert status["ended"]["reason"] == "refresh_refused"
    assert status["ended"]["domain"] == REFORYOU
    assert before <= _at(status["ended"]) <= world.services.clock.now()

    await world.connect(token)
    status = await _status(world, token)
    assert status["connected"] is True and status["needsReconnect"] is False
    assert status["ended"] is None


async def test_disconnecting_a_connection_amocrm_refused_says_the_agent_did(world: World) -> None:
    token, user_id = await _agent(world, "a@foryou-agents.com")
    connection = await _connection_of(world, user_id)
    await world.sandbox.post(f"/_sandbox/accounts/{REFORYOU}/revoke-tokens")
    with pytest.raises(ReconnectRequired):
        await world.services.tokens.call(connection.ref(), _account)
    await world.client.post("/api/amo-crm/disconnect", headers=bearer(token))
    assert (await _status(world, token))["ended"]["reason"] == "agent_disconnected"


async def test_an_administrator_removing_the_connection_is_the_reason(world: World) -> None:
    token, user_id = await _agent(world, "a@foryou-agents.com")
    other, _ = await _agent(world, "b@foryou-agents.com", login=AMO_AGENT)
    # The agent has also started connecting again and reached the hand-over page: the flow
    # holds tokens that exchange-code would turn into a connection.
    _started, _page, handed = await world.consent_and_callback(token)

    # What user administration runs in its request's transaction.
    at = world.services.clock.now()
    async with world.services.sessionmaker() as session, session.begin():
        removed = await end_user_connection(session, user_id=user_id, reason="admin_removed", at=at)
    assert removed is True

    status = await _status(world, token)
    assert status["connected"] is False and status["hasTokens"] is False
    assert {k: status["ended"][k] for k in ("reason", "domain")} == {
        "reason": "admin_removed",
        "domain": REFORYOU,
    }
    assert _at(status["ended"]) == at
    # The half-finished attempt cannot bring the removed connection back.
    r = await world.exchange(token, handed)
    assert r.status_code == 400 and r.json()["error"]["code"] == "INVALID_COMPLETION_CODE"
    assert (await _status(world, other))["connected"] is True


async def test_endings_of_two_users_racing_the_hook_and_a_disconnect_stay_one_row_each(
    world: World,
) -> None:
    a, a_id = await _agent(world, "a@foryou-agents.com")
    b, b_id = await _agent(world, "b@foryou-agents.com", login=AMO_AGENT)
    await asyncio.gather(
        world.sandbox.post(f"/_sandbox/accounts/{REFORYOU}/disconnect"),
        world.client.post("/api/amo-crm/disconnect", headers=bearer(a)),
    )
    async with world.services.sessionmaker() as session:
        rows = (await session.execute(select(ConnectionEnding))).scalars().all()
    assert sorted(r.user_id for r in rows) == [a_id, b_id]
    assert (await _status(world, a))["ended"]["reason"] in {
        "agent_disconnected",
        "integration_removed",
    }
    assert (await _status(world, b))["ended"]["reason"] == "integration_removed"


async def test_the_migration_gives_connections_already_flagged_their_reason(
    database_url: str,
) -> None:
    """Connections amoCRM refused before reasons were kept get ``refresh_refused`` at their
    last update; working ones get nothing."""
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0003")
    flagged_at = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
    try:
        engine = make_engine(database_url)
        try:
            async with engine.begin() as conn:
                for user_id, flagged in ((1, True), (2, False)):
                    await conn.execute(
                        # The users table as 0003 left it (the model has later columns).
                        insert(
                            table(
                                "users",
                                column("id"),
                                column("email"),
                                column("name"),
                                column("created_at", UTCDateTime()),
                            )
                        ).values(
                            id=user_id, email=f"u{user_id}@x.test", name="", created_at=flagged_at
                        )
                    )
                    await conn.execute(
                        insert(AmoConnection.__table__).values(
                            user_id=user_id,
                            account_id=31920194,
                            domain=REFORYOU,
                            platform=1,
                            account_name="",
                            is_admin=False,
                            access_token_enc="x",
                            refresh_token_enc="x",
                            key_id="k",
                            token_expires_at=flagged_at,
                            needs_reconnect=flagged,
                            connected_at=flagged_at,
                            refreshed_at=flagged_at,
                            updated_at=flagged_at,
                        )
                    )
        finally:
            await engine.dispose()
    finally:
        await asyncio.to_thread(command.upgrade, config, "head")
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(ConnectionEnding.__table__))).all()
    finally:
        await engine.dispose()
    assert [(r.user_id, r.reason, r.domain, r.ended_at) for r in rows] == [
        (1, "refresh_refused", REFORYOU, flagged_at)
    ]
