"""Operations tests: the `foryou-crm` processes the container runs, the deployment files, and
the references generated from code. Processes run as a person (or Docker) would start them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("foryou-crm"))
STARTUP_SECONDS = 90


def clean_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The caller's environment without any FORYOU_* setting (no developer's database or
    secrets leak in), plus ``settings``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FORYOU_")}
    return env | {"FORYOU_DATA_DIR": str(data_dir)} | settings


def cli(
    args: list[str], cwd: Path, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Served:
    """A `foryou-crm serve` process on a free port, SQLite under its own folder."""

    process: subprocess.Popen[str]
    base_url: str
    env: dict[str, str]
    folder: Path
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def start_serve(folder: Path, env: dict[str, str], *args: str) -> Served:
    port = free_port()
    log_path = folder / "serve.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [CLI, "serve", "--host", "127.0.0.1", "--port", str(port), *args],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    served = Served(process, f"http://127.0.0.1:{port}", env, folder, log_path)
    # A generous bound, not a measurement: on a loaded 2-core machine each worker needs seconds
    # to import the app.
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode}:\n{served.log()}")
        try:
            if httpx.get(f"{served.base_url}/healthz", timeout=2).status_code == 200:
                return served
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop(served)
    pytest.fail(f"serve did not answer /healthz in {STARTUP_SECONDS} s:\n{served.log()}")


# After a graceful shutdown uvicorn raises the SIGTERM it caught again, so the process ends
# "killed by SIGTERM" (status 143 under Docker) rather than with 0.
STOPPED_CLEANLY = {0, -signal.SIGTERM}


def stop(served: Served) -> int:
    """SIGTERM, as `docker stop` sends; returns the exit code."""
    served.process.terminate()
    try:
        return served.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait(timeout=5)
        raise


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Migrated, then served: the order the compose file runs them in."""
    folder = tmp_path_factory.mktemp("served")
    env = clean_env(folder / "var")
    migrated = cli(["migrate"], folder, env)
    assert migrated.returncode == 0, migrated.stderr
    instance = start_serve(folder, env)
    try:
        yield instance
    finally:
        if instance.process.poll() is None:
            stop(instance)


# Debian's Chromium, launched the way the browser suite launches it (skipped outside CI when
# missing, a failure in CI).
from tests.e2e.conftest import browser  # noqa: E402, F401
