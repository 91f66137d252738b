"""The API table: ``GET /api/amo-crm/leads`` (five filters), ``/status``, ``/healthz`` and a
bare FastAPI endpoint of the same process, at concurrency 32 (req/s, % of bare) and one at a
time (p50/p95/p99), on SQLite and PostgreSQL, at each mirror size.

The server is pinned to one core (``taskset -c 0``) and the load generator, ``wrk``, to the
other, so the client does not eat the server's CPU; the bare endpoint in the same run is the
yardstick, since the box is shared and absolute numbers move with its load. The mirror is
filled by a real sync of the sandbox's leads, then grown straight in the database
(``seed.grow_mirror``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import text

from bench import flow, procs, seed
from bench.app import BARE_PATH
from foryou_crm.core.db import make_engine

SERVER_CPU = "0"
CLIENT_CPU = "1"
LUA = Path(__file__).with_name("report.lua")


@dataclass
class Measured:
    rps: float
    cpu_ms: float  # the server's CPU time per request during the concurrency run
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    first_ms: float  # the very first request of this target (cold caches)


async def wrk(
    base: str, path: str, headers: dict[str, str], connections: int, seconds: float
) -> dict[str, float]:
    duration = f"-d{max(1, round(seconds))}s"  # wrk takes whole seconds
    cmd = ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{connections}", duration]
    cmd += ["--timeout", "10s", "-s", str(LUA)]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    proc = await asyncio.create_subprocess_exec(
        *cmd, base + path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {err.decode()}")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    return result


async def measure(
    base: str, path: str, headers: dict[str, str], seconds: float, latency_seconds: float, pid: int
) -> Measured:
    """``pid``: the server's process, whose CPU time per request is the figure the box's
    load does not move (req/s and latency do: other processes share the core)."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        t0 = time.perf_counter()
        first = await http.get(path, headers=headers)
        first_ms = (time.perf_counter() - t0) * 1000
        if first.status_code != 200:
            raise RuntimeError(f"{path} answered {first.status_code}: {first.text[:300]}")
    await wrk(base, path, headers, 4, 1)  # warm-up
    cpu0 = procs.cpu_seconds_of(pid)
    many = await wrk(base, path, headers, 32, seconds)
    cpu = procs.cpu_seconds_of(pid) - cpu0
    one = await wrk(base, path, headers, 1, latency_seconds)
    return Measured(
        rps=many["requests"] / (many["duration_us"] / 1e6),
        cpu_ms=1000 * cpu / max(1, many["requests"]),
        errors=int(many["errors"] + one["errors"]),
        p50_ms=one["p50"] / 1000,
        p95_ms=one["p95"] / 1000,
        p99_ms=one["p99"] / 1000,
        first_ms=first_ms,
    )


@dataclass
class Block:
    """One database at one mirror size."""

    database: str
    leads: int
    rows: list[tuple[str, Measured]]
    rss_mb: float
    seeded_s: float
    load: tuple[float, float]  # load average (1 min) before and after

    def lines(self) -> list[str]:
        bare = self.rows[0][1]
        out = []
        for name, m in self.rows:
            out.append(
                f"| {self.database} | {self.leads:,} | {name} | {m.rps:,.0f} "
                f"| {100 * m.rps / bare.rps:.1f} % | {m.cpu_ms:.2f} "
                f"| {100 * bare.cpu_ms / m.cpu_ms:.1f} % "
                f"| {m.p50_ms:.2f} | {m.p95_ms:.2f} | {m.p99_ms:.2f} | {m.first_ms:.1f} "
                f"| {m.errors} |"
            )
        return out


