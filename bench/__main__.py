"""``python -m bench``: the API table (``bench.api``: the leads list, ``/status`` and
``/healthz`` beside a bare FastAPI endpoint of the same process, on SQLite and PostgreSQL, at
100,000 and 1,000,000 leads), initial-sync throughput under the sandbox's real 7 requests/s
limit, a naive pass-through to amoCRM for comparison, and the sync on the job queue.
Everything runs as separate processes on 127.0.0.1 over real sockets; the numbers are printed
as Markdown tables. ``--quick``: the API table only, 100,000 leads, short runs."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import api, cost, flow, naive, procs, sync

CEILING = 7 * 250  # leads/s: 7 requests/s × 250 leads per page
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/foryou_bench"


@contextlib.contextmanager
def work_dir(prefix: str, keep: bool) -> Iterator[Path]:
    """A fresh folder for a section's logs and databases; removed afterwards unless kept."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)


def filters() -> dict[str, tuple[list[tuple[str, str]], list[tuple[str, str]], bool]]:
    """name → (our query, the same screen asked of amoCRM, needs every page: sort by price)."""
    today = datetime.now(UTC).date()
    c_from, c_to = today - timedelta(days=365), today - timedelta(days=180)

    def unix(d: Any, end: bool = False) -> str:
        moment = datetime.combine(d + timedelta(days=1 if end else 0), datetime.min.time(), UTC)
        return str(int(moment.timestamp()) - (1 if end else 0))

    return {
        "none": ([], [], False),
        "status": (
            [("pipelineId", "7710001"), ("statusId", "61000014")],
            [
                ("filter[statuses][0][pipeline_id]", "7710001"),
                ("filter[statuses][0][status_id]", "61000014"),
            ],
            False,
        ),
        "text query": ([("query", "печерськ")], [("query", "печерськ")], False),
        "price + date range": (
            [
                ("priceFrom", "100000"),
                ("priceTo", "500000"),
                ("createdFrom", c_from.isoformat()),
                ("createdTo", c_to.isoformat()),
            ],
            [
                ("filter[price][from]", "100000"),
                ("filter[price][to]", "500000"),
                ("filter[created_at][from]", unix(c_from)),
                ("filter[created_at][to]", unix(c_to, end=True)),
            ],
            False,
        ),
        "responsible + sort by price": (
            [("responsibleUserId", "9001102"), ("sort", "price")],
            [("filter[responsible_user_id]", "9001102")],
            True,
        ),
    }


def leads_target(params: list[tuple[str, str]]) -> str:
    return "/api/amo-crm/leads?" + urlencode([*params, ("limit", "50")])


async def run(args: argparse.Namespace) -> list[str]:
    out: list[str] = []
    if "api" in args.sections:
        targets = {name: leads_target(ours) for name, (ours, _, _) in filters().items()}
        out += await api.run_api(args, targets)
    if "sync" in args.sections or "naive" in args.sections:
        out += await run_list(args)
    if "cost" in args.sections:
        out += await run_cost(args)
    if "queue" in args.sections:
        out += await run_queue(args)
    return out


async def run_queue(args: argparse.Namespace) -> list[str]:
    """Section 4: the sync on the job queue, one process vs API + sync workers, then many
    accounts at once on one and two sync workers."""
    await procs.ensure_postgres_database(args.pg_url)
    rows: list[str] = []
    many: list[str] = []
    with work_dir("foryou-bench-queue-", args.keep) as workdir:
        async with procs.sandbox(args.leads, workdir) as sandbox:
            print(f"[queue] one account, {args.leads:,} leads, one process …", flush=True)
            rows.append((await sync.single_process(sandbox, workdir, args.leads)).row())
            print(rows[-1], flush=True)
            await flow.reset_sandbox(sandbox.base, args.leads)
            print("[queue] the same on 2 API + 2 sync workers …", flush=True)
            deployed = await sync.deployed(
                sandbox, workdir, args.pg_url, args.redis_url, args.leads
            )
            rows.append(deployed.row())
            print(rows[-1], flush=True)
        async with procs.sandbox(
            0, workdir, agencies=args.accounts, agency_leads=args.account_leads
        ) as sandbox:
            for workers in (1, 2):
                print(f"[queue] {args.accounts} accounts at once, {workers} worker(s) …")
                await flow.reset_sandbox(sandbox.base, 0)
                result = await sync.many_accounts(
                    sandbox,
                    workdir,
                    args.pg_url,
                    args.redis_url,
                    args.accounts,
                    args.account_leads,
                    workers,
                )
                many.append(result.row())
                print(many[-1], flush=True)
    return [
        "",
        f"## 4. Initial sync on the job queue, {args.leads:,} leads (ceiling {CEILING:,} leads/s)",
        "",
        "| deployment | leads | all leads listed after | leads/s | % of ceiling "
        "| page requests/s (sandbox log) | sync finished after | leads/s overall "
        "| amoCRM requests | 429 / 403 |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        f"## 5. {args.accounts} accounts syncing at once ({args.account_leads:,} leads each, "
        "each account 7 requests/s)",
        "",
        "| sync workers | accounts | leads | all idle after | leads/s total "
        "| per account, % of ceiling | worker CPU per 1,000 leads | amoCRM requests | 429 |",
        "|---|---|---|---|---|---|---|---|---|",
        *many,
    ]


