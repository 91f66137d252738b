"""The sync on its job queue, in-process (real app, real sandbox, real database; the queue's
worker driven by the test): the states the agent sees, one job per connection however often
it is asked, the full pass exact when a lead is deleted between two of its pages, re-fetches
and bad input that fail one item loudly and nothing else."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from procrastinate import sql
from sqlalchemy import select

from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from foryou_crm.leads.models import AmoLead, RefetchRequest
from foryou_crm.leads.sync import full, schedule
from foryou_crm.leads.sync.queue import WorkerStopped
from foryou_crm.services import Services
from tests.conftest import bearer, register
from tests.leads.conftest import HOST, all_lead_ids, connect, sandbox_leads, sandbox_token, status
from tests.leads.test_resilience import connect_without_waiting
from tests.support import World


async def _mirror(world: World) -> dict[int, int]:
    """Every mirrored lead: id → updated_at."""
    async with world.services.sessionmaker() as session:
        found = await session.execute(select(AmoLead.amo_id, AmoLead.updated_at))
        return {int(i): int(u) for i, u in found}


async def _amocrm(world: World) -> dict[int, int]:
    leads = await sandbox_leads(world, await sandbox_token(world))
    return {int(lead["id"]): int(lead["updated_at"]) for lead in leads}


async def test_queued_the_instant_exchange_code_answers(world: World) -> None:
    token = str((await register(world.client, "q@foryou.example"))["accessToken"])
    _started, _page, query = await world.consent_and_callback(token)
    r = await world.exchange(token, query)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["sync"]["state"] == "queued"
    assert (await status(world, token))["sync"]["state"] == "queued"
    assert await world.services.queue.active(schedule.SYNC) != set()
    await world.services.queue.run_until_idle()
    done = (await status(world, token))["sync"]
    assert done["state"] == "idle" and done["lastSyncedAt"] and done["leads"] == 300


async def test_asking_again_answers_the_queued_job(world: World) -> None:
    token = await connect(world, "twice@foryou.example")
    world.sb.log.clear()
    answers = [
        await world.client.post("/api/amo-crm/sync", headers=bearer(token)) for _ in range(5)
    ]
    assert [r.status_code for r in answers] == [202] * 5
    assert {r.json()["data"]["state"] for r in answers} == {"queued"}
    queue = world.services.queue
    assert len([j for j in await queue.jobs(("todo",)) if j.task == schedule.SYNC]) == 1
    await queue.run_until_idle()
    once = world.sb.log.count(endpoint="pipelines")
    assert once == 1  # one sync ran
    assert (await status(world, token))["sync"]["state"] == "idle"


async def test_reconnect_needed_is_409(world: World) -> None:
    token = await connect(world, "lost@foryou.example")
    world.sb.revoke_tokens(HOST)
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202
    await world.services.queue.run_until_idle()  # the job finds amoCRM refusing the tokens
    st = await status(world, token)
    assert st["needsReconnect"] is True and st["sync"]["state"] == "failed"
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "AMO_RECONNECT_REQUIRED"
    # The periodic tick leaves it alone too.
    assert await schedule.tick(world.services.queue.deps, world.services.queue) == 0


@pytest.mark.parametrize("sandbox_config_overrides", [{"leads": 1000}])
async def test_a_deletion_between_two_pages_of_the_full_pass_misses_nothing(
    world: World,
) -> None:
    """amoCRM pages by offset. After page 2 of the full pass was answered, a lead of page 1 is
    deleted: page 3 now starts one lead later, and without a look at the trash the lead that
    was first on page 3 would never be read."""
    before = sorted(await _amocrm(world))
    at_risk = before[2 * full.PAGE_LIMIT]  # first of page 3, before the deletion
    deleted: list[int] = []

    async def delete_after_page_2(request: httpx.Request, response: httpx.Response) -> None:
        params = request.url.params
        if (
            request.url.path.endswith("/api/v4/leads")
            and params.get("order[id]") == "asc"
            and params.get("page") == "2"
            and not deleted
        ):
            deleted.append(before[10])
            r = await world.sandbox.delete(f"/_sandbox/accounts/{HOST}/leads/{before[10]}")
            assert r.is_success, r.text

    world.network.after = delete_after_page_2
    world.services.queue.deps.pages_in_flight = 1  # pages strictly one after another
    token = await connect_without_waiting(world, "exact@foryou.example")
    await world.services.queue.run_until_idle()
    world.network.after = None
    assert deleted
    mirror = await _mirror(world)
    assert at_risk in mirror
    assert mirror == await _amocrm(world)
    assert (await status(world, token))["sync"]["leads"] == len(before) - 1
    # It backed up: page 1 was read again, after the look at the trash.
    pages = [
        e["query"]
        for e in world.sb.log.as_json()["entries"]
        if e["endpoint"] == "leads" and "order%5Bid%5D=asc" in e["query"]
    ]
    assert sum("page=1&" in q or q.startswith("page=1") for q in pages) >= 2, pages


async def test_a_lead_amocrm_answers_malformed_fails_that_lead_only(world: World) -> None:
    token = await connect(world, "odd@foryou.example")
    account = world.sb.account(HOST)
    good, odd = account.leads[0], account.leads[1]
    world.sb.log.clear()

    async def break_one(request: httpx.Request, response: httpx.Response) -> None:
        if request.url.path.endswith(f"/api/v4/leads/{odd.id}"):
            response._content = b'{"id": "not-a-number", "name": 7}'

    world.network.after = break_one
    path = account.webhooks[0].destination.removeprefix("http://testserver")
    form = {"leads[update][0][id]": str(odd.id), "leads[update][1][id]": str(good.id)}
    r = await world.client.post(path, data=form)
    assert r.status_code == 200
    r = await world.sandbox.patch(
        f"/_sandbox/accounts/{HOST}/leads", json={"leads": [{"id": good.id, "name": "Нова"}]}
    )
    assert r.is_success
    await world.sb.drain_webhooks()
    await world.services.queue.run_until_idle()
    world.network.after = None
    # The job failed loudly (the queue keeps it as failed) …
    failed = [j for j in await world.services.queue.jobs(("failed",)) if j.task == "refetch_leads"]
    assert failed
    # … and everything else went through: the good lead's change, no request left behind.
    items: dict[int, Any] = dict.fromkeys(await all_lead_ids(world, token, [("query", "нова")]))
    assert good.id in items
    async with world.services.sessionmaker() as session:
        assert (await session.execute(select(RefetchRequest))).first() is None


@pytest.mark.parametrize("sandbox_config_overrides", [{"leads": 3000}])
async def test_deletions_all_through_the_full_pass_still_let_it_finish_exactly(
    world: World,
) -> None:
    """Someone deletes an already-read lead after every second page the pass reads, twelve
    times: every look at the trash finds one, the pass backs up each time (its batches
    shrinking), and still ends with the mirror equal to amoCRM."""
    before = sorted(await _amocrm(world))
    victims = iter(before[5:600:50])
    reads: list[int] = []
    deleted: list[int] = []

    async def delete_now_and_then(request: httpx.Request, response: httpx.Response) -> None:
        if request.url.path.endswith("/api/v4/leads") and "order[id]" in request.url.params:
            reads.append(1)
            victim = next(victims, None) if len(reads) % 2 == 0 else None
            if victim is not None:
                deleted.append(victim)
                r = await world.sandbox.delete(f"/_sandbox/accounts/{HOST}/leads/{victim}")
                assert r.is_success, r.text

    world.network.after = delete_now_and_then
    await connect_without_waiting(world, "busy@foryou.example")
    await world.services.queue.run_until_idle()
    world.network.after = None
    assert len(deleted) == 12
    assert await _mirror(world) == await _amocrm(world)


async def test_the_embedded_queue_forgets_finished_jobs_whole(world: World) -> None:
    """`serve` on SQLite runs its queue in memory for as long as the process lives: a finished
    job leaves nothing behind (Procrastinate's in-memory connector kept each job's events)."""
    queue = world.services.queue
    if not queue.embedded:
        pytest.skip("the in-memory queue is SQLite's; PostgreSQL keeps jobs in its own table")
    token = await connect(world, "memory@foryou.example")
    for _ in range(5):
        r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
        assert r.status_code == 202, r.text
        await queue.run_until_idle()
        assert await schedule.tick(queue.deps, queue) == 0
    connector = queue.app.connector
    assert connector.jobs == {}
    assert connector.events == {}


async def test_a_worker_whose_heartbeat_fails_does_not_return_as_if_stopped(
    settings_factory: Callable[..., Settings], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Procrastinate stops a worker by itself when a heartbeat cannot be written (PostgreSQL
    away past the pool's wait) and returns normally, as after a SIGTERM. Ours raises, so
    `foryou-crm worker` exits 1 for its supervisor to start it again. The fault: the queue's
    database refusing the heartbeat, injected where Procrastinate sends its queries."""
    services = Services.build(
        settings_factory(
            queue_heartbeat_seconds=0.2,
            queue_stalled_after_seconds=1.0,
            queue_shutdown_grace_seconds=1.0,
        ),
        clock=clock,
    )
    queue = services.queue
    if queue.embedded:
        pytest.skip("needs the PostgreSQL queue: the in-memory one runs no side-task monitor")
    connector = queue.app.connector
    send = connector.execute_query_async
    heartbeat = sql.queries["update_heartbeat"]

    async def heartbeat_refused(query: str, **arguments: Any) -> None:
        if query == heartbeat:
            raise OSError("connection refused")
        await send(query, **arguments)

    try:
        monkeypatch.setattr(connector, "execute_query_async", heartbeat_refused)
        with pytest.raises(WorkerStopped, match="stopped by itself"):
            await asyncio.wait_for(
                queue.run_worker(concurrency=1, stopping=asyncio.Event()), timeout=60
            )
        monkeypatch.undo()
        # A stop that was asked for (SIGTERM) returns quietly.
        stopping = asyncio.Event()
        running = asyncio.create_task(queue.run_worker(concurrency=1, stopping=stopping))
        await asyncio.sleep(1.0)
        stopping.set()
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
    finally:
        await services.aclose()
