"""`foryou-crm keys rotate`: every stored amoCRM token moves to the new key, the old key can be
dropped, and every connection (and a connect still pending) keeps working against the sandbox;
safe while the API refreshes tokens."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
from sqlalchemy import select

from foryou_crm.amocrm import key_rotation
from foryou_crm.connections.models import AmoConnection
from foryou_crm.core.config import Settings
from foryou_crm.core.crypto import TokenCipher
from foryou_crm.services import Services
from tests.conftest import api_client, bearer, register, running_app
from tests.leads.conftest import connect
from tests.ops.conftest import clean_env, cli
from tests.support import AMO_AGENT, World

NEW_KEY = "k2:" + base64.b64encode(os.urandom(32)).decode()
DAY = 86_400


def _old_key(world: World) -> str:
    """The key the app runs on (development generated it under the data dir)."""
    return world.services.settings.token_encryption_keys.get_secret_value()


def _rotate(tmp_path: Path, database_url: str, keys: str) -> tuple[int, str]:
    env = clean_env(tmp_path, FORYOU_DATABASE_URL=database_url, FORYOU_TOKEN_ENCRYPTION_KEYS=keys)
    result = cli(["keys", "rotate"], tmp_path, env)
    return result.returncode, result.stdout + result.stderr


async def _pairs(services: Services) -> list[key_rotation.StoredPair]:
    async with services.sessionmaker() as session:
        return await key_rotation.stored_pairs(session)


async def _ciphertexts(services: Services) -> list[str]:
    return [value for pair in await _pairs(services) for value in (pair.access, pair.refresh)]


@contextlib.asynccontextmanager
async def _restarted(
    world: World, settings: Settings
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    """The API started again on other keys: the same database, sandbox and clock."""
    services = Services.build(settings, amocrm_transport=world.network, clock=world.services.clock)
    async with running_app(services) as app, api_client(app) as client:
        yield client, services
        await services.queue.run_until_idle()


async def _sync_state(client: httpx.AsyncClient, token: str) -> dict[str, object]:
    r = await client.get("/api/amo-crm/status", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json()["data"]["connected"] is True
    sync: dict[str, object] = r.json()["data"]["sync"]
    return sync


async def test_rotate_then_drop_the_old_key(
    world: World, database_url: str, tmp_path: Path, settings_factory: Callable[..., Settings]
) -> None:
    old = _old_key(world)
    admin = await connect(world, "admin-agent@foryou-agents.com")
    agent = await connect(world, "agent@foryou-agents.com", login=AMO_AGENT)
    # A third agent is between amoCRM's callback and the app's exchange-code.
    late = str((await register(world.client, "late-agent@foryou-agents.com"))["accessToken"])
    _started, _page, handed = await world.consent_and_callback(late)
    assert "code" in handed

    # 1. The new key first, the old one still listed: every stored token is re-encrypted.
    code, out = _rotate(tmp_path, database_url, f"{NEW_KEY},{old}")
    assert code == 0, out
    assert "2 connection(s), 1 pending connect(s)" in out
    assert "tokens by key: k2: 6" in out
    assert all(value.startswith("v1:k2:") for value in await _ciphertexts(world.services))
    async with world.services.sessionmaker() as session:
        assert set((await session.execute(select(AmoConnection.key_id))).scalars()) == {"k2"}
    # Running it again finds nothing to do.
    code, out = _rotate(tmp_path, database_url, f"{NEW_KEY},{old}")
    assert code == 0 and "0 connection(s), 0 pending connect(s)" in out, out

    # 2. The old key removed from the setting: everything still works end to end.
    async with _restarted(world, settings_factory(token_encryption_keys=NEW_KEY)) as (
        client,
        services,
    ):
        # A day passes at amoCRM: each sync gets a 401, refreshes with the rotated refresh
        # token, then reads the leads.
        await world.sandbox.post("/_sandbox/clock", json={"seconds": DAY + 60})
        for token in (admin, agent):
            r = await client.post("/api/amo-crm/sync", headers=bearer(token))
            assert r.status_code == 202, r.text
        await services.queue.run_until_idle()
        for token in (admin, agent):
            sync = await _sync_state(client, token)
            assert sync["state"] == "idle" and sync["error"] is None, sync
        log = (await world.sandbox.get("/_sandbox/requests")).json()
        assert log["byEndpoint"]["token"] >= 2
        # The pending connect completes with the tokens it holds.
        done = await client.post(
            "/api/amo-crm/exchange-code",
            json={"code": handed["code"], "state": handed["state"]},
            headers=bearer(late),
        )
        assert done.status_code == 200, done.text
        assert done.json()["data"]["connected"] is True


async def test_a_key_removed_too_early_is_reported_and_nothing_changes(
    world: World, database_url: str, tmp_path: Path
) -> None:
    await connect(world, "agent@foryou-agents.com")
    before = await _ciphertexts(world.services)
    code, out = _rotate(tmp_path, database_url, NEW_KEY)  # the old key is not listed
    assert code != 0
    assert "1 stored token pair(s) open with none of the configured keys" in out
    assert await _ciphertexts(world.services) == before


async def test_a_refresh_committed_between_read_and_write_wins(
    world: World, settings_factory: Callable[..., Settings]
) -> None:
    """The one interleaving that could lose a connection: the rotation read a pair, then a
    refresh rotated it at amoCRM and committed the new one. The rotation must not write the
    old (now spent) refresh token back."""
    await connect(world, "agent@foryou-agents.com")
    cipher = TokenCipher(f"{NEW_KEY},{_old_key(world)}")
    (stale,) = await _pairs(world.services)
    await world.services.tokens.refresh(stale.row_id, force=True)

    assert await key_rotation.reencrypt_pair(world.services.sessionmaker, cipher, stale) is False
    (current,) = await _pairs(world.services)
    assert current.refresh != stale.refresh  # the refreshed pair stayed
    report = await key_rotation.rotate(world.services.sessionmaker, cipher)
    assert report.complete and report.connections == 1
    # The connection lives: the rotated refresh token is the one amoCRM expects next.
    async with _restarted(world, settings_factory(token_encryption_keys=NEW_KEY)) as (
        _client,
        services,
    ):
        await services.tokens.refresh(stale.row_id, force=True)


async def test_rotation_while_the_api_refreshes_tokens(
    world: World, settings_factory: Callable[..., Settings]
) -> None:
    """Rotation and refreshes of every connection at once, as while the API serves (the API
    already restarted with the new key first): every connection ends under the new key with
    the refresh token amoCRM expects."""
    for n, login in enumerate([None, AMO_AGENT]):
        email = f"agent{n}@foryou-agents.com"
        await (connect(world, email, login=login) if login else connect(world, email))
    keys = f"{NEW_KEY},{_old_key(world)}"
    async with _restarted(world, settings_factory(token_encryption_keys=keys)) as (_c, api):
        ids = [pair.row_id for pair in await _pairs(api)]
        refreshes = [api.tokens.refresh(cid, force=True) for cid in ids for _ in range(3)]
        report, *_ = await asyncio.gather(
            key_rotation.rotate(api.sessionmaker, api.tokens.cipher), *refreshes
        )
        assert report.complete
    assert all(value.startswith("v1:k2:") for value in await _ciphertexts(world.services))
    async with _restarted(world, settings_factory(token_encryption_keys=NEW_KEY)) as (_c, api):
        for cid in ids:
            await api.tokens.refresh(cid, force=True)
