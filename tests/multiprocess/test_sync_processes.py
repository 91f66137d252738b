"""The sync on real processes: exactly once across API and sync workers, crash-exact after
`kill -9`, one re-fetch at a time under a webhook burst, the states an agent sees, the CLI
beside a running demo, and the SQLite embedded default restarted mid-sync."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from bench import flow

from tests.multiprocess.conftest import (
    ACCOUNT,
    Cluster,
    Proc,
    amocrm_calls,
    deploy,
    mirror_leads,
    queue_jobs,
    sandbox_leads,
    service_env,
    sqlite_leads,
    start_sandbox,
    start_serve,
    start_worker,
    sync_state,
    wait_for,
    wait_http,
)
from tests.ops.conftest import clean_env, cli, free_port

pytestmark = pytest.mark.multiprocess


def _auth(jwt: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt}"}


def _connect(base: str, sandbox: Proc | None, email: str) -> tuple[str, dict[str, Any]]:
    if sandbox is not None:
        asyncio.run(flow.point_sandbox_at(sandbox.base_url, base))
    jwt = asyncio.run(flow.register(base, email))
    return jwt, asyncio.run(flow.exchange(base, jwt))


def _idle(base: str, jwt: str, seconds: float = 120) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        sync = sync_state(base, jwt)["sync"]
        assert sync["state"] != "failed", sync
        return sync if sync["state"] == "idle" and sync["lastSyncedAt"] else None

    found: dict[str, Any] = wait_for("the sync to finish", done, seconds, every=0.25)
    return found


def _settled(sandbox: Proc, database_url: str) -> None:
    """Every webhook delivered and every re-fetch done."""

    def quiet() -> bool:
        pending = httpx.get(f"{sandbox.base_url}/_sandbox/deliveries", timeout=10).json()
        busy = queue_jobs(
            database_url,
            "SELECT 1 FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
            "AND task_name <> 'tick' AND task_name <> 'recover_stalled' "
            "UNION ALL SELECT 1 FROM amo_refetch_requests",
        )
        return pending["pending"] == 0 and not busy

    wait_for("webhooks and re-fetches to settle", quiet, 90, every=0.5)


def _tap_sync(bases: list[str], jwt: str, taps: int) -> None:
    """The agent taps «sync» again and again; each tap is a new connection, so they spread
    over the API worker processes."""
    for i in range(taps):
        r = httpx.post(f"{bases[i % len(bases)]}/api/amo-crm/sync", headers=_auth(jwt), timeout=10)
        assert r.status_code == 202, r.text
        assert r.json()["data"]["state"] in ("queued", "running")


LEADS = 3000


@pytest.mark.timeout(420)
def test_two_api_and_two_sync_workers_call_amocrm_as_often_as_one_process(
    cluster: Cluster, pg_url: str, redis_db: str, tmp_path: Path
) -> None:
    sandbox = start_sandbox(cluster, LEADS)

    # One process: `serve` on SQLite runs the jobs itself.
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sqlite_url = f"sqlite+aiosqlite:///{tmp_path / 'one.db'}"
    env = service_env(cluster, sandbox, base, sqlite_url, None)
    assert cli(["migrate"], tmp_path, env).returncode == 0
    one = start_serve(cluster, env, port)
    jwt, connected = _connect(base, sandbox, "one@foryou.example")
    assert connected["sync"]["state"] == "queued"
    _tap_sync([base], jwt, 6)
    _idle(base, jwt)
    single = len(amocrm_calls(sandbox))
    assert cluster.terminate(one) in (0, -15)

    # Same data: two API workers and two sync workers on PostgreSQL + Redis.
    httpx.post(f"{sandbox.base_url}/_sandbox/reset", json={"leads": LEADS, "seed": 1}, timeout=60)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = service_env(cluster, sandbox, base, pg_url, redis_db)
    start_serve(cluster, env, port, workers=2)
    workers = [start_worker(cluster, env, f"worker-{i}") for i in (1, 2)]
    jwt, connected = _connect(base, sandbox, "two@foryou.example")
    assert connected["sync"]["state"] == "queued"
    _tap_sync([base], jwt, 6)
    sync = _idle(base, jwt)
    multi = len(amocrm_calls(sandbox))

    print(f"amoCRM calls: one process {single}, 2 API + 2 sync workers {multi}")  # pytest -s
    assert abs(multi - single) <= 0.05 * single, (single, multi)
    assert sync["leads"] == LEADS
    started = [w for w in workers if "leads_sync_started" in w.log()]
    assert len(started) == 1, "one worker ran the sync"
    mirror = mirror_leads(pg_url)
    assert mirror == sandbox_leads(sandbox, f"{base}/api/amo-crm/callback")


class Mutator(threading.Thread):
    """Someone working in amoCRM meanwhile: creates, renames and deletes leads through the
    sandbox's control API, a few every half second, until stopped."""

    def __init__(self, sandbox: Proc, ids: list[int]) -> None:
        super().__init__(daemon=True)
        self.url = f"{sandbox.base_url}/_sandbox/accounts/{ACCOUNT}/leads"
        self.ids = sorted(ids)
        self.random = random.Random(13)
        self.stop_event = threading.Event()
        self.deleted: list[int] = []
        self.created = 0
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            with httpx.Client(timeout=10) as http:
                while not self.stop_event.wait(0.5):
                    self._round(http)
        except Exception as exc:  # reported by the test, not lost in a thread
            self.error = exc

    def _round(self, http: httpx.Client) -> None:
        r = http.post(
            self.url, json={"leads": [{"name": f"Нова {self.created + i}"} for i in (0, 1)]}
        )
        r.raise_for_status()
        self.created += 2
        # Mostly leads of the pages already read (low ids), where a deletion shifts pages.
        victim = self.ids.pop(self.random.randrange(len(self.ids) // 3))
        r = http.delete(f"{self.url}/{victim}")
        r.raise_for_status()
        self.deleted.append(victim)
        renamed = self.ids[self.random.randrange(len(self.ids))]
        http.patch(self.url, json={"leads": [{"id": renamed, "name": f"Змінено {renamed}"}]})

    def finish(self) -> None:
        self.stop_event.set()
        self.join(10)
        assert self.error is None, self.error


def _cursor(database_url: str) -> int:
    rows = queue_jobs(database_url, "SELECT cursor_page FROM amo_sync_states")
    return int(rows[0]["cursor_page"]) if rows else 0


@pytest.mark.timeout(420)
def test_kill_9_mid_sync_the_other_worker_finishes_it_exactly(
    cluster: Cluster, pg_url: str, redis_db: str
) -> None:
    deployed = deploy(
        cluster,
        8000,
        pg_url,
        redis_db,
        FORYOU_QUEUE_HEARTBEAT_SECONDS="1",
        FORYOU_QUEUE_STALLED_AFTER_SECONDS="4",
    )
    sandbox, base, workers = deployed.sandbox, deployed.base, deployed.workers
    asyncio.run(flow.point_sandbox_at(sandbox.base_url, base))
    seeded = list(sandbox_leads(sandbox, f"{base}/api/amo-crm/callback"))
    httpx.post(f"{sandbox.base_url}/_sandbox/accounts/{ACCOUNT}/unblock", timeout=10)
    jwt, connected = _connect(base, sandbox, "crash@foryou.example")
    assert connected["sync"]["state"] == "queued"
    mutator = Mutator(sandbox, seeded)
    mutator.start()
    try:
        wait_for("the full pass to be a few pages in", lambda: _cursor(pg_url) >= 4, 120)
        (victim,) = [w for w in workers if "leads_sync_started" in w.log()]
        (survivor,) = [w for w in workers if w is not victim]
        cursor = _cursor(pg_url)
        killed = time.monotonic()
        cluster.kill9(victim)
        wait_for(
            "the dead worker's job to be handed on",
            lambda: "queue_stalled_job_recovered" in survivor.log(),
            60,
        )
        recovered = time.monotonic() - killed
        wait_for(
            "the other worker to take the sync over",
            lambda: "leads_sync_resuming" in survivor.log(),
            90,
        )
        resumed = time.monotonic() - killed
        time.sleep(2)  # changes go on while it resumes
    finally:
        mutator.finish()
    sync = _idle(base, jwt, 180)
    _settled(sandbox, pg_url)
    mirror = mirror_leads(pg_url)
    amocrm = sandbox_leads(sandbox, f"{base}/api/amo-crm/callback")
    missing, stale = set(amocrm) - set(mirror), set(mirror) - set(amocrm)
    changed = {i for i in set(amocrm) & set(mirror) if amocrm[i] != mirror[i]}
    assert (missing, stale, changed) == (set(), set(), set())
    assert mutator.deleted and sync["leads"] <= len(amocrm)
    print(  # the numbers for the report (pytest -s)
        f"kill -9 at page {cursor}: job handed on after {recovered:.1f} s, "
        f"resumed after {resumed:.1f} s (re-fetches queued before it ran first)"
    )


@pytest.mark.timeout(300)
def test_a_webhook_burst_runs_one_refetch_at_a_time(
    cluster: Cluster, pg_url: str, redis_db: str
) -> None:
    deployed = deploy(cluster, 300, pg_url, redis_db)
    sandbox, base = deployed.sandbox, deployed.base
    jwt, _ = _connect(base, sandbox, "burst@foryou.example")
    _idle(base, jwt)
    seen = {"todo": 0, "doing": 0}
    watching = threading.Event()

    def watch() -> None:
        while not watching.is_set():
            for row in queue_jobs(
                pg_url,
                "SELECT status::text AS status, count(*) AS n FROM procrastinate_jobs "
                "WHERE task_name = 'refetch_leads' AND status IN ('todo', 'doing') "
                "GROUP BY status",
            ):
                seen[row["status"]] = max(seen[row["status"]], int(row["n"]))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    ids = sorted(sandbox_leads(sandbox, f"{base}/api/amo-crm/callback"))[:60]
    with httpx.Client(timeout=10) as http:
        for lead_id in ids:  # one edit, one webhook each
            r = http.patch(
                f"{sandbox.base_url}/_sandbox/accounts/{ACCOUNT}/leads",
                json={"leads": [{"id": lead_id, "name": f"Пакет {lead_id}"}]},
            )
            r.raise_for_status()
    _settled(sandbox, pg_url)
    watching.set()
    watcher.join(5)
    assert seen["todo"] <= 1 and seen["doing"] <= 1, seen
    listed = cli(["jobs"], deployed.sandbox.log_path.parent, deployed.env)
    assert listed.returncode == 0, listed.stderr
    assert "JOB\tTASK\tSTATUS" in listed.stdout  # the queue's own rows, on PostgreSQL
    mirror = mirror_leads(pg_url)
    assert all(mirror[i][1] == f"Пакет {i}" for i in ids)
    assert mirror == sandbox_leads(sandbox, f"{base}/api/amo-crm/callback")


@pytest.mark.timeout(300)
def test_the_cli_beside_a_running_demo_asks_the_demo(
    cluster: Cluster, tmp_path: Path, sqlite_pass: None
) -> None:
    """The demo's settings are made in code (its sandbox, its client id): `foryou-crm sync`
    beside it reads the same database and only asks; the demo's own queue runs the job."""
    port = free_port()
    env = clean_env(tmp_path / "var")
    demo = cluster.start("demo", ["demo", "--port", str(port), "--leads", "600"], env)
    demo.base_url = f"http://127.0.0.1:{port}"
    wait_http(demo, "/healthz")
    jwt, connected = _connect(demo.base_url, None, "cli@foryou.example")
    assert connected["sync"]["state"] == "queued"  # the instant exchange-code answers
    _idle(demo.base_url, jwt)

    synced = cli(["sync", "--user", "cli@foryou.example"], tmp_path, env, timeout=120)
    assert synced.returncode == 0, synced.stderr
    assert "idle: 600 leads mirrored" in synced.stdout
    status = sync_state(demo.base_url, jwt)
    assert status["connected"] is True and status["sync"]["state"] == "idle"

    listed = cli(["jobs"], tmp_path, env)
    assert listed.returncode == 0, listed.stderr
    assert "CONNECTION" in listed.stdout

    # amoCRM forgets the tokens: the next sync finds out, and asking again is a clear 409.
    revoke = f"{demo.base_url}/sandbox/_sandbox/accounts/{ACCOUNT}/revoke-tokens"
    assert httpx.post(revoke, timeout=10).status_code == 200
    r = httpx.post(f"{demo.base_url}/api/amo-crm/sync", headers=_auth(jwt), timeout=10)
    assert r.status_code == 202, r.text
    wait_for(
        "the refused tokens to be noticed",
        lambda: sync_state(demo.base_url, jwt)["needsReconnect"],
        60,
    )
    r = httpx.post(f"{demo.base_url}/api/amo-crm/sync", headers=_auth(jwt), timeout=10)
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "AMO_RECONNECT_REQUIRED"


@pytest.mark.timeout(300)
def test_sqlite_serve_restarted_mid_sync_resumes_exactly(
    cluster: Cluster, tmp_path: Path, sqlite_pass: None
) -> None:
    sandbox = start_sandbox(cluster, 6000)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = tmp_path / "embedded.db"
    env = service_env(
        cluster,
        sandbox,
        base,
        f"sqlite+aiosqlite:///{database}",
        None,
        FORYOU_AMOCRM_RATE_LIMIT_RPS="4",
    )
    assert cli(["migrate"], tmp_path, env).returncode == 0
    asyncio.run(flow.point_sandbox_at(sandbox.base_url, base))
    seeded = sorted(sandbox_leads(sandbox, f"{base}/api/amo-crm/callback"))
    httpx.post(f"{sandbox.base_url}/_sandbox/accounts/{ACCOUNT}/unblock", timeout=10)
    serve = start_serve(cluster, env, port)
    jwt, _ = _connect(base, sandbox, "embedded@foryou.example")

    def cursor() -> int:
        import sqlite3

        with sqlite3.connect(database) as db:
            row = db.execute("SELECT cursor_page FROM amo_sync_states").fetchone()
        return int(row[0]) if row else 0

    wait_for("the full pass to be a few pages in", lambda: cursor() >= 3, 120)
    cluster.kill9(serve)
    # While it is down: leads of the pages already read are deleted, others created, renamed.
    control = f"{sandbox.base_url}/_sandbox/accounts/{ACCOUNT}/leads"
    for victim in seeded[5:300:60]:
        assert httpx.delete(f"{control}/{victim}", timeout=10).is_success
    assert httpx.post(control, json={"leads": [{"name": "Поки лежав"}]}, timeout=10).is_success
    renamed = {"id": seeded[400], "name": "Перейменовано"}
    assert httpx.patch(control, json={"leads": [renamed]}, timeout=10).is_success

    start_serve(cluster, env, port)
    sync = _idle(base, jwt, 180)
    mirror = sqlite_leads(database)
    assert mirror == sandbox_leads(sandbox, f"{base}/api/amo-crm/callback")
    assert sync["leads"] == len(mirror)


@pytest.mark.timeout(300)
def test_sigterm_saves_the_place_and_releases_the_lock(
    cluster: Cluster, pg_url: str, redis_db: str
) -> None:
    """A clean stop: the running sync saves its place, defers its continuation and releases
    its lock, so the next worker goes on at once — nobody waits for the heartbeat timeout."""
    deployed = deploy(cluster, 6000, pg_url, redis_db, sync_workers=1)
    sandbox, base, env, (first,) = deployed.sandbox, deployed.base, deployed.env, deployed.workers
    jwt, _ = _connect(base, sandbox, "sigterm@foryou.example")
    wait_for("the full pass to be a few pages in", lambda: _cursor(pg_url) >= 3, 120)
    assert cluster.terminate(first) == 0, first.log()
    assert "leads_sync_stopped" in first.log()
    jobs = queue_jobs(
        pg_url,
        "SELECT status::text AS status FROM procrastinate_jobs "
        "WHERE task_name = 'sync_connection' AND status IN ('todo', 'doing')",
    )
    assert [j["status"] for j in jobs] == ["todo"]  # its continuation; no lock held
    assert queue_jobs(pg_url, "SELECT 1 FROM procrastinate_workers") == []

    second = start_worker(cluster, env, "worker-2")
    # Picked up right away: no stalled-job recovery was needed.
    wait_for("the next worker to go on", lambda: "leads_sync_resuming" in second.log(), 15)
    assert "queue_stalled_job_recovered" not in second.log()
    sync = _idle(base, jwt)
    assert sync["leads"] == 6000
    assert mirror_leads(pg_url) == sandbox_leads(sandbox, f"{base}/api/amo-crm/callback")


@pytest.mark.timeout(300)
def test_a_sync_worker_reports_its_amocrm_calls_on_its_own_port(
    cluster: Cluster, pg_url: str, redis_db: str, tmp_path: Path
) -> None:
    """The compose worker: PROMETHEUS_MULTIPROC_DIR set for every service (a folder nobody
    created in the worker's container) and `--metrics-port`. What it counts is what amoCRM saw."""
    from prometheus_client.parser import text_string_to_metric_families

    deployment = deploy(cluster, 600, pg_url, redis_db, sync_workers=0)
    port = free_port()
    env = deployment.env | {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "worker" / "metrics")}
    worker = cluster.start("worker-metrics", ["worker", "--metrics-port", str(port)], env)
    worker.base_url = f"http://127.0.0.1:{port}"
    wait_http(worker, "/healthz")
    jwt, _ = _connect(deployment.base, deployment.sandbox, "metrics@foryou.example")
    assert _idle(deployment.base, jwt)["leads"] == 600

    page = httpx.get(f"{worker.base_url}/metrics", timeout=10).text
    counted: dict[str, float] = {}
    phases: set[tuple[str, str]] = set()
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            if sample.name == "foryou_amocrm_requests_total":
                endpoint = sample.labels["endpoint"]
                counted[endpoint] = counted.get(endpoint, 0) + sample.value
            if sample.name == "foryou_sync_phase_duration_seconds_count" and sample.value:
                phases.add((sample.labels["phase"], sample.labels["outcome"]))
    seen = [e for e in amocrm_calls(deployment.sandbox) if e["path"] == "/api/v4/leads"]
    assert seen, "the sync read leads"
    assert counted.get("leads") == len(seen)
    assert ("full", "ok") in phases, phases
    assert worker.alive(), worker.log()
