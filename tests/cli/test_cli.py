"""The `foryou-crm` command, run as a user runs it (a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = str(Path(sys.executable).with_name("foryou-crm"))


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FORYOU_")} | {
        "FORYOU_DATA_DIR": str(tmp_path / "var"),
        **env,
    }
    return subprocess.run(
        [CLI, *args], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60
    )


def test_migrate_and_manage_users(tmp_path: Path) -> None:
    assert run(["migrate"], tmp_path).returncode == 0
    assert (tmp_path / "var" / "foryou.db").exists()
    created = run(
        ["users", "create", "Agent@Example.org", "--password", "long-enough-1", "--name", "Olha"],
        tmp_path,
    )
    assert created.returncode == 0, created.stderr
    listed = run(["users", "list"], tmp_path)
    assert "agent@example.org\tOlha" in listed.stdout
    again = run(["users", "create", "agent@example.org", "--password", "long-enough-1"], tmp_path)
    assert again.returncode != 0
    assert "already exists" in again.stderr
    short = run(["users", "create", "b@example.org", "--password", "short"], tmp_path)
    assert short.returncode != 0


def test_serve_refuses_placeholder_secrets_in_production(tmp_path: Path) -> None:
    result = run(
        ["serve", "--port", "0"],
        tmp_path,
        FORYOU_ENVIRONMENT="production",
        FORYOU_JWT_SECRET="change-me",
    )
    assert result.returncode != 0
    assert "FORYOU_JWT_SECRET" in result.stderr
