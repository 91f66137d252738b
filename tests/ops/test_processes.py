"""The commands the container image and the compose file run — `migrate`, `serve`,
`healthcheck` — as real processes."""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory

from foryou_crm.core.migrate import alembic_config
from tests.ops.conftest import (
    STOPPED_CLEANLY,
    Served,
    clean_env,
    cli,
    free_port,
    start_serve,
    stop,
)

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
PRODUCTION_SECRETS = {
    "FORYOU_JWT_SECRET": "j" * 48,
    "FORYOU_TOKEN_ENCRYPTION_KEYS": "k1:" + base64.b64encode(b"\x07" * 32).decode(),
    "FORYOU_AMOCRM_CLIENT_ID": "3f9c0a7e-5b1d-4c2e-8a6f-0d9e8c7b6a51",
    "FORYOU_AMOCRM_CLIENT_SECRET": "a-real-looking-client-secret-1234",
    "FORYOU_AMOCRM_WEBHOOK_SECRET": "a-real-looking-webhook-secret-5678",
}


def test_migrate_builds_the_schema_from_nothing(served: Served) -> None:
    with sqlite3.connect(served.folder / "var" / "foryou.db") as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]


def test_migrate_again_changes_nothing(database_url: str, tmp_path: Path) -> None:
    """The compose file runs `migrate` before every roll-out: on an up-to-date database (the
    suite's own, SQLite or PostgreSQL) it succeeds and leaves the head revision."""
    result = cli(["migrate"], tmp_path, clean_env(tmp_path, FORYOU_DATABASE_URL=database_url))
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout


def test_healthcheck_passes_against_a_running_server(served: Served, tmp_path: Path) -> None:
    result = cli(["healthcheck", "--url", f"{served.base_url}/healthz"], tmp_path, served.env)
    assert result.returncode == 0, result.stderr
    assert "healthy" in result.stdout
    assert httpx.get(f"{served.base_url}/readyz").json()["data"]["database"] == "ok"


def test_healthcheck_fails_when_nothing_listens(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/healthz"
    result = cli(["healthcheck", "--url", url, "--timeout", "2"], tmp_path, clean_env(tmp_path))
    assert result.returncode == 1
    assert f"unhealthy: {url}" in result.stderr


def test_healthcheck_fails_when_the_server_answers_an_error(served: Served, tmp_path: Path) -> None:
    result = cli(["healthcheck", "--url", f"{served.base_url}/no-such-page"], tmp_path, served.env)
    assert result.returncode == 1
    assert "answered 404" in result.stderr


def test_production_serve_logs_json_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = clean_env(
        tmp_path,
        FORYOU_ENVIRONMENT="production",
        FORYOU_PUBLIC_BASE_URL="https://crm.foryou-realestate.example.org",
        **PRODUCTION_SECRETS,
    )
    assert cli(["migrate"], tmp_path, env).returncode == 0
    served = start_serve(tmp_path, env)
    response = httpx.get(f"{served.base_url}/readyz", headers={"X-Request-ID": "probe-42"})
    assert response.headers["x-request-id"] == "probe-42"
    assert stop(served) in STOPPED_CLEANLY, served.log()
    lines = [json.loads(line) for line in served.log().splitlines() if line.startswith("{")]
    request = next(line for line in lines if line.get("path") == "/readyz")
    assert request["event"] == "http_request"
    assert request["request_id"] == "probe-42"
    assert request["level"] == "info"
    assert "Application shutdown complete." in [line["event"] for line in lines]


def test_production_serve_names_every_problem_at_once(tmp_path: Path) -> None:
    env = clean_env(
        tmp_path / "var",
        FORYOU_ENVIRONMENT="production",
        FORYOU_PUBLIC_BASE_URL="http://crm.example.org",
        FORYOU_JWT_SECRET="too-short",
        FORYOU_AMOCRM_CLIENT_SECRET="change-me",
        FORYOU_AMOCRM_SANDBOX_URL="http://127.0.0.1:8100",
    )
    result = cli(["serve", "--port", str(free_port())], tmp_path, env)
    assert result.returncode != 0
    for problem in [
        "FORYOU_JWT_SECRET must be at least 32 characters",
        "FORYOU_TOKEN_ENCRYPTION_KEYS is missing or a placeholder",
        "FORYOU_AMOCRM_CLIENT_ID is missing or a placeholder",
        "FORYOU_AMOCRM_CLIENT_SECRET is missing or a placeholder",
        "FORYOU_AMOCRM_WEBHOOK_SECRET is missing or a placeholder",
        "FORYOU_AMOCRM_SANDBOX_URL must not be set in production",
        "FORYOU_PUBLIC_BASE_URL must be https in production",
    ]:
        assert problem in result.stderr
    assert "(7 problems)" in result.stderr


@pytest.mark.skipif(
    not os.environ.get("FORYOU_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="several workers need PostgreSQL; this runs in the PostgreSQL suite",
)
@pytest.mark.timeout(240)  # two workers import the app side by side on a loaded machine
def test_several_workers_on_postgres_and_redis(database_url: str, tmp_path: Path) -> None:
    """The compose topology: `serve --workers 2` on PostgreSQL with Redis."""
    redis_url = os.environ.get("FORYOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    env = clean_env(tmp_path, FORYOU_DATABASE_URL=database_url, FORYOU_REDIS_URL=redis_url)
    served = start_serve(tmp_path, env, "--workers", "2")
    try:
        healthy = cli(["healthcheck", "--url", f"{served.base_url}/healthz"], tmp_path, env)
        assert healthy.returncode == 0, healthy.stderr
        assert httpx.get(f"{served.base_url}/readyz").status_code == 200
    finally:
        assert stop(served) in STOPPED_CLEANLY, served.log()


def test_worker_on_sqlite_says_serve_runs_the_jobs(tmp_path: Path) -> None:
    result = cli(["worker"], tmp_path, clean_env(tmp_path))
    assert result.returncode != 0
    assert "the job worker needs PostgreSQL" in result.stderr
    assert "`foryou-crm serve` runs the jobs itself" in result.stderr


@pytest.mark.skipif(
    not os.environ.get("FORYOU_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the job worker needs PostgreSQL; this runs in the PostgreSQL suite",
)
@pytest.mark.timeout(120)
def test_worker_runs_until_sigterm_and_leaves_the_queue_clean(
    database_url: str, tmp_path: Path
) -> None:
    """The compose file's `worker` service: registers with the queue, stops on SIGTERM (what
    `docker stop` sends) with status 0 and unregisters."""
    import subprocess
    import time

    from tests.ops.conftest import CLI

    redis_url = os.environ.get("FORYOU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    env = clean_env(tmp_path, FORYOU_DATABASE_URL=database_url, FORYOU_REDIS_URL=redis_url)
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [CLI, "worker", "--concurrency", "2"], cwd=tmp_path, env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 60
        while "Starting worker" not in log_path.read_text():
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        process.terminate()
        assert process.wait(timeout=40) == 0, log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert "Stopped worker" in log_path.read_text()
