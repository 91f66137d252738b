"""The fuzzers' target: the real app and the real sandbox, wired to each other as in the
suite's ``world`` (the service calls amoCRM = the sandbox in-process), each served by a real
uvicorn on a free port, in a process of its own, with one app user who has connected
amoCRM through the consent flow and whose first sync has finished — so generated requests
reach the deep paths (filters over a full mirror, the sync, the webhook receiver).

Fuzzers call it over HTTP (schemathesis with ``requests``, one keep-alive connection)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from asgi_lifespan import LifespanManager

from foryou_crm.app import create_app
from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from foryou_crm.core.logging import configure_logging
from foryou_crm.sandbox import SandboxConfig, create_sandbox_app
from foryou_crm.services import Services
from tests.conftest import (
    SANDBOX,
    SERVICE,
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    make_settings,
    register,
)
from tests.leads.conftest import sandbox_token
from tests.support import LazyASGITransport, Network, World

STARTUP_SECONDS = 120


@dataclass
class Target:
    base_url: str  # the service
    sandbox_url: str  # the sandbox, on its own port
    token: str  # a connected user's JWT
    sandbox_token: str  # an amoCRM (sandbox) access token of the account's admin
    webhook_path: str  # the account's lead webhook (its secret path)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fuzz_settings(database_url: str, data_dir: Path, **overrides: Any) -> Settings:
    return make_settings(
        database_url,
        data_dir,
        amocrm_http_timeout=5.0,
        amocrm_rate_limit_rps=10_000.0,
        # A fuzzer is one client sending thousands of requests: the abuse limits would answer
        # it 429 (declared, so never a finding) and hide every path behind them.
        login_max_failures=1_000_000,
        metrics_enabled=True,
        **overrides,
    )


async def _serve(settings: Settings, announce: Any, stopped: asyncio.Event) -> None:
    """Set the world up, serve both apps, call ``announce(target fields)``, run until
    ``stopped``."""
    to_service = LazyASGITransport()
    sandbox_app = create_sandbox_app(
        SandboxConfig(
            client_id=TEST_CLIENT_ID,
            client_secret=TEST_CLIENT_SECRET,
            redirect_uri=f"{SERVICE}/api/amo-crm/callback",
            disconnect_hook_url=f"{SERVICE}/api/amo-crm/webhooks/disconnect",
            outbound_transport=to_service,
            rate_limit_rps=10_000.0,
            webhook_retry_delays=[0.05],
        )
    )
    network = Network(sandbox_app)
    services = Services.build(settings, amocrm_transport=network, clock=Clock())
    app = create_app(services, background_jobs=False, configure_logs=False)
    to_service.app = app
    async with (
        LifespanManager(sandbox_app),
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SERVICE) as api,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app), base_url=SANDBOX) as sb,
    ):
        world = World(
            app=app,
            services=services,
            sandbox_app=sandbox_app,
            client=api,
            sandbox=sb,
            network=network,
        )
        token = str((await register(api, "fuzz@foryou.example"))["accessToken"])
        await world.connect(token)
        await services.queue.run_until_idle()
        hooks = world.sb.account("reforyou.amocrm.ru").webhooks
        found: dict[str, Any] = {
            "token": token,
            "webhook_path": hooks[0].destination.removeprefix(SERVICE) if hooks else "",
            "sandbox_token": await sandbox_token(world),
        }
        servers = []
        for application, key in ((app, "base_url"), (sandbox_app, "sandbox_url")):
            port = _free_port()
            config = uvicorn.Config(
                application,
                host="127.0.0.1",
                port=port,
                lifespan="off",  # started above, for the setup
                access_log=False,
                log_level="warning",
                proxy_headers=False,
            )
            servers.append(uvicorn.Server(config))
            found[key] = f"http://127.0.0.1:{port}"
        serving = [asyncio.create_task(server.serve()) for server in servers]
        while not all(server.started for server in servers):
            await asyncio.sleep(0.05)
        announce(found)
        await stopped.wait()
        for server in servers:
            server.should_exit = True
        await asyncio.gather(*serving)


@contextlib.contextmanager
def serve_target(database_url: str, data_dir: Path) -> Iterator[Target]:
    """The target in a process of its own (``python -m tests.fuzz.harness``): the fuzzer and
    the app each get a core. It prints the target as one JSON line once it serves, and stops
    when its standard input closes."""
    log_path = data_dir / "target.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.harness", database_url, str(data_dir)],
            cwd=Path(__file__).resolve().parents[2],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    assert process.stdout is not None and process.stdin is not None
    try:
        line = process.stdout.readline()
        if not line:
            process.wait(STARTUP_SECONDS)
            raise RuntimeError(f"the fuzz target did not start:\n{log_path.read_text()}")
        yield Target(**json.loads(line))
    finally:
        process.stdin.close()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def main(database_url: str, data_dir: str) -> None:
    async def run() -> None:
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        # Standard input closing (the test ending, or dying) stops the target.
        loop.add_reader(sys.stdin.fileno(), lambda: sys.stdin.read() or stopped.set())

        def announce(found: dict[str, Any]) -> None:
            print(json.dumps(found), flush=True)

        await _serve(fuzz_settings(database_url, Path(data_dir)), announce, stopped)

    configure_logging(json=False, level="WARNING")
    asyncio.run(run())


if __name__ == "__main__":
    main(*sys.argv[1:3])
