"""The API table: ``GET /api/amo-crm/leads`` (five filters), ``/status``, ``/healthz`` and a
bare FastAPI endpoint of the same process, at concurrency 32 (req/s, % of bare) and one at a
time (p50/p95/p99: the median of a few rounds taken in turn), on SQLite and PostgreSQL, at
each mirror size, and how each row's p95 grows from the smallest mirror to the largest.

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
import statistics
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


@dataclass
class Throughput:
    rps: float
    cpu_ms: float  # the server's CPU time per request during the concurrency run
    errors: int
    first_ms: float  # the very first request of this target (cold caches)


@dataclass
class LatencyRounds:
    """One target's one-at-a-time runs, one per round; the figures are each percentile's
    median over the rounds, so one slow minute of the shared box moves one round, not the row."""

    rounds: list[dict[str, float]]

    def _median_ms(self, key: str) -> float:
        return statistics.median(r[key] for r in self.rounds) / 1000

    @property
    def p50_ms(self) -> float:
        return self._median_ms("p50")

    @property
    def p95_ms(self) -> float:
        return self._median_ms("p95")

    @property
    def p99_ms(self) -> float:
        return self._median_ms("p99")

    @property
    def errors(self) -> int:
        return int(sum(r["errors"] for r in self.rounds))

    def each_p95(self) -> str:
        return " / ".join(f"{r['p95'] / 1000:.2f}" for r in self.rounds)


@dataclass
class Measured:
    many: Throughput
    one: LatencyRounds


async def throughput(
    base: str, path: str, headers: dict[str, str], seconds: float, pid: int
) -> Throughput:
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
    return Throughput(
        rps=many["requests"] / (many["duration_us"] / 1e6),
        cpu_ms=1000 * cpu / max(1, many["requests"]),
        errors=int(many["errors"]),
        first_ms=first_ms,
    )


async def latencies(
    base: str, plan: list[tuple[str, str, dict[str, str]]], seconds: float, rounds: int
) -> list[LatencyRounds]:
    """One at a time, the targets taken in turn, ``rounds`` times over: every row, the bare
    endpoint's included, samples the same minutes of the box."""
    found = [LatencyRounds([]) for _ in plan]
    for _ in range(rounds):
        for (_, path, headers), latency in zip(plan, found, strict=True):
            latency.rounds.append(await wrk(base, path, headers, 1, seconds))
    return found


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
        bare = self.rows[0][1].many
        out = []
        for name, m in self.rows:
            many, one = m.many, m.one
            out.append(
                f"| {self.database} | {self.leads:,} | {name} | {many.rps:,.0f} "
                f"| {100 * many.rps / bare.rps:.1f} % | {many.cpu_ms:.2f} "
                f"| {100 * bare.cpu_ms / many.cpu_ms:.1f} % "
                f"| {one.p50_ms:.2f} | {one.p95_ms:.2f} | {one.p99_ms:.2f} | {one.each_p95()} "
                f"| {many.first_ms:.1f} | {many.errors + one.errors} |"
            )
        return out

    def p95(self, name: str) -> float:
        return next(m.one.p95_ms for n, m in self.rows if n == name)


def growth(blocks: list[Block]) -> list[str]:
    """Each row's p95 at the smallest mirror beside the largest, per database: flat cost
    reads < 2×. The bare endpoint's own ratio is the box's drift between the two blocks."""
    out = []
    for database in dict.fromkeys(b.database for b in blocks):
        mine = sorted((b for b in blocks if b.database == database), key=lambda b: b.leads)
        small, large = mine[0], mine[-1]
        if small is large:
            continue
        for name, _ in small.rows:
            before, after = small.p95(name), large.p95(name)
            out.append(
                f"| {database} | {name} | {before:.2f} | {after:.2f} | {after / before:.2f}× |"
            )
    if not out:
        return []
    return [
        "",
        f"p95 one at a time, {min(b.leads for b in blocks):,} → {max(b.leads for b in blocks):,} "
        "leads "
        "(medians of the rounds):",
        "",
        "| database | endpoint | p95 ms small | p95 ms large | growth |",
        "|---|---|---|---|---|",
        *out,
    ]


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
                        many = []
                        for name, path, headers in plan:
                            m = await throughput(
                                service.base, path, headers, a.seconds, service.process.pid
                            )
                            many.append(m)
                            print(f"  {name}: {m}", flush=True)
                        ones = await latencies(
                            service.base, plan, a.latency_seconds, a.latency_rounds
                        )
                        for (name, _, _), m, one in zip(plan, many, ones, strict=True):
                            rows.append((name, Measured(m, one)))
                            print(f"  {name}: p95 each round {one.each_p95()} ms", flush=True)
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
        f"concurrency run; one at a time, {a.latency_rounds} rounds of {a.latency_seconds:g} s "
        "per row, the rows in turn (p50/p95/p99: the median of the rounds); limit=50.",
        "",
        "| database | leads | endpoint | req/s c=32 | % of bare | server CPU ms/req "
        "| % of bare by CPU | p50 ms | p95 ms | p99 ms | p95 ms each round "
        "| first request ms | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for block in blocks:
        out += block.lines()
    out += growth(blocks)
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
