"""The sandbox over a real socket: uvicorn on 127.0.0.1 and a real HTTP client."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import uvicorn

from foryou_crm.sandbox import SandboxConfig, create_sandbox_app

from .conftest import ADMIN, AMO, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
async def served() -> AsyncIterator[str]:
    app = create_sandbox_app(
        SandboxConfig(
            leads=120,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            redirect_uri=REDIRECT_URI,
            disconnect_hook_url=None,
        )
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn failed to start"
        await asyncio.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, 10)


async def test_full_flow_over_a_socket(served: str) -> None:
    async with httpx.AsyncClient(base_url=served, timeout=5) as http:
        signed = await http.post(
            "/oauth/login",
            data={"client_id": CLIENT_ID, "state": "sock", "has_state": "1", "login": ADMIN,
                  "password": "amo-password"},
        )  # fmt: skip
        assert signed.status_code == 303
        page = await http.get(signed.headers["location"])
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf
        answer = await http.post(
            "/oauth/consent",
            data={"client_id": CLIENT_ID, "state": "sock", "has_state": "1",
                  "csrf": csrf.group(1), "decision": "allow"},
        )  # fmt: skip
        assert answer.status_code == 302
        params = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}
        token = await http.post(
            f"/accounts/{params['referer']}/oauth2/access_token",
            data={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                  "grant_type": "authorization_code", "code": params["code"],
                  "redirect_uri": REDIRECT_URI},
        )  # fmt: skip
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        # Follow the absolute HAL links the server built from the real socket address.
        url: str | None = f"{served}/accounts/{AMO}/api/v4/leads?limit=50"
        seen = 0
        while url:
            assert url.startswith(served)
            response = await http.get(url, headers=headers)
            assert response.status_code == 200
            body = response.json()
            seen += len(body["_embedded"]["leads"])
            url = body["_links"].get("next", {}).get("href")
        assert seen == 120
        # A hanging endpoint: the client's own timeout fires, the server is not stuck.
        await http.post("/_sandbox/faults", json={"endpoint": "account", "kind": "timeout"})
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"/accounts/{AMO}/api/v4/account", headers=headers, timeout=0.3)
        again = await http.get(f"/accounts/{AMO}/api/v4/account", headers=headers)
        assert again.status_code == 200
