"""Token lifecycle against the real sandbox: refresh ahead and on 401, single flight, rotation
faults, revocation, and amoCRM's uninstall hook."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
from typing import Any

import pytest
from sqlalchemy import select

from foryou_crm.amocrm.client import AmoCRMClient
from foryou_crm.amocrm.errors import AmoCRMUnavailable
from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.connections.errors import ReconnectRequired
from foryou_crm.connections.models import AmoConnection
from foryou_crm.core.db import make_engine, make_sessionmaker
from tests.conftest import TEST_CLIENT_ID, TEST_CLIENT_SECRET, bearer, register
from tests.support import World

KOMMO_ADMIN = "kommo-admin@otheragency.example"
DAY = 86_400


async def _connected(
    world: World, email: str = "a@foryou-agents.com", login: str | None = None
) -> tuple[str, Any]:
    token: str = (await register(world.client, email))["accessToken"]
    if login:
        await world.connect(token, login=login)
    else:
        await world.connect(token)
    async with world.services.sessionmaker() as session:
        row = (await session.execute(select(AmoConnection))).scalars().all()[-1]
    return token, row.ref()


async def _token_requests(world: World) -> int:
    log = (await world.sandbox.get("/_sandbox/requests")).json()
    return int(log["byEndpoint"].get("token", 0))


async def _expire_everything(world: World) -> None:
    """Move both clocks a day on: amoCRM rejects the access token, we see it as expired."""
    world.services.clock.advance(DAY + 60)
    r = await world.sandbox.post("/_sandbox/clock", json={"seconds": DAY + 60})
    assert r.status_code == 200


async def _status_after_time_travel(world: World, email: str = "a@foryou-agents.com") -> Any:
    """Our clock moved past the app JWT's lifetime too: sign in again, as the app would."""
    r = await world.client.post(
        "/api/auth/login", json={"email": email, "password": "correct-horse-1"}
    )
    assert r.status_code == 200, r.text
    token = r.json()["data"]["accessToken"]
    status = await world.client.get("/api/amo-crm/status", headers=bearer(token))
    assert status.status_code == 200, status.text
    return status.json()["data"]


async def _account(client: AmoCRMClient) -> dict[str, Any]:
    return await client.get_account()


async def test_fifty_concurrent_calls_with_an_expired_token_refresh_once(world: World) -> None:
    _token, ref = await _connected(world)
    await _expire_everything(world)
    await world.sandbox.delete("/_sandbox/requests")
    tokens: TokenManager = world.services.tokens
    results = await asyncio.gather(*(tokens.call(ref, _account) for _ in range(50)))
    assert all(r["id"] == 31920194 for r in results)
    assert await _token_requests(world) == 1


async def test_a_401_refreshes_once_and_retries(world: World) -> None:
    _token, ref = await _connected(world)
    # Only amoCRM's clock moves: our copy still looks valid, amoCRM answers 401.
    await world.sandbox.post("/_sandbox/clock", json={"seconds": DAY + 60})
    await world.sandbox.delete("/_sandbox/requests")
    account = await world.services.tokens.call(ref, _account)
    assert account["id"] == 31920194
    log = (await world.sandbox.get("/_sandbox/requests")).json()
    assert log["byEndpoint"]["token"] == 1
    assert log["byEndpoint"]["account"] == 2  # the 401, then the retry


