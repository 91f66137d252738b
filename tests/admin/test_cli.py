"""`foryou-crm users …` as real processes on the app's own database, while the app (in
process) serves the agents: what each command does to a JWT issued before it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from foryou_crm.core.config import Settings
from tests.admin.conftest import me
from tests.conftest import bearer, register
from tests.leads.conftest import connect
from tests.ops.conftest import CLI, clean_env
from tests.support import World

AGENT = "cli-agent@foryou-agents.com"


class Users:
    """`foryou-crm users` on the database and data dir (with its secrets) the app uses."""

    def __init__(self, settings: Settings, folder: Path) -> None:
        self.folder = folder
        self.env = clean_env(
            settings.data_dir,
            FORYOU_DATABASE_URL=settings.resolved_database_url,
            # amoCRM is the in-process sandbox, which no other process can reach.
            FORYOU_AMOCRM_SANDBOX_URL="http://127.0.0.1:9/unreachable",
        )

    def __call__(self, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
        """Exit code, standard output (the answer), standard error (logs, errors)."""
        result = subprocess.run(
            [CLI, "users", *args],
            cwd=self.folder,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.returncode, result.stdout, result.stderr


@pytest.fixture
def users(world: World, tmp_path: Path) -> Users:
    return Users(world.services.settings, tmp_path)


async def _status(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/amo-crm/status", headers=bearer(token))


async def test_disable_enable_and_reset_password_from_the_command_line(
    world: World, users: Users
) -> None:
    token = str((await register(world.client, AGENT))["accessToken"])
    assert (await me(world.client, token)).status_code == 200

    code, out, err = users("disable", AGENT)
    assert (code, out) == (0, f"disabled {AGENT}\n"), err
    assert "user_disabled" in err  # the service's log line, on stderr
    refused = await me(world.client, token)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "USER_DISABLED"
    code, out, err = users("enable", AGENT)
    assert (code, out) == (0, f"enabled {AGENT}\n"), err
    assert (await me(world.client, token)).status_code == 200

    code, out, err = users("reset-password", AGENT, "--password-stdin", stdin="typed-by-admin-42\n")
    assert code == 0, err
    revoked = await me(world.client, token)
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "TOKEN_REVOKED"
    assert (await _sign_in(world.client, "typed-by-admin-42")).status_code == 200

    code, out, err = users("reset-password", AGENT, "--generate")
    assert code == 0, err
    generated = out.split("new password (shown once): ")[1].strip()
    assert (await _sign_in(world.client, generated)).status_code == 200
    code, _out, err = users("reset-password", AGENT, "--password-stdin", stdin="short\n")
    assert code != 0 and "at least 8 characters" in err


async def _sign_in(client: httpx.AsyncClient, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": AGENT, "password": password})


async def test_list_shows_role_status_connection_and_last_sync(world: World, users: Users) -> None:
    await connect(world, AGENT)
    other = "not-connected@foryou-agents.com"
    await register(world.client, other)
    for command in ("promote", "disable"):
        code, _out, err = users(command, other)
        assert code == 0, err
    code, out, err = users("list")
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split("\t") == ["ID", "EMAIL", "NAME", "ROLE", "STATUS", "AMOCRM", "SYNC"]
    by_email = {row.split("\t")[1]: row.split("\t") for row in rows}
    assert set(by_email) == {AGENT, other}
    connected = by_email[AGENT]
    assert connected[3:6] == ["agent", "active", "reforyou.amocrm.ru (connected)"]
    assert connected[6].startswith("idle, last 20")  # an ISO time
    assert by_email[other][3:] == ["admin", "disabled", "not connected", ""]


async def test_delete_from_the_command_line_removes_the_user_and_their_tokens(
    world: World, users: Users
) -> None:
    """amoCRM is out of this process's reach here: the lead webhook cannot be removed, and the
    user is deleted all the same."""
    token = await connect(world, AGENT)
    code, _out, _err = users("delete", AGENT)  # asks first; no answer on stdin: aborted
    assert code != 0
    assert (await _status(world.client, token)).status_code == 200
    code, out, err = users("delete", AGENT, "--yes")
    assert (code, out) == (0, f"deleted {AGENT}; amoCRM connection removed\n"), err
    assert "leads_webhook_unsubscribe_failed" in err
    assert (await _status(world.client, token)).status_code == 401
    code, _out, err = users("delete", AGENT, "--yes")
    assert code != 0 and f"No user {AGENT}." in err
