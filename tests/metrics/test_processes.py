"""Metrics of real `foryou-crm serve` processes: N workers report together through
PROMETHEUS_MULTIPROC_DIR, and a restart starts the counts from zero."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.metrics.conftest import Scrape
from tests.ops.conftest import (
    STARTUP_SECONDS,
    STOPPED_CLEANLY,
    Served,
    clean_env,
    cli,
    start_serve,
    stop,
)

META = "/api/meta"
COUNT = "foryou_http_request_duration_seconds_count"
on_postgres = pytest.mark.skipif(
    not os.environ.get("FORYOU_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="several workers need PostgreSQL; this runs in the PostgreSQL suite",
)


def _scrape(served: Served) -> Scrape:
    # A new connection each time: any worker may answer.
    response = httpx.get(f"{served.base_url}/metrics", timeout=10)
    assert response.status_code == 200, response.text
    return Scrape.parse(response.text)


def _meta_count(page: Scrape) -> float:
    return page.value(COUNT, method="GET", route=META, status="200")


def _meta_by_process(folder: Path) -> dict[str, float]:
    """/api/meta requests each worker recorded, read from its own file."""
    counts = {}
    for path in folder.glob("histogram_*.db"):
        merged = MultiProcessCollector.merge([str(path)])
        counts[path.stem.rsplit("_", 1)[1]] = sum(
            s.value
            for metric in merged
            for s in metric.samples
            if s.name == COUNT and s.labels.get("route") == META
        )
    return counts


def _ask_until_every_worker_answered(served: Served, folder: Path, workers: int) -> int:
    """Concurrent requests on new connections until each worker answered some; how many.
    `serve` answers as soon as one worker is up, and the others may still be importing the app
    on a loaded machine: the bound is the start-up one, not a measurement."""
    sent = 0
    deadline = time.monotonic() + STARTUP_SECONDS
    with ThreadPoolExecutor(max_workers=8) as pool:
        while time.monotonic() < deadline:
            answers = list(pool.map(lambda _: httpx.get(served.base_url + META), range(8)))
            assert all(r.status_code == 200 for r in answers)
            sent += len(answers)
            if len([n for n in _meta_by_process(folder).values() if n > 0]) == workers:
                return sent
            time.sleep(0.2)
    pytest.fail(f"not every worker answered: {_meta_by_process(folder)}\n{served.log()}")


@on_postgres
@pytest.mark.timeout(300)
@pytest.mark.parametrize("directory", ["configured", "made by serve"])
def test_two_workers_report_one_sum(database_url: str, tmp_path: Path, directory: str) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    settings = {"FORYOU_DATABASE_URL": database_url, "TMPDIR": str(temporary)}
    if directory == "configured":
        settings["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "prometheus")
    served = start_serve(tmp_path, clean_env(tmp_path / "var", **settings), "--workers", "2")
    try:
        if directory == "configured":
            folder = tmp_path / "prometheus"
        else:
            (folder,) = temporary.glob("foryou-metrics-*")
        sent = _ask_until_every_worker_answered(served, folder, workers=2)
        assert sum(_meta_by_process(folder).values()) == sent
        # Whichever worker answers a scrape, it reports every worker's requests; and each
        # scrape sees the scrapes before it.
        for earlier in range(6):
            page = _scrape(served)
            assert _meta_count(page) == sent
            assert page.value(COUNT, method="GET", route="/metrics", status="200") == earlier
    finally:
        assert stop(served) in STOPPED_CLEANLY, served.log()
    if directory == "made by serve":
        assert not folder.exists()


@pytest.mark.timeout(240)
def test_a_restart_starts_counting_from_zero(tmp_path: Path) -> None:
    """The configured directory keeps the last run's files until `serve` starts again, which
    wipes them (a process reopening its own stale file would count on from there)."""
    folder = tmp_path / "prometheus"
    env = clean_env(tmp_path / "var", PROMETHEUS_MULTIPROC_DIR=str(folder))
    migrated = cli(["migrate"], tmp_path, env)
    assert migrated.returncode == 0, migrated.stderr
    first = start_serve(tmp_path, env)
    try:
        for _ in range(3):
            assert httpx.get(first.base_url + META).status_code == 200
        assert _meta_count(_scrape(first)) == 3
    finally:
        assert stop(first) in STOPPED_CLEANLY, first.log()
    assert list(folder.glob("*.db"))  # what the last run left
    second = start_serve(tmp_path, env)
    try:
        assert _meta_count(_scrape(second)) == 0
        assert httpx.get(second.base_url + META).status_code == 200
        assert _meta_count(_scrape(second)) == 1
    finally:
        assert stop(second) in STOPPED_CLEANLY, second.log()


def test_importing_the_service_writes_no_metrics_file(tmp_path: Path) -> None:
    """What lets `serve` wipe the directory after its own imports: no instrument writes a file
    before it is first used (every one has labels)."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    code = (
        "import foryou_crm.cli, foryou_crm.app, foryou_crm.leads.sync.run;"
        "from foryou_crm.metrics.exposition import multiprocess; assert multiprocess()"
    )
    env = clean_env(tmp_path / "var", PROMETHEUS_MULTIPROC_DIR=str(folder))
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert list(folder.iterdir()) == []
