"""The fuzzers' target: the real app and the real sandbox, wired to each other as in the
suite's ``world`` (the service calls amoCRM = the sandbox in-process), each served by a real
uvicorn on a free port from one background event loop, with one app user who has connected
amoCRM through the consent flow and whose first sync has finished — so generated requests
reach the deep paths (filters over a full mirror, the sync, the webhook receiver).

Fuzzers call it over HTTP from the test thread (schemathesis with ``requests``); everything
the app holds (database pool, Redis, the queue) lives on that one loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
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
from foryou_crm.sandbox import SandboxConfig, create_sandbox_app
from foryou_crm.services import Services
from tests.conftest import (
    SANDBOX,
    SERVICE,
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
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
    values: dict[str, Any] = {
        "environment": "development",
        "data_dir": data_dir,
        "database_url": database_url,
        "public_base_url": SERVICE,
        "registration_enabled": True,
        "amocrm_client_id": TEST_CLIENT_ID,
        "amocrm_client_secret": TEST_CLIENT_SECRET,
        "amocrm_sandbox_url": SANDBOX,
        "amocrm_http_timeout": 5.0,
        "amocrm_rate_limit_rps": 10_000.0,
        # A fuzzer is one client sending thousands of requests: the abuse limits would answer
        # it 429 (declared, so never a finding) and hide every path behind them.
        "login_max_failures": 1_000_000,
        "metrics_enabled": True,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@contextlib.contextmanager
def serve_target(settings: Settings) -> Iterator[Target]:
    ready = threading.Event()
    stop = threading.Event()
    found: dict[str, Any] = {}
    servers: list[uvicorn.Server] = []

    async def main() -> None:
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
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=sandbox_app), base_url=SANDBOX
            ) as control,
        ):
            world = World(
                app=app,
                services=services,
                sandbox_app=sandbox_app,
                client=api,
                sandbox=control,
                network=network,
            )
            token = str((await register(api, "fuzz@foryou.example"))["accessToken"])
            await world.connect(token)
            await services.queue.run_until_idle()
            hooks = world.sb.account("reforyou.amocrm.ru").webhooks
            found["token"] = token
            found["webhook"] = hooks[0].destination.removeprefix(SERVICE) if hooks else ""
            found["sandbox_token"] = await sandbox_token(world)
            for application, key in ((app, "service"), (sandbox_app, "sandbox")):
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
            ready.set()
            while not stop.is_set():
                await asyncio.sleep(0.1)
            for server in servers:
                server.should_exit = True
            await asyncio.gather(*serving)

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:
            found["error"] = exc
            ready.set()
            raise

    thread = threading.Thread(target=run, name="fuzz-target", daemon=True)
    thread.start()
    if not ready.wait(STARTUP_SECONDS) or "error" in found:
        stop.set()
        raise RuntimeError(f"the fuzz target did not start: {found.get('error')!r}")
    try:
        yield Target(
            base_url=found["service"],
            sandbox_url=found["sandbox"],
            token=found["token"],
            webhook_path=found["webhook"],
            sandbox_token=found["sandbox_token"],
        )
    finally:
        stop.set()
        thread.join(60)
