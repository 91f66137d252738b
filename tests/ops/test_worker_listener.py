"""`foryou-crm worker --metrics-port`: the worker's own /metrics and /healthz, under the same
access rules as the API's, as a real process on PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.ops.conftest import CLI, clean_env, free_port
from tests.ops.test_processes import PRODUCTION_SECRETS

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("FORYOU_TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="the job worker needs PostgreSQL; this runs in the PostgreSQL suite",
    ),
    pytest.mark.timeout(120),
]
METRICS_TOKEN = "a-long-enough-metrics-token-0123456789"


def _env(tmp_path: Path, database_url: str, **settings: str) -> dict[str, str]:
    redis_url = os.environ.get("FORYOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    return clean_env(
        tmp_path,
        FORYOU_DATABASE_URL=database_url,
        FORYOU_REDIS_URL=redis_url,
        FORYOU_ENVIRONMENT="production",
        FORYOU_PUBLIC_BASE_URL="https://crm.foryou-realestate.example.org",
        **PRODUCTION_SECRETS,
        **settings,
    )


def _start(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    with (tmp_path / "worker.log").open("w") as log:
        return subprocess.Popen(
            [CLI, "worker", *args], cwd=tmp_path, env=env, stdout=log, stderr=log
        )


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, log.read_text()
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)


def test_production_worker_serves_metrics_to_the_token_holder_only(
    database_url: str, tmp_path: Path
) -> None:
    worker_log = tmp_path / "worker.log"
    port = free_port()
    # As compose.yaml runs it: the registry in memory, the port from the settings.
    env = _env(
        tmp_path,
        database_url,
        FORYOU_METRICS_TOKEN=METRICS_TOKEN,
        FORYOU_WORKER_METRICS_PORT=str(port),
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = _start(tmp_path, env)
    base = f"http://127.0.0.1:{port}"
    try:
        health = _wait_healthy(process, f"{base}/healthz", worker_log)
        assert health.status_code == 200
        assert health.json() == {"success": True, "data": {"status": "ok", "role": "worker"}}

        refused = httpx.get(f"{base}/metrics")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "UNAUTHORIZED"
        wrong = httpx.get(f"{base}/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401

        page = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/plain")
        assert "# TYPE foryou_amocrm_requests_total counter" in page.text
        # The database levels are the API's to report: summed over targets, counted once.
        assert "foryou_users" not in page.text
        assert "process_resident_memory_bytes" in page.text  # one process: its own figures

        process.terminate()  # what `docker stop` sends: the listener stops with the jobs
        assert process.wait(timeout=40) == 0, worker_log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base}/healthz", timeout=2)


def test_production_worker_without_a_metrics_token_keeps_metrics_closed(
    database_url: str, tmp_path: Path
) -> None:
    worker_log = tmp_path / "worker.log"
    port = free_port()
    process = _start(tmp_path, _env(tmp_path, database_url), "--metrics-port", str(port))
    try:
        base = f"http://127.0.0.1:{port}"
        assert _wait_healthy(process, f"{base}/healthz", worker_log).status_code == 200
        closed = httpx.get(f"{base}/metrics")
        assert closed.status_code == 404
        assert closed.json()["success"] is False
    finally:
        process.terminate()
        process.wait(timeout=40)


def test_a_taken_metrics_port_stops_the_worker_at_start(database_url: str, tmp_path: Path) -> None:
    worker_log = tmp_path / "worker.log"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = _start(tmp_path, _env(tmp_path, database_url), "--metrics-port", str(port))
        try:
            assert process.wait(timeout=60) != 0
        finally:
            if process.poll() is None:
                process.kill()
    assert "Starting worker" not in worker_log.read_text()