async def _deep_pages(base: str, first: str, auth: dict[str, str]) -> dict[str, str]:
    """Deep in the unfiltered list: the 200th page by ``page`` (an offset of 9,950 rows) and
    the page after the 199th by ``cursor`` (the same rows, found by one range)."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        target = f"{first}&page=199"
        data = (await http.get(target, headers=auth)).json()["data"]
    cursor = urlencode({"cursor": data["nextCursor"]})
    return {"page 200 by page": f"{first}&page=200", "page 200 by cursor": f"{first}&{cursor}"}


async def _connection_id(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(text("SELECT id FROM amocrm_connections"))
            return int(found.scalar_one())
    finally:
        await engine.dispose()


async def run_api(args: argparse.Namespace, targets: dict[str, str]) -> list[str]:
    """``targets``: row name → path of the leads list with that filter."""
    a = args
    workdir = Path(tempfile.mkdtemp(prefix="foryou-bench-api-"))
    blocks: list[Block] = []
    try:
        # Everything but the server on the client's core: the sandbox's and the worker's
        # moments of work (a sync, a tick) would otherwise land in the server's latencies.
        beside = ["taskset", "-c", CLIENT_CPU]
        async with procs.sandbox(a.template_leads, workdir, launcher=beside) as sandbox:
            for db in a.databases:
                url = f"sqlite+aiosqlite:///{workdir / 'api.db'}" if db == "sqlite" else a.pg_url
                if db == "postgresql":
                    await procs.ensure_postgres_database(url)
                await procs.reset_database(url)
                async with (
                    procs.service(
                        url,
                        sandbox.base,
                        workdir,
                        app="bench.app:app",
                        launcher=["taskset", "-c", SERVER_CPU],
                    ) as service,
                    contextlib.AsyncExitStack() as workers,
                ):
                    if db == "postgresql":
                        await workers.enter_async_context(
                            procs.cli_process(
                                "api-worker", ["worker"], service.env, workdir, launcher=beside
                            )
                        )
                    await flow.point_sandbox_at(sandbox.base, service.base)
                    await flow.unblock(sandbox.base)
                    jwt = await flow.register(service.base, f"api-{db}@foryou.example")
                    started = await flow.connect(service.base, jwt)
                    await flow.wait_for_sync(service.base, jwt, started, a.template_leads)
                    cid = await _connection_id(url)
                    auth = {"Authorization": f"Bearer {jwt}"}
                    for size in a.sizes:
                        print(f"[api] {db}: growing the mirror to {size:,} leads …", flush=True)
                        seeded = await seed.grow_mirror(url, cid, size)
                        load0 = os.getloadavg()[0]
                        rows: list[tuple[str, Measured]] = []
                        deep = await _deep_pages(service.base, targets["none"], auth)
                        plan = [
                            ("bare FastAPI", BARE_PATH, {}),
                            ("/healthz", "/healthz", {}),
                            ("/api/amo-crm/status", "/api/amo-crm/status", auth),
                            *((f"leads: {n}", p, auth) for n, p in targets.items()),
                            *((f"leads: {n}", p, auth) for n, p in deep.items()),
                        ]
                        for name, path, headers in plan:
                            m = await measure(
                                service.base,
                                path,
                                headers,
                                a.seconds,
                                a.latency_seconds,
                                service.process.pid,
                            )
                            rows.append((name, m))
                            print(f"  {name}: {m}", flush=True)
                        block = Block(
                            db,
                            size,
                            rows,
                            procs.peak_rss_mb(service.process.pid),
                            seeded,
                            (load0, os.getloadavg()[0]),
                        )
                        blocks.append(block)
                        print("\n".join(block.lines()), flush=True)
    finally:
        if not a.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    out = [
        "",
        "## API: req/s at concurrency 32 (share of the bare endpoint's) and latency one at a time",
        "",
        f"Server pinned to CPU {SERVER_CPU}; `wrk`, the sandbox and (PostgreSQL) the sync "
        f"worker to CPU {CLIENT_CPU}; PostgreSQL itself unpinned; {a.seconds:g} s per "
        f"concurrency run, {a.latency_seconds:g} s one at a time; limit=50.",
        "",
        "| database | leads | endpoint | req/s c=32 | % of bare | server CPU ms/req "
        "| % of bare by CPU | p50 ms | p95 ms | p99 ms | first request ms | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for block in blocks:
        out += block.lines()
    out += [
        "",
        "| database | leads | API worker peak RSS | mirror grown in | load average (1 min) "
        "before → after |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {b.database} | {b.leads:,} | {b.rss_mb:.0f} MiB | {b.seeded_s:.1f} s "
        f"| {b.load[0]:.1f} → {b.load[1]:.1f} |"
        for b in blocks
    ]
    return out
