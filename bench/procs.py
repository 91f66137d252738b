"""The sandbox and the service as real processes on 127.0.0.1 (free ports), as deployed."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text

import foryou_crm.app  # noqa: F401  (imports every table module: Base.metadata is complete)
from foryou_crm.core.db import Base, make_engine
from foryou_crm.core.migrate import upgrade
from foryou_crm.sandbox.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Proc:
    base: str
    process: subprocess.Popen[bytes]
    log: Path


async def _wait_ready(base: str, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient(timeout=2) as http:
        for _ in range(600):
            if process.poll() is not None:
                raise RuntimeError(f"{base} exited; see {log}")
            try:
                if (await http.get(f"{base}{path}")).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{base} did not start; see {log}")


def _spawn(cmd: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Starting a process is quick; the wait for it to serve is the async part.
    with log.open("wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=out, env=env)


def _stop(proc: Proc) -> None:
    proc.process.terminate()
    try:
        proc.process.wait(10)
    except subprocess.TimeoutExpired:
        proc.process.kill()


@asynccontextmanager
async def sandbox(leads: int, workdir: Path) -> AsyncIterator[Proc]:
    """``foryou-crm sandbox``: the amoCRM emulator with its real 7 requests/s limit."""
    port = free_port()
    log = workdir / "sandbox.log"
    cmd = [sys.executable, "-m", "foryou_crm.cli", "sandbox", "--port", str(port)]
    process = _spawn([*cmd, "--leads", str(leads)], log, dict(os.environ))
    proc = Proc(f"http://127.0.0.1:{port}", process, log)
    try:
        await _wait_ready(proc.base, "/_sandbox/accounts", process, log)
        yield proc
    finally:
        _stop(proc)


async def reset_database(url: str) -> None:
    """An empty database at the latest migration."""
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all)
        await conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await engine.dispose()
    await asyncio.to_thread(upgrade, url)


async def ensure_postgres_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database if it does not exist yet."""
    import asyncpg

    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    head, _, name = dsn.rpartition("/")
    conn = await asyncpg.connect(f"{head}/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


@asynccontextmanager
async def service(
    database_url: str,
    sandbox_base: str,
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
) -> AsyncIterator[Proc]:
    """``uvicorn foryou_crm.asgi:app``, configured only through its environment."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data_dir = Path(tempfile.mkdtemp(prefix="svc-", dir=workdir))
    env = {
        **os.environ,
        "FORYOU_ENVIRONMENT": "development",
        "FORYOU_DATA_DIR": str(data_dir),
        "FORYOU_DATABASE_URL": database_url,
        "FORYOU_PUBLIC_BASE_URL": base,
        "FORYOU_REGISTRATION_ENABLED": "true",
        "FORYOU_AMOCRM_CLIENT_ID": DEMO_CLIENT_ID,
        "FORYOU_AMOCRM_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "FORYOU_AMOCRM_SANDBOX_URL": sandbox_base,
        "FORYOU_AMOCRM_SYNC_INTERVAL_SECONDS": "3600",
        "FORYOU_LOG_LEVEL": "INFO",
        "FORYOU_LOG_JSON": "true",
        **(extra_env or {}),
    }
    log = workdir / f"service-{port}.log"
    cmd = [sys.executable, *(prefix or []), "-m", "uvicorn", "foryou_crm.asgi:app"]
    cmd += ["--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    process = _spawn(cmd, log, env)
    proc = Proc(base, process, log)
    try:
        await _wait_ready(base, "/healthz", process, log)
        yield proc
    finally:
        _stop(proc)