async def run_cost(args: argparse.Namespace) -> list[str]:
    """Section 6: the sync's own CPU and memory, amoCRM's limit lifted."""
    rows: list[str] = []
    with work_dir("foryou-bench-cost-", args.keep) as workdir:
        for size in args.cost_sizes:
            async with procs.sandbox(size, workdir) as sandbox:
                for db in args.databases:
                    url = (
                        f"sqlite+aiosqlite:///{workdir / f'cost-{size}.db'}"
                        if db == "sqlite"
                        else args.pg_url
                    )
                    if db == "postgresql":
                        await procs.ensure_postgres_database(url)
                    await flow.reset_sandbox(sandbox.base, size)
                    print(f"[cost] {db}: {size:,} leads, amoCRM's limit lifted …", flush=True)
                    rows.append((await cost.unthrottled(sandbox, workdir, db, url, size)).row())
                    print(rows[-1], flush=True)
    return [
        "",
        "## 6. What a sync costs our side (amoCRM's limit lifted)",
        "",
        *cost.HEADER,
        *rows,
    ]


async def run_list(args: argparse.Namespace) -> list[str]:
    out: list[str] = []
    sync_rows: list[str] = []
    naive_rows: list[str] = []
    with work_dir("foryou-bench-", args.keep) as workdir:
        async with procs.sandbox(args.leads, workdir) as sandbox:
            for db in args.databases:
                url = (
                    f"sqlite+aiosqlite:///{workdir / 'bench.db'}" if db == "sqlite" else args.pg_url
                )
                # On PostgreSQL the jobs run in a worker process beside the service, so the
                # two share the account's rate budget through Redis, as a deployment of more
                # than one process must (docs/configuration.md); without it the connect's
                # calls and the job's first ones were paced apart and drew a 429.
                extra = {}
                if db == "postgresql":
                    await procs.ensure_postgres_database(url)
                    await procs.flush_redis(args.redis_url)
                    extra = {"FORYOU_REDIS_URL": args.redis_url}
                await procs.reset_database(url)
                async with (
                    procs.service(url, sandbox.base, workdir, extra_env=extra) as service,
                    contextlib.AsyncExitStack() as workers,
                ):
                    if db == "postgresql":
                        await workers.enter_async_context(
                            procs.cli_process("list-worker", ["worker"], service.env, workdir)
                        )
                    await flow.point_sandbox_at(sandbox.base, service.base)
                    jwt = await flow.register(service.base, f"bench-{db}@foryou.example")
                    print(f"[{db}] connecting and syncing {args.leads:,} leads …", flush=True)
                    await flow.clear_sandbox_log(sandbox.base)
                    await flow.unblock(sandbox.base)
                    started = await flow.connect(service.base, jwt)
                    t = await flow.wait_for_sync(service.base, jwt, started, args.leads)
                    seen = await flow.sandbox_view(sandbox.base)
                    loaded = t.leads / t.leads_loaded_s
                    whole = t.leads / t.finished_s
                    sync_rows.append(
                        f"| {db} | {t.leads:,} | {t.leads_loaded_s:.1f} s | {loaded:,.0f} "
                        f"| {100 * loaded / CEILING:.1f} % | {seen.pages_rps:.2f} "
                        f"| {t.finished_s:.1f} s | {whole:,.0f} ({100 * whole / CEILING:.1f} %) "
                        f"| {seen.requests} | {seen.answered} | {seen.minimum_s:.1f} s "
                        f"| **{100 * seen.minimum_s / t.finished_s:.1f} %** "
                        f"| {seen.rate_limited} / {seen.blocked} |"
                    )
                    print(sync_rows[-1], flush=True)
                    redirect = f"{service.base}/api/amo-crm/callback"
            if not args.skip_naive and "naive" in args.sections:
                await flow.unblock(sandbox.base)
                token = await naive.sandbox_token(sandbox.base, redirect)
                pt = naive.PassThrough(sandbox.base, token)
                try:
                    for name, (_, theirs, by_price) in filters().items():
                        n = 1 if by_price else args.naive_requests
                        lat = await naive.latency(pt, theirs, n, by_price)
                        rps = (
                            await naive.throughput(pt, theirs, args.concurrency, args.seconds)
                            if not by_price
                            else 1 / (lat.p50_ms / 1000)
                        )
                        naive_rows.append(
                            f"| {name} | {lat.n} | {lat.p50_ms:.0f} | {lat.p95_ms:.0f} "
                            f"| {lat.p99_ms:.0f} | {rps:,.1f} | {pt.requests} / {pt.rate_limited} |"
                        )
                        print(naive_rows[-1], flush=True)
                finally:
                    await pt.aclose()
    out += [
        "",
        f"## 1. Initial sync, {args.leads:,} leads, sandbox limit 7 requests/s "
        f"(ceiling {CEILING:,} leads/s)",
        "",
        "| database | leads | all leads listed after | leads/s | % of ceiling "
        "| page requests/s (sandbox log) | sync finished after | leads/s overall "
        "| requests made | needed (answered) | minimum at 7/s | minimum ÷ actual | 429 / 403 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        *sync_rows,
    ]
    if naive_rows:
        out += [
            "",
            "## 3. Naive pass-through to amoCRM (the sandbox), within 7 requests/s",
            "",
            "| filter | n | p50 ms | p95 ms | p99 ms | req/s | amoCRM requests / 429s so far |",
            "|---|---|---|---|---|---|---|",
            *naive_rows,
        ]
    return out


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1, not {value}")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000, help="leads in the sandbox account")
    parser.add_argument("--concurrency", type=int, default=32, help="of the naive pass-through")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each req/s run")
    parser.add_argument(
        "--latency-seconds", type=float, default=2.0, help="length of each one-at-a-time run"
    )
    parser.add_argument(
        "--latency-rounds",
        type=positive,
        default=3,
        help="one-at-a-time runs per row of the API table, the rows in turn (median reported)",
    )
    parser.add_argument(
        "--sizes",
        default=[100_000, 1_000_000],
        type=lambda s: [int(x) for x in s.split(",") if x.strip()],
        help="mirror sizes of the API table (comma list)",
    )
    parser.add_argument(
        "--template-leads",
        type=int,
        default=2000,
        help="leads the API table syncs from the sandbox before growing the mirror",
    )
    parser.add_argument(
        "--quick", action="store_true", help="API table only, 100,000 leads, short runs"
    )
    parser.add_argument(
        "--cost-sizes",
        default=[100_000],
        type=lambda s: [int(x) for x in s.split(",") if x.strip()],
        help="sandbox sizes of section 6, the sync's own cost (comma list)",
    )
    parser.add_argument("--naive-requests", type=int, default=30)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        type=lambda s: [x.strip() for x in s.split(",") if x.strip()],
        help="comma list of sqlite, postgresql",
    )
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument(
        "--sections",
        default="api,sync,naive,cost,queue",
        type=lambda s: {x.strip() for x in s.split(",") if x.strip()},
        help="comma list of api (the API table), sync (the initial sync), naive "
        "(pass-through to amoCRM), cost (the sync's CPU and memory, unthrottled), queue (the "
        "sync on the job queue)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--accounts", type=int, default=20, help="accounts syncing at once")
    parser.add_argument("--account-leads", type=int, default=5000, help="leads per account")
    parser.add_argument("--keep", action="store_true", help="keep the work dir (logs, SQLite)")
    args = parser.parse_args()
    if args.quick:
        args.sections, args.sizes = {"api"}, [100_000]
        args.seconds, args.latency_seconds = 3.0, 1.0
    for line in asyncio.run(run(args)):
        print(line)


if __name__ == "__main__":
    main()
