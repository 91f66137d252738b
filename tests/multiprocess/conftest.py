"""Real processes started through the CLI, as an operator starts them: the standalone amoCRM
sandbox (`foryou-crm sandbox`), `foryou-crm serve` (API workers) and `foryou-crm worker`
(sync workers) on PostgreSQL + Redis, or `serve`/`demo` alone on SQLite. Each test gets its
own PostgreSQL database (created from nothing, migrated, dropped after) and its own Redis
db emptied before it; every child is killed by its pid in a finalizer.

PostgreSQL comes from FORYOU_TEST_DATABASE_URL: the tests that need it run in the PostgreSQL
pass of the suite (scripts/test-all.sh, which fails under CI=true when PostgreSQL is missing)
and are skipped in the SQLite pass; the SQLite ones run in the SQLite pass only. Redis comes
from FORYOU_TEST_REDIS_URL (default db 15): missing, it skips them — and fails them under
CI=true."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from redis import Redis
from sqlalchemy.engine import make_url

from foryou_crm.core.migrate import upgrade
from foryou_crm.sandbox.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from tests.ops.conftest import CLI, free_port

ACCOUNT = "reforyou.amocrm.ru"
STARTUP_SECONDS = 90
_numbers = itertools.count(1)


def _required(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required in CI for tests/multiprocess")
    pytest.skip(f"{what} is not configured; tests/multiprocess need it")


def on_postgres() -> bool:
    return os.environ.get("FORYOU_TEST_DATABASE_URL", "").startswith("postgresql")


@pytest.fixture(scope="session")
def pg_base_url() -> str:
    if not on_postgres():
        pytest.skip("needs PostgreSQL: runs in the PostgreSQL pass of the suite")
    return os.environ["FORYOU_TEST_DATABASE_URL"]


@pytest.fixture
def sqlite_pass() -> None:
    """The SQLite-only tests run once, in the SQLite pass."""
    if on_postgres():
        pytest.skip("SQLite only: runs in the SQLite pass of the suite")


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("FORYOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        Redis.from_url(url).ping()
    except Exception as exc:
        _required(f"Redis at {url} ({exc})")
    return url


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(False)


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def pg_url(pg_base_url: str) -> Iterator[str]:
    """A database of its own for this test, migrated from nothing, dropped afterwards."""
    name = f"{make_url(pg_base_url).database}_mp{os.getpid()}_{next(_numbers)}"
    asyncio.run(_admin(pg_base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    asyncio.run(_admin(pg_base_url, f'CREATE DATABASE "{name}"'))
    url = make_url(pg_base_url).set(database=name).render_as_string(False)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(pg_base_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def redis_db(redis_url: str) -> str:
    Redis.from_url(redis_url).flushdb()
    return redis_url


@dataclass
class Proc:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    base_url: str = ""

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class Cluster:
    """The processes of one test; ``stop_all`` (a finalizer) kills whatever is still running."""

    folder: Path
    procs: list[Proc] = field(default_factory=list)

    def start(
        self, name: str, args: list[str], env: dict[str, str], *, cwd: Path | None = None
    ) -> Proc:
        log_path = self.folder / f"{name}.log"
        with log_path.open("wb") as out:
            # A session of its own: `serve --workers N` forks workers, and the finalizer kills
            # the whole group (a SIGKILL to the parent alone would orphan them).
            process = subprocess.Popen(
                [CLI, *args],
                cwd=cwd or self.folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc = Proc(name, process, log_path)
        self.procs.append(proc)
        return proc

    def kill9(self, proc: Proc) -> None:
        proc.process.send_signal(signal.SIGKILL)
        proc.process.wait(timeout=10)

    def terminate(self, proc: Proc, timeout: float = 40) -> int:
        proc.process.terminate()
        try:
            return proc.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.process.kill()
            proc.process.wait(timeout=10)
            raise

    def stop_all(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.process.pid, signal.SIGKILL)  # its forked workers too
            if proc.process.poll() is None:
                proc.process.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    started = Cluster(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def wait_http(proc: Proc, path: str, seconds: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not proc.alive():
            pytest.fail(f"{proc.name} exited with {proc.process.returncode}:\n{proc.log()}")
        try:
            if httpx.get(f"{proc.base_url}{path}", timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{proc.name} did not answer {path} in {seconds} s:\n{proc.log()}")


def wait_for(what: str, check: Any, seconds: float, every: float = 0.2) -> Any:
    """Poll ``check()`` until it returns something truthy (a generous bound, not a
    measurement)."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(every)


def start_sandbox(cluster: Cluster, leads: int) -> Proc:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORYOU_")}
    proc = cluster.start("sandbox", ["sandbox", "--port", str(port), "--leads", str(leads)], env)
    proc.base_url = f"http://127.0.0.1:{port}"
    wait_http(proc, "/_sandbox/accounts")
    return proc


