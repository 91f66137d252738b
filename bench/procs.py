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
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from redis.asyncio import Redis
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
    env: dict[str, str] = field(default_factory=dict)


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
async def sandbox(
    leads: int,
    workdir: Path,
    agencies: int = 0,
    agency_leads: int = 300,
    launcher: list[str] | None = None,
) -> AsyncIterator[Proc]:
    """``foryou-crm sandbox``: the amoCRM emulator with its real 7 requests/s limit.
    ``launcher``: as for ``service``."""
    port = free_port()
    log = workdir / f"sandbox-{port}.log"
    cmd = [sys.executable, "-m", "foryou_crm.cli", "sandbox", "--port", str(port)]
    cmd += ["--agencies", str(agencies), "--agency-leads", str(agency_leads)]
    process = _spawn([*(launcher or []), *cmd, "--leads", str(leads)], log, dict(os.environ))
    proc = Proc(f"http://127.0.0.1:{port}", process, log)
    try:
        await _wait_ready(proc.base, "/_sandbox/accounts", process, log)
        await wait_settled(proc.base)
        yield proc
    finally:
        _stop(proc)


async def wait_settled(sandbox: str) -> None:
    """Until the sandbox has drawn its world's notes and tasks in the background (seconds at
    100,000 leads, its loop taken a chunk at a time, then one full collection): requests
    arriving meanwhile are stamped late, bunched, and draw 429s no amoCRM would send — the
    first sync's only 429 in a run, before the bench waited for this."""
    async with httpx.AsyncClient(base_url=sandbox, timeout=60) as http:
        for _ in range(6000):
            r = await http.get("/_sandbox")
            r.raise_for_status()
            if not r.json()["drawing"]:
                return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{sandbox} still drawing its world after 10 minutes")


async def flush_redis(url: str) -> None:
    """The bench's own Redis database emptied: no rate budget (a slowdown after a 429 lasts
    ten minutes) or throttle left from an earlier run."""
    redis = Redis.from_url(url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


async def reset_database(url: str) -> None:
    """An empty database at the latest migration."""
    engine = make_engine(url)
    async with engine.begin() as conn:
        if url.startswith("postgresql"):
            # Also what migrations made beside the models (the job queue's schema).
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        else:
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


def deployment_env(
    database_url: str, sandbox_base: str, workdir: Path, base: str, **extra: str
) -> dict[str, str]:
    """The FORYOU_* settings every process of one deployment shares."""
    data_dir = Path(tempfile.mkdtemp(prefix="svc-", dir=workdir))
    return {
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
        # Fixed, so every process of the deployment shares them (development would otherwise
        # make them per data directory).
        "FORYOU_JWT_SECRET": "bench-jwt-secret-0123456789abcdef-0123456789",
        "FORYOU_TOKEN_ENCRYPTION_KEYS": "bench:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "FORYOU_AMOCRM_WEBHOOK_SECRET": "bench-webhook-secret",
        **extra,
    }


@asynccontextmanager
async def service(
    database_url: str,
    sandbox_base: str,
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
    app: str = "foryou_crm.asgi:app",
    launcher: list[str] | None = None,
) -> AsyncIterator[Proc]:
    """``uvicorn foryou_crm.asgi:app``, configured only through its environment.
    ``launcher``: a command that execs the server (``taskset -c 0`` pins it to one core)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = deployment_env(database_url, sandbox_base, workdir, base, **(extra_env or {}))
    log = workdir / f"service-{port}.log"
    cmd = [*(launcher or []), sys.executable, *(prefix or []), "-m", "uvicorn", app]
    cmd += ["--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--no-access-log", "--log-level", "warning"]
    process = _spawn(cmd, log, env)
    proc = Proc(base, process, log, env)
    try:
        await _wait_ready(base, "/healthz", process, log)
        yield proc
    finally:
        _stop(proc)


@asynccontextmanager
async def cli_process(
    name: str,
    args: list[str],
    env: dict[str, str],
    workdir: Path,
    ready: str | None = None,
    launcher: list[str] | None = None,
) -> AsyncIterator[Proc]:
    """``foryou-crm <args>`` as deployed. ``ready``: an HTTP path to wait for (``serve``), or
    None to wait for the queue worker's start line in its log. ``launcher``: as for
    ``service``."""
    log = workdir / f"{name}.log"
    cmd = [*(launcher or []), sys.executable, "-m", "foryou_crm.cli", *args]
    process = _spawn(cmd, log, env)
    base = env.get("FORYOU_PUBLIC_BASE_URL", "") if ready else ""
    proc = Proc(base, process, log)
    try:
        if ready is not None:
            await _wait_ready(base, ready, process, log)
        else:
            for _ in range(600):
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited; see {log}")
                if b"Starting worker" in log.read_bytes():
                    break
                await asyncio.sleep(0.1)
        yield proc
    finally:
        _stop(proc)


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size so far (``VmHWM``), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(process: subprocess.Popen[bytes]) -> float:
    """User + system CPU time the process has used so far (Linux /proc)."""
    return cpu_seconds_of(process.pid)


def cpu_seconds_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
