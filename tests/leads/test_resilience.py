"""The sync under amoCRM's limits and failures: a 429 storm, a 403 block, a restart mid-sync,
disconnect and the uninstall hook."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import pytest
from sqlalchemy import func, select

from foryou_crm.amocrm.ratelimit import MemoryRateBudget
from foryou_crm.connections.models import SyncState
from foryou_crm.leads.models import (
    AmoCompany,
    AmoContact,
    AmoCustomField,
    AmoLead,
    AmoLeadEnum,
    AmoNote,
    AmoPipeline,
    AmoStatus,
    AmoTask,
    AmoUser,
)
from foryou_crm.leads.sync import schedule
from tests.conftest import bearer
from tests.leads.conftest import HOST, all_lead_ids, connect, status
from tests.support import World

MIRROR = (
    AmoLead,
    AmoContact,
    AmoCompany,
    AmoCustomField,
    AmoLeadEnum,
    AmoNote,
    AmoTask,
    AmoPipeline,
    AmoStatus,
    AmoUser,
    SyncState,
)


def _statuses(world: World, endpoint: str | None = None) -> list[int]:
    entries = world.sb.log.as_json()["entries"]
    return [e["status"] for e in entries if endpoint is None or e["endpoint"] == endpoint]


async def _rows(world: World, model: Any) -> int:
    async with world.services.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    "sandbox_config_overrides",
    [{"leads": 1200, "rate_limit_rps": 4.0, "retry_after": 1, "block_after_violations": 10_000}],
)
async def test_a_429_storm_backs_off_and_finishes(world: World) -> None:
    # Our own budget is set far above the sandbox's limit here, so amoCRM answers 429s.
    token = await connect(world, "a@foryou.example")
    statuses = _statuses(world)
    assert 429 in statuses and 403 not in statuses
    # Backing off for retry_after keeps the 429s far below amoCRM's block threshold (30).
    assert statuses.count(429) < 30
    # And the account's budget was stretched by them (it relaxes as requests go through).
    budget = world.services.budget
    assert isinstance(budget, MemoryRateBudget)
    assert budget.slowdown("reforyou.amocrm.ru") > 1.0
    st = await status(world, token)
    assert st["sync"]["state"] == "idle", st
    assert st["sync"]["leads"] == 1200
    assert len(await all_lead_ids(world, token, [])) == 1200


@pytest.mark.parametrize("sandbox_config_overrides", [{"block_after_violations": 1}])
async def test_a_403_block_stops_the_sync_and_reports_it(world: World) -> None:
    token = await connect(world, "a@foryou.example")
    assert (await status(world, token))["sync"]["state"] == "idle"
    # amoCRM now allows 1 request/s and blocks the API at the first excess (403 for all).
    world.sb.configure_account(HOST, rate_limit_rps=1)
    world.sb.log.clear()
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202
    await world.services.queue.run_until_idle()
    st = (await status(world, token))["sync"]
    assert st["state"] == "failed"
    assert "403" in st["error"] and "blocked" in st["error"]
    # It stopped at the first 403 instead of hammering the block.
    assert _statuses(world).count(403) == 1
    # Asking again during the pause does not call amoCRM; the leads stay readable.
    sent = len(_statuses(world))
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202 and r.json()["data"]["state"] == "failed"
    await world.services.queue.run_until_idle()
    assert len(_statuses(world)) == sent
    r = await world.client.get("/api/amo-crm/leads", headers=bearer(token))
    assert r.json()["data"]["total"] == 300
    assert r.json()["data"]["sync"]["state"] == "failed"


@pytest.mark.parametrize("sandbox_config_overrides", [{"leads": 3000}])
async def test_a_worker_stopped_mid_sync_resumes_without_duplicates(world: World) -> None:
    """The worker is stopped (SIGTERM) mid-sync while amoCRM is failing: the job saves its
    place and defers its continuation, which goes on from the checkpoint."""
    # The newest-lead probe and four pages answer; then amoCRM fails (the pacer retries with
    # backoff): the sync is caught half way.
    world.sb.inject_fault("leads", "latency", count=5, ms=1)
    world.sb.inject_fault("leads", "500", count=1000)
    token = await connect_without_waiting(world, "a@foryou.example")
    queue = world.services.queue
    stopping = asyncio.Event()
    working = asyncio.create_task(queue.run_worker(concurrency=1, stopping=stopping))
    await _wait_for_rows(world, 1000)
    cursor = await _wait_for_cursor(world, at_least=1)
    stopping.set()  # SIGTERM
    working.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await working
    async with world.services.sessionmaker() as session:
        state = (await session.execute(select(SyncState))).scalar_one()
    assert state.state == "running" and state.phase == "leads"
    assert state.cursor_page >= cursor
    assert 0 < await _rows(world, AmoLead) < 3000
    world.sb.faults.clear()
    world.sb.log.clear()

    assert await queue.active("sync_connection") == {state.connection_id}  # its continuation
    assert await schedule.tick(queue.deps, queue) == 0  # nothing lost: nothing to re-defer
    await queue.run_until_idle()  # a worker (again)
    st = await status(world, token)
    assert st["sync"]["state"] == "idle" and st["sync"]["leads"] == 3000
    ids = await all_lead_ids(world, token, [])
    assert len(ids) == len(set(ids)) == 3000 == await _rows(world, AmoLead)
    # Pages up to the saved cursor were not read again.
    plain_pages = [
        int(dict(p.split("=") for p in e["query"].split("&"))["page"])
        for e in world.sb.log.as_json()["entries"]
        if e["endpoint"] == "leads" and "order%5Bid%5D" in e["query"] and "page=" in e["query"]
    ]
    assert plain_pages and min(plain_pages) == state.cursor_page + 1


async def connect_without_waiting(world: World, email: str) -> str:
    from tests.conftest import register

    """The OAuth flow without waiting for the first sync (``World.connect`` waits)."""
    token = str((await register(world.client, email))["accessToken"])
    _started, _page, query = await world.consent_and_callback(token)
    r = await world.exchange(token, query)
    assert r.status_code == 200, r.text
    return token


async def _wait_for_rows(world: World, rows: int) -> None:
    async with asyncio.timeout(30):
        while await _rows(world, AmoLead) < rows:
            await asyncio.sleep(0.005)


async def _wait_for_cursor(world: World, at_least: int) -> int:
    async with asyncio.timeout(30):
        while True:
            async with world.services.sessionmaker() as session:
                cursor = await session.scalar(select(SyncState.cursor_page))
            if cursor is not None and cursor >= at_least:
                return int(cursor)
            await asyncio.sleep(0.005)


async def test_disconnect_removes_the_mirror(world: World) -> None:
    token = await connect(world, "a@foryou.example")
    other = await connect(world, "b@foryou.example")
    for model in MIRROR:
        assert await _rows(world, model) > 0, model
    r = await world.client.post("/api/amo-crm/disconnect", headers=bearer(token))
    assert r.status_code == 200
    assert await _rows(world, AmoLead) == 300  # only B's mirror is left
    # amoCRM's uninstall hook drops every connection to the account, and every mirror.
    r = await world.sandbox.post(f"/_sandbox/accounts/{HOST}/disconnect")
    assert r.status_code == 200, r.text
    for model in MIRROR:
        assert await _rows(world, model) == 0, model
    r = await world.client.get("/api/amo-crm/leads", headers=bearer(other))
    assert r.status_code == 409