@pytest.mark.skipif(
    not os.environ.get("FORYOU_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="cross-process row locks are a PostgreSQL feature; this runs in the PostgreSQL suite",
)
async def test_two_processes_refresh_once_on_postgres(world: World) -> None:
    """Two token managers with their own engines and locks, as two worker processes have:
    only the row lock (SELECT … FOR UPDATE) keeps them from both refreshing."""
    _token, ref = await _connected(world)
    await _expire_everything(world)
    await world.sandbox.delete("/_sandbox/requests")
    app_tokens: TokenManager = world.services.tokens
    engine = make_engine(world.services.settings.resolved_database_url)
    other = TokenManager(
        settings=app_tokens.settings,
        sessionmaker=make_sessionmaker(engine),
        cipher=app_tokens.cipher,
        transport=app_tokens.transport,
        clock=app_tokens.clock,
    )
    try:
        results = await asyncio.gather(*(m.call(ref, _account) for m in [app_tokens, other] * 25))
    finally:
        await engine.dispose()
    assert len(results) == 50
    assert await _token_requests(world) == 1


async def test_rotated_pair_is_persisted_and_single_use_is_respected(world: World) -> None:
    _token, ref = await _connected(world)
    async with world.services.sessionmaker() as session:
        before = await session.get(AmoConnection, ref.id)
        assert before is not None
        old_refresh = before.refresh_token_enc
    await _expire_everything(world)
    await world.services.tokens.call(ref, _account)
    async with world.services.sessionmaker() as session:
        after = await session.get(AmoConnection, ref.id)
        assert after is not None
        assert after.refresh_token_enc != old_refresh
        assert after.needs_reconnect is False


async def test_revoked_refresh_token_means_needs_reconnect(world: World) -> None:
    token, ref = await _connected(world)
    r = await world.sandbox.post("/_sandbox/accounts/reforyou.amocrm.ru/revoke-tokens")
    assert r.status_code == 200
    with pytest.raises(ReconnectRequired):
        await world.services.tokens.call(ref, _account)
    status = (await world.client.get("/api/amo-crm/status", headers=bearer(token))).json()["data"]
    assert status["needsReconnect"] is True
    assert status["connected"] is False
    assert status["hasTokens"] is True  # nothing deleted silently
    assert status["domain"] == "reforyou.amocrm.ru"


async def test_amocrm_down_during_refresh_keeps_the_old_pair(world: World) -> None:
    _token, ref = await _connected(world)
    async with world.services.sessionmaker() as session:
        row = await session.get(AmoConnection, ref.id)
        assert row is not None
        pair_before = (row.access_token_enc, row.refresh_token_enc)
    await _expire_everything(world)
    await world.sandbox.post("/_sandbox/faults", json={"endpoint": "token", "kind": "500"})
    with pytest.raises(AmoCRMUnavailable):
        await world.services.tokens.call(ref, _account)
    async with world.services.sessionmaker() as session:
        row = await session.get(AmoConnection, ref.id)
        assert row is not None
        assert (row.access_token_enc, row.refresh_token_enc) == pair_before
        assert row.needs_reconnect is False
    # amoCRM back: the next call refreshes with the kept pair.
    assert (await world.services.tokens.call(ref, _account))["id"] == 31920194


async def test_rotate_then_drop_on_amocrm_ends_in_reconnect_never_silently(world: World) -> None:
    """amoCRM (RU) refresh tokens work once: if amoCRM rotated but the answer was lost, the
    pair we hold is dead. The status must say so instead of pretending to be connected."""
    _token, ref = await _connected(world)
    await _expire_everything(world)
    await world.sandbox.post(
        "/_sandbox/faults", json={"endpoint": "token", "kind": "rotate_then_drop", "seconds": 5}
    )
    with pytest.raises(AmoCRMUnavailable):
        await world.services.tokens.call(ref, _account)
    with pytest.raises(ReconnectRequired):
        await world.services.tokens.call(ref, _account)
    status = await _status_after_time_travel(world)
    assert status["needsReconnect"] is True


async def test_rotate_then_drop_on_kommo_recovers_on_retry(world: World) -> None:
    """Kommo keeps the old refresh token valid until the new pair is used: a retry succeeds."""
    _token, ref = await _connected(world, login=KOMMO_ADMIN)
    assert ref.domain == "otheragency.kommo.com"
    await _expire_everything(world)
    await world.sandbox.post(
        "/_sandbox/faults", json={"endpoint": "token", "kind": "rotate_then_drop", "seconds": 5}
    )
    with pytest.raises(AmoCRMUnavailable):
        await world.services.tokens.call(ref, _account)
    account = await world.services.tokens.call(ref, _account)
    assert account["subdomain"] == "otheragency"
    status = await _status_after_time_travel(world)
    assert status["connected"] is True
    assert status["platform"] == "kommo"


async def test_idle_connections_are_refreshed_before_amocrm_forgets_them(world: World) -> None:
    _token, _ref = await _connected(world)
    tokens: TokenManager = world.services.tokens
    assert await tokens.refresh_idle() == 0
    world.services.clock.advance(31 * DAY)
    await world.sandbox.post("/_sandbox/clock", json={"seconds": 31 * DAY})
    assert await tokens.refresh_idle() == 1
    assert await tokens.refresh_idle() == 0


def _signature(account_id: int, secret: str = TEST_CLIENT_SECRET) -> str:
    return hmac.new(
        secret.encode(), f"{TEST_CLIENT_ID}|{account_id}".encode(), hashlib.sha256
    ).hexdigest()


async def test_uninstall_hook_with_bad_signatures_changes_nothing(world: World) -> None:
    token, _ref = await _connected(world)
    cases = [
        {"client_uuid": TEST_CLIENT_ID, "account_id": "31920194", "signature": "0" * 64},
        {
            "client_uuid": TEST_CLIENT_ID,
            "account_id": "31920194",
            "signature": _signature(31920194, "wrong"),
        },
        {
            "client_uuid": "someone-else",
            "account_id": "31920194",
            "signature": _signature(31920194),
        },
        {
            "client_uuid": TEST_CLIENT_ID,
            "account_id": "31920195",
            "signature": _signature(31920194),
        },
        {"client_uuid": TEST_CLIENT_ID, "account_id": "31920194"},
        {},
    ]
    for params in cases:
        r = await world.client.get("/api/amo-crm/webhooks/disconnect", params=params)
        assert r.status_code == 403, params
        assert r.json()["error"]["code"] == "INVALID_SIGNATURE"
    status = (await world.client.get("/api/amo-crm/status", headers=bearer(token))).json()["data"]
    assert status["connected"] is True


async def test_uninstall_from_amocrm_removes_every_connection_to_that_account(world: World) -> None:
    a, _ = await _connected(world, "a@foryou-agents.com")
    b, _ = await _connected(world, "b@foryou-agents.com", login="amo-agent@reforyou.example")
    c, _ = await _connected(world, "c@foryou-agents.com", login=KOMMO_ADMIN)
    # The sandbox admin switches the integration off: it revokes tokens and sends the signed hook.
    r = await world.sandbox.post("/_sandbox/accounts/reforyou.amocrm.ru/disconnect")
    assert r.status_code == 200, r.text
    for _ in range(50):
        status_a = (await world.client.get("/api/amo-crm/status", headers=bearer(a))).json()["data"]
        if not status_a["hasTokens"]:
            break
        await asyncio.sleep(0.02)
    assert status_a["hasTokens"] is False
    assert (await world.client.get("/api/amo-crm/status", headers=bearer(b))).json()["data"][
        "hasTokens"
    ] is False
    # Another account's connection is untouched.
    assert (await world.client.get("/api/amo-crm/status", headers=bearer(c))).json()["data"][
        "connected"
    ] is True


@pytest.mark.parametrize(
    "params",
    [
        {"client_uuid": "é", "account_id": "1", "signature": "x"},
        {"client_uuid": TEST_CLIENT_ID, "account_id": "1", "signature": "é"},
        {"client_uuid": TEST_CLIENT_ID, "account_id": "²", "signature": "x"},
        {"client_uuid": TEST_CLIENT_ID, "account_id": "9" * 40, "signature": "x"},
    ],
)
async def test_uninstall_hook_odd_input_is_403_not_500(
    world: World, params: dict[str, str]
) -> None:
    r = await world.client.get("/api/amo-crm/webhooks/disconnect", params=params)
    assert r.status_code == 403


async def test_a_misconfigured_secret_never_marks_users_for_reconnect(world: World) -> None:
    """A bad deploy (wrong client secret) is an operator's problem: users keep their tokens."""
    from foryou_crm.amocrm.errors import AmoCRMMisconfigured

    token, ref = await _connected(world)
    tokens: TokenManager = world.services.tokens
    good = tokens.settings.amocrm_client_secret
    tokens.settings = tokens.settings.model_copy(
        update={"amocrm_client_secret": type(good)("wrong")}
    )
    try:
        with pytest.raises(AmoCRMMisconfigured):
            await tokens.refresh(ref.id, force=True)
    finally:
        tokens.settings = tokens.settings.model_copy(update={"amocrm_client_secret": good})
    status = (await world.client.get("/api/amo-crm/status", headers=bearer(token))).json()["data"]
    assert status["needsReconnect"] is False
    assert (await tokens.refresh(ref.id, force=True)).startswith("eyJ")


async def test_a_cancelled_caller_does_not_lose_a_rotated_pair(world: World) -> None:
    """The caller gives up while amoCRM is answering the refresh: the refresh still commits."""
    _token, ref = await _connected(world)
    await _expire_everything(world)
    await world.sandbox.delete("/_sandbox/requests")
    await world.sandbox.post(
        "/_sandbox/faults", json={"endpoint": "token", "kind": "latency", "ms": 300}
    )
    caller = asyncio.create_task(world.services.tokens.call(ref, _account))
    await asyncio.sleep(0.1)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await asyncio.sleep(0.6)  # the shielded refresh finishes on its own…
    async with world.services.sessionmaker() as session:
        row = await session.get(AmoConnection, ref.id)
        assert row is not None
        # …and committed the new pair without anyone asking again.
        assert row.refreshed_at > row.connected_at
        assert row.needs_reconnect is False
    assert await _token_requests(world) == 1
