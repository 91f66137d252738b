"""Section 6: what a sync costs our side, with amoCRM's limit lifted (the sandbox answers as
fast as it can and our rate budget allows 10,000 requests/s): leads ingested per CPU-second
of the process that runs the sync, its CPU per amoCRM call, its peak memory, and from those
how many accounts one core keeps busy at amoCRM's real 7 requests/s.

SQLite: ``foryou-crm serve`` runs the sync itself (its CPU also answers the status polls of
this benchmark, 4 a second). PostgreSQL: ``serve`` + one ``foryou-crm worker``, measured on
the worker."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import flow, procs

UNTHROTTLED = 10_000  # requests/s: far above what one process can send
AMO_RPS = 7


@dataclass
class Cost:
    database: str
    leads: int
    seconds: float
    cpu_s: float
    calls: int
    peak_rss_mb: float

    def row(self) -> str:
        per_call_ms = 1000 * self.cpu_s / self.calls
        # An account syncing at amoCRM's ceiling makes 7 calls a second; one core runs
        # 1 / (7 × CPU per call) of them side by side.
        accounts = 1 / (AMO_RPS * self.cpu_s / self.calls)
        return (
            f"| {self.database} | {self.leads:,} | {self.seconds:.1f} s "
            f"| {self.leads / self.seconds:,.0f} | {self.cpu_s:.1f} s "
            f"| {self.leads / self.cpu_s:,.0f} | {self.calls:,} | {per_call_ms:.1f} ms "
            f"| {accounts:.0f} | {self.peak_rss_mb:.0f} MiB |"
        )


async def _unthrottle(sandbox: str) -> None:
    # The answer counts the account's records, drawing every lazily seeded note and task
    # first: seconds at 100,000 leads, more than 30 s at 1,000,000.
    async with httpx.AsyncClient(base_url=sandbox, timeout=600) as http:
        r = await http.patch(
            f"/_sandbox/accounts/{flow.ACCOUNT}", json={"rateLimitRps": UNTHROTTLED}
        )
        r.raise_for_status()


async def unthrottled(
    sandbox: procs.Proc, workdir: Path, database: str, url: str, leads: int
) -> Cost:
    await procs.reset_database(url)
    await _unthrottle(sandbox.base)
    port = procs.free_port()
    base = f"http://127.0.0.1:{port}"
    env = procs.deployment_env(
        url, sandbox.base, workdir, base, FORYOU_AMOCRM_RATE_LIMIT_RPS=str(UNTHROTTLED)
    )
    async with (
        procs.cli_process(
            f"cost-serve-{database}", ["serve", "--port", str(port)], env, workdir, "/healthz"
        ) as serve,
        contextlib.AsyncExitStack() as stack,
    ):
        runner = serve
        if database == "postgresql":
            runner = await stack.enter_async_context(
                procs.cli_process("cost-worker", ["worker"], env, workdir)
            )
        await flow.point_sandbox_at(sandbox.base, base)
        jwt = await flow.register(base, f"cost-{database}@b.x")
        await flow.clear_sandbox_log(sandbox.base)
        cpu0 = procs.cpu_seconds(runner.process)
        started = await flow.connect(base, jwt)
        timing = await flow.wait_for_sync(base, jwt, started, leads)
        cpu = procs.cpu_seconds(runner.process) - cpu0
        seen = await flow.sandbox_view(sandbox.base)
        return Cost(
            database,
            timing.leads,
            timing.finished_s,
            cpu,
            seen.requests,
            procs.peak_rss_mb(runner.process.pid),
        )


HEADER = [
    "| database | leads | sync finished after | leads/s | CPU of the sync's process "
    "| leads per CPU-second | amoCRM calls | CPU per call | accounts one core carries at "
    "7 requests/s | peak RSS |",
    "|---|---|---|---|---|---|---|---|---|---|",
]