def service_env(
    cluster: Cluster, sandbox: Proc, public: str, database_url: str, redis: str | None, **extra: str
) -> dict[str, str]:
    """What every process of one deployment shares: the same FORYOU_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORYOU_")}
    env |= {
        "FORYOU_ENVIRONMENT": "development",
        "FORYOU_DATA_DIR": str(cluster.folder / "var"),
        "FORYOU_DATABASE_URL": database_url,
        "FORYOU_PUBLIC_BASE_URL": public,
        "FORYOU_REGISTRATION_ENABLED": "true",
        "FORYOU_AMOCRM_CLIENT_ID": DEMO_CLIENT_ID,
        "FORYOU_AMOCRM_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "FORYOU_AMOCRM_SANDBOX_URL": sandbox.base_url,
        "FORYOU_AMOCRM_SYNC_INTERVAL_SECONDS": "3600",
        "FORYOU_JWT_SECRET": "multiprocess-test-jwt-secret-0123456789abcdef",
        "FORYOU_TOKEN_ENCRYPTION_KEYS": "k1:" + base64.b64encode(b"\x05" * 32).decode(),
        "FORYOU_AMOCRM_WEBHOOK_SECRET": "multiprocess-test-webhook-secret",
        "FORYOU_LOG_JSON": "true",
        "FORYOU_LOG_LEVEL": "INFO",
    }
    if redis:
        env["FORYOU_REDIS_URL"] = redis
    return env | extra


def start_serve(cluster: Cluster, env: dict[str, str], port: int, workers: int = 1) -> Proc:
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    proc = cluster.start(f"serve-{port}", args, env)
    proc.base_url = f"http://127.0.0.1:{port}"
    wait_http(proc, "/healthz")
    return proc


def start_worker(cluster: Cluster, env: dict[str, str], name: str) -> Proc:
    proc = cluster.start(name, ["worker", "--concurrency", "4"], env)
    wait_for(f"{name} to start", lambda: "Starting worker" in proc.log() or not proc.alive(), 60)
    assert proc.alive(), proc.log()
    return proc


@dataclass
class Deployment:
    sandbox: Proc
    base: str  # the API
    env: dict[str, str]
    workers: list[Proc]


def deploy(
    cluster: Cluster,
    leads: int,
    database_url: str,
    redis: str,
    *,
    api_workers: int = 1,
    sync_workers: int = 2,
    **settings: str,
) -> Deployment:
    """The sandbox, `serve --workers api_workers` and `sync_workers` × `worker`, one set of
    FORYOU_* settings (``settings`` added)."""
    sandbox = start_sandbox(cluster, leads)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = service_env(cluster, sandbox, base, database_url, redis, **settings)
    start_serve(cluster, env, port, workers=api_workers)
    workers = [start_worker(cluster, env, f"worker-{i}") for i in range(1, sync_workers + 1)]
    return Deployment(sandbox, base, env, workers)


def sync_state(base_url: str, jwt: str) -> dict[str, Any]:
    r = httpx.get(
        f"{base_url}/api/amo-crm/status", headers={"Authorization": f"Bearer {jwt}"}, timeout=10
    )
    r.raise_for_status()
    data: dict[str, Any] = r.json()["data"]
    return data


def amocrm_calls(sandbox: Proc) -> list[dict[str, Any]]:
    """The sandbox's log of API calls to the account (the consent pages are not calls)."""
    r = httpx.get(f"{sandbox.base_url}/_sandbox/requests", timeout=30)
    r.raise_for_status()
    return [e for e in r.json()["entries"] if e["host"] == ACCOUNT]


def sandbox_leads(sandbox: Proc, redirect_uri: str) -> dict[int, tuple[int, str]]:
    """Every lead amoCRM (the sandbox) has: id → (updated_at, name), read through its API at a
    pace its limit allows."""
    from bench.naive import sandbox_token

    token = asyncio.run(sandbox_token(sandbox.base_url, redirect_uri))
    found: dict[int, tuple[int, str]] = {}
    page = 1
    with httpx.Client(base_url=sandbox.base_url, timeout=30) as http:
        while True:
            r = http.get(
                f"/accounts/{ACCOUNT}/api/v4/leads",
                params={"page": page, "limit": 250},
                headers={"Authorization": f"Bearer {token}"},
            )
            if r.status_code == 429:
                time.sleep(1.0)
                continue
            if r.status_code == 204:
                return found
            r.raise_for_status()
            body = r.json()
            for lead in body["_embedded"]["leads"]:
                found[int(lead["id"])] = (int(lead["updated_at"]), str(lead["name"]))
            if "next" not in body["_links"]:
                return found
            page += 1
            time.sleep(0.2)


def mirror_leads(database_url: str) -> dict[int, tuple[int, str]]:
    """What the service mirrors: id → (updated_at, name); a duplicate row fails here."""

    async def read() -> list[Any]:
        conn = await asyncpg.connect(_dsn(database_url))
        try:
            return list(await conn.fetch("SELECT amo_id, updated_at, name FROM amo_leads"))
        finally:
            await conn.close()

    rows = asyncio.run(read())
    mirror = {int(r["amo_id"]): (int(r["updated_at"]), str(r["name"])) for r in rows}
    assert len(mirror) == len(rows), "a lead is mirrored twice"
    return mirror


def queue_jobs(database_url: str, sql: str) -> list[Any]:
    async def read() -> list[Any]:
        conn = await asyncpg.connect(_dsn(database_url))
        try:
            return list(await conn.fetch(sql))
        finally:
            await conn.close()

    return asyncio.run(read())


def sqlite_leads(path: Path) -> dict[int, tuple[int, str]]:
    import sqlite3

    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT amo_id, updated_at, name FROM amo_leads").fetchall()
    mirror = {int(a): (int(u), str(n)) for a, u, n in rows}
    assert len(mirror) == len(rows), "a lead is mirrored twice"
    return mirror
