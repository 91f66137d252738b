"""Section 4: the initial sync on the job queue, as deployed.

- One account of N leads: one process (`foryou-crm serve` on SQLite runs the jobs itself) vs
  two API workers (`serve --workers 2`) and two sync workers (`foryou-crm worker` ×2) on
  PostgreSQL + Redis. Leads/s, amoCRM calls from the sandbox's request log, % of the
  1,750 leads/s ceiling (7 requests/s × 250 leads).
- Many accounts at once (the sandbox's extra agencies, each with its own 7 requests/s): on one
  and on two sync workers, total leads/s and the workers' CPU per 1,000 leads (from /proc),
  which says how many accounts one worker core carries."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import flow, procs

CEILING = 7 * 250


@dataclass
class OneAccount:
    label: str
    leads: int
    listed_s: float  # exchange-code answered → every lead listed
    idle_s: float  # → the sync idle
    calls: int
    rate_limited: int
    blocked: int
    pages_rps: float

    def row(self) -> str:
        listed = self.leads / self.listed_s
        whole = self.leads / self.idle_s
        return (
            f"| {self.label} | {self.leads:,} | {self.listed_s:.1f} s | {listed:,.0f} "
            f"| **{100 * listed / CEILING:.1f} %** | {self.pages_rps:.2f} | {self.idle_s:.1f} s "
            f"| {whole:,.0f} ({100 * whole / CEILING:.1f} %) | {self.calls} "
            f"| {self.rate_limited} / {self.blocked} |"
        )


async def one_account(
    label: str, sandbox: procs.Proc, base: str, leads: int, email: str
) -> OneAccount:
    await flow.point_sandbox_at(sandbox.base, base)
    await flow.unblock(sandbox.base)
    jwt = await flow.register(base, email)
    await flow.clear_sandbox_log(sandbox.base)
    started = await flow.connect(base, jwt)
    timing = await flow.wait_for_sync(base, jwt, started, leads)
    seen = await flow.sandbox_view(sandbox.base)
    return OneAccount(
        label,
        timing.leads,
        timing.leads_loaded_s,
        timing.finished_s,
        seen.requests,
        seen.rate_limited,
        seen.blocked,
        seen.pages_rps,
    )


async def single_process(sandbox: procs.Proc, workdir: Path, leads: int) -> OneAccount:
    url = f"sqlite+aiosqlite:///{workdir / 'one-process.db'}"
    await procs.reset_database(url)
    port = procs.free_port()
    base = f"http://127.0.0.1:{port}"
    env = procs.deployment_env(url, sandbox.base, workdir, base)
    serve = ["serve", "--port", str(port)]
    async with procs.cli_process("one-serve", serve, env, workdir, "/healthz"):
        return await one_account("1 process (serve, SQLite)", sandbox, base, leads, "one@b.x")


async def deployed(
    sandbox: procs.Proc, workdir: Path, pg_url: str, redis_url: str, leads: int
) -> OneAccount:
    await procs.reset_database(pg_url)
    port = procs.free_port()
    base = f"http://127.0.0.1:{port}"
    env = procs.deployment_env(pg_url, sandbox.base, workdir, base, FORYOU_REDIS_URL=redis_url)
    serve = ["serve", "--port", str(port), "--workers", "2"]
    async with (
        procs.cli_process("two-serve", serve, env, workdir, "/healthz"),
        procs.cli_process("worker-a", ["worker"], env, workdir),
        procs.cli_process("worker-b", ["worker"], env, workdir),
    ):
        label = "2 API + 2 sync workers (PostgreSQL)"
        return await one_account(label, sandbox, base, leads, "two@b.x")


@dataclass
class ManyAccounts:
    workers: int
    accounts: int
    leads: int
    seconds: float
    cpu_s: float
    calls: int
    rate_limited: int

    def row(self) -> str:
        rate = self.leads / self.seconds
        per_k = 1000 * self.cpu_s / self.leads
        per_account = self.leads / self.accounts / self.seconds  # leads/s of one account
        return (
            f"| {self.workers} | {self.accounts} | {self.leads:,} | {self.seconds:.1f} s "
            f"| {rate:,.0f} | {100 * per_account / CEILING:.0f} % | {per_k * 1000:.0f} ms "
            f"| {self.calls} | {self.rate_limited} |"
        )


async def many_accounts(
    sandbox: procs.Proc,
    workdir: Path,
    pg_url: str,
    redis_url: str,
    accounts: int,
    per_account: int,
    workers: int,
) -> ManyAccounts:
    from foryou_crm.sandbox.seed import agency_login

    await procs.reset_database(pg_url)
    port = procs.free_port()
    base = f"http://127.0.0.1:{port}"
    env = procs.deployment_env(pg_url, sandbox.base, workdir, base, FORYOU_REDIS_URL=redis_url)
    concurrency = str(-(-accounts // workers))  # every account's sync runs at once
    serve = ["serve", "--port", str(port)]
    async with (
        procs.cli_process(f"many-serve-{workers}", serve, env, workdir, "/healthz"),
        contextlib.AsyncExitStack() as stack,
    ):
        started = [
            await stack.enter_async_context(
                procs.cli_process(
                    f"many-worker-{workers}-{i}",
                    ["worker", "--concurrency", concurrency],
                    env,
                    workdir,
                )
            )
            for i in range(workers)
        ]
        await flow.point_sandbox_at(sandbox.base, base)
        await flow.clear_sandbox_log(sandbox.base)
        jwts = [await flow.register(base, f"agency{i}@b.x") for i in range(1, accounts + 1)]
        cpu_before = sum(procs.cpu_seconds(p.process) for p in started)
        t0 = time.perf_counter()
        await asyncio.gather(
            *(flow.connect(base, jwt, agency_login(i)) for i, jwt in enumerate(jwts, 1))
        )
        await asyncio.gather(*(_idle(base, jwt) for jwt in jwts))
        seconds = time.perf_counter() - t0
        cpu = sum(procs.cpu_seconds(p.process) for p in started) - cpu_before
    async with httpx.AsyncClient(base_url=sandbox.base, timeout=60) as http:
        entries = (await http.get("/_sandbox/requests")).json()["entries"]
    return ManyAccounts(
        workers,
        accounts,
        accounts * per_account,
        seconds,
        cpu,
        len(entries),
        sum(e["status"] == 429 for e in entries),
    )


async def _idle(base: str, jwt: str) -> None:
    auth = {"Authorization": f"Bearer {jwt}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        while True:
            sync = (await http.get("/api/amo-crm/status", headers=auth)).json()["data"]["sync"]
            if sync["state"] == "failed":
                raise RuntimeError(f"sync failed: {sync}")
            if sync["state"] == "idle" and sync["lastSyncedAt"]:
                return
            await asyncio.sleep(0.5)
