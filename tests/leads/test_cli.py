"""``foryou-crm sync --user EMAIL``: the same job, from a terminal, against amoCRM over HTTP."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import uvicorn

from foryou_crm.cli import _sync
from foryou_crm.core.config import Settings
from tests.leads.conftest import HOST, all_lead_ids, connect
from tests.support import World


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def test_sync_command_brings_the_mirror_up_to_date(
    world: World, settings_factory: Callable[..., Settings], capsys: Any
) -> None:
    token = await connect(world, "cli@foryou.example")
    r = await world.sandbox.post(
        f"/_sandbox/accounts/{HOST}/leads", json={"leads": [{"name": "Created while offline"}]}
    )
    assert r.status_code == 201
    # The CLI is its own process with its own app: it reaches the same sandbox over a socket.
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(world.sandbox_app, host="127.0.0.1", port=port, log_level="warning",
                       lifespan="off")
    )  # fmt: skip
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        settings = settings_factory(amocrm_sandbox_url=f"http://127.0.0.1:{port}")
        result = await _sync(settings, "cli@foryou.example", None)
    finally:
        server.should_exit = True
        await serving
    assert result == "idle"
    assert "idle: 301 leads mirrored" in capsys.readouterr().out
    assert len(await all_lead_ids(world, token, [("query", "created while offline")])) == 1
