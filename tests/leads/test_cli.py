"""``foryou-crm sync --user EMAIL`` asks for a sync and follows it; the job runs where every job
runs (here: the app's queue), so the command's own settings never reach amoCRM."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Coroutine
from typing import Any

from foryou_crm.cli import _sync
from foryou_crm.core.config import Settings
from foryou_crm.leads.sync import schedule
from tests.leads.conftest import HOST, all_lead_ids, connect, status
from tests.support import World


async def _run_beside_the_queue(world: World, command: Coroutine[Any, Any, str]) -> str:
    """The command, while the app's queue does what a worker (or serve on SQLite) does: the
    tick finds the queued sync, a job runs it."""
    running = asyncio.create_task(command)
    queue = world.services.queue
    while not running.done():
        await schedule.tick(queue.deps, queue)
        await queue.run_until_idle()
        await asyncio.sleep(0.1)
    return await running


async def test_sync_command_asks_and_follows_the_job(
    world: World, settings_factory: Callable[..., Settings], capsys: Any
) -> None:
    token = await connect(world, "cli@foryou.example")
    r = await world.sandbox.post(
        f"/_sandbox/accounts/{HOST}/leads", json={"leads": [{"name": "Created while offline"}]}
    )
    assert r.status_code == 201
    world.sb.log.clear()
    # The command's own amoCRM settings are wrong (nothing listens there): it never uses them.
    settings = settings_factory(amocrm_sandbox_url="http://127.0.0.1:9")
    command = _sync(settings, "cli@foryou.example", "auto", 30.0)
    assert await _run_beside_the_queue(world, command) == "idle"
    assert "idle: 301 leads mirrored" in capsys.readouterr().out
    assert len(await all_lead_ids(world, token, [("query", "created while offline")])) == 1
    assert (await status(world, token))["sync"]["state"] == "idle"
    assert world.sb.log.count(endpoint="leads") > 0  # the app's sandbox was read, not port 9


async def test_a_full_sync_asked_while_one_is_queued_says_it_follows_that_one(
    world: World, settings_factory: Callable[..., Settings], capsys: Any
) -> None:
    token = await connect(world, "cli-busy@foryou.example")
    r = await world.client.post("/api/amo-crm/sync", headers={"Authorization": f"Bearer {token}"})
    assert r.json()["data"]["state"] == "queued"
    settings = settings_factory(amocrm_sandbox_url="http://127.0.0.1:9")
    command = _sync(settings, "cli-busy@foryou.example", "full", 30.0)
    assert await _run_beside_the_queue(world, command) == "idle"
    said = capsys.readouterr()
    # Queued, or already picked up by then: either way this one is followed.
    assert re.search(
        r"a sync is already (queued|running): the full sync asked for was not queued; "
        r"following it",
        said.err,
    ), said.err
    assert "idle: 300 leads mirrored" in said.out
