"""Two API processes on PostgreSQL, each keeping what it read of a user
(``connections.principals``): a change made through one process, or by the CLI beside them,
reaches the other as soon as PostgreSQL's notice does — a disconnect, a password reset, a
disabled account — and each process listens on a connection of its own."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import asyncpg
import httpx
import pytest
from bench import flow

from foryou_crm.core.notices import APPLICATION_NAME
from tests.multiprocess.conftest import (
    Cluster,
    _dsn,
    service_env,
    start_sandbox,
    start_serve,
    wait_for,
)
from tests.ops.conftest import cli, free_port

pytestmark = pytest.mark.multiprocess

EMAIL = "kept@foryou.example"


def _status(base: str, jwt: str) -> httpx.Response:
    return httpx.get(
        f"{base}/api/amo-crm/status", headers={"Authorization": f"Bearer {jwt}"}, timeout=10
    )


def _listening(pg_url: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(_dsn(pg_url))
        try:
            found: int = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = $1 AND datname = current_database()",
                APPLICATION_NAME,
            )
            return found
        finally:
            await conn.close()

    return asyncio.run(count())


@pytest.mark.timeout(300)
def test_a_change_through_one_process_reaches_the_other(
    cluster: Cluster, pg_url: str, redis_db: str, tmp_path: Path
) -> None:
    sandbox = start_sandbox(cluster, 50)
    port_a, port_b = free_port(), free_port()
    a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    env = service_env(cluster, sandbox, a, pg_url, redis_db)
    assert cli(["migrate"], tmp_path, env).returncode == 0
    start_serve(cluster, env, port_a)
    start_serve(cluster, env, port_b)
    asyncio.run(flow.point_sandbox_at(sandbox.base_url, a))
    jwt = asyncio.run(flow.register(a, EMAIL))
    asyncio.run(flow.exchange(a, jwt))

    # Each has read the user and keeps them (a process listens once it served a request).
    for _ in range(5):
        for base in (a, b):
            assert _status(base, jwt).json()["data"]["connected"] is True
    wait_for("both API processes to listen", lambda: _listening(pg_url) == 2, 30)

    # Disconnected through A: B says so as soon as the notice arrives.
    r = httpx.post(
        f"{a}/api/amo-crm/disconnect", headers={"Authorization": f"Bearer {jwt}"}, timeout=10
    )
    assert r.status_code == 200, r.text
    started = time.monotonic()
    wait_for(
        "B to see the disconnect",
        lambda: _status(b, jwt).json()["data"]["connected"] is False,
        10,
        every=0.005,
    )
    print(f"disconnect seen by the other process after {time.monotonic() - started:.3f} s")

    # Disabled by the CLI, a third process: both refuse the agent's token.
    disabled = cli(["users", "disable", EMAIL], tmp_path, env)
    assert disabled.returncode == 0, disabled.stderr
    for base in (a, b):
        wait_for(
            f"{base} to refuse the disabled user",
            lambda base=base: _status(base, jwt).status_code == 401,
            10,
            every=0.005,
        )
        assert _status(base, jwt).json()["error"]["code"] == "USER_DISABLED"
