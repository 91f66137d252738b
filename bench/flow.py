"""Connect the service to the sandbox over HTTP, the way a phone and amoCRM do, and time the
first sync."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from bench import procs
from foryou_crm.sandbox.config import DEMO_ADMIN_LOGIN, DEMO_PASSWORD

ACCOUNT = "reforyou.amocrm.ru"


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def form_action(html: str) -> str | None:
    found = re.search(r'<form method="post" action="([^"]+)"', html)
    return found.group(1) if found else None


async def register(service: str, email: str) -> str:
    async with httpx.AsyncClient(base_url=service, timeout=30) as http:
        r = await http.post(
            "/api/auth/register",
            json={"email": email, "password": "bench-password-1", "name": "Bench"},
        )
        r.raise_for_status()
        return str(r.json()["data"]["accessToken"])


async def point_sandbox_at(sandbox: str, service: str) -> None:
    async with httpx.AsyncClient(base_url=sandbox, timeout=30) as http:
        r = await http.patch(
            "/_sandbox/integration", json={"redirectUri": f"{service}/api/amo-crm/callback"}
        )
        r.raise_for_status()


async def connect(service: str, jwt: str, login: str = DEMO_ADMIN_LOGIN) -> float:
    """Auth URL → sign-in and consent at the sandbox → our callback → exchange-code.
    Returns the moment exchange-code answered (the first sync starts right after)."""
    await exchange(service, jwt, login)
    return time.perf_counter()


async def exchange(service: str, jwt: str, login: str = DEMO_ADMIN_LOGIN) -> dict[str, Any]:
    """The same flow; returns what exchange-code answered (the connection's status)."""
    auth = {"Authorization": f"Bearer {jwt}"}
    async with httpx.AsyncClient(timeout=60) as http:
        r = await http.get(
            f"{service}/api/amo-crm/auth-url", params={"client": "mobile"}, headers=auth
        )
        r.raise_for_status()
        url = r.json()["data"]["url"]
        page = await http.get(url)
        fields = {**hidden_fields(page.text), "login": login, "password": DEMO_PASSWORD}
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        assert action, page.text
        signed = await http.post(urljoin(url, action.group(1)), data=fields)
        consent = await http.get(urljoin(url, signed.headers["location"]))
        action = re.search(r'<form method="post" action="([^"]+)"', consent.text)
        assert action, consent.text
        answer = await http.post(
            urljoin(str(consent.url), action.group(1)),
            data={**hidden_fields(consent.text), "decision": "allow"},
        )
        callback = await http.get(answer.headers["location"])
        link = re.search(
            r'id="open-app"[^>]*href="([^"]+)"|href="([^"]+)"[^>]*id="open-app"', callback.text
        )
        assert link, callback.text
        target = (link.group(1) or link.group(2)).replace("&amp;", "&")
        query = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
        r = await http.post(
            f"{service}/api/amo-crm/exchange-code",
            json={"code": query["code"], "state": query["state"]},
            headers=auth,
        )
        r.raise_for_status()
        data: dict[str, Any] = r.json()["data"]
        return data


@dataclass
class SyncTiming:
    leads: int
    leads_loaded_s: float  # exchange-code → every lead listed by GET /leads
    finished_s: float  # exchange-code → sync state idle (contact names, reconciliation …)
    state: dict[str, Any]


async def wait_for_sync(service: str, jwt: str, started: float, expected: int) -> SyncTiming:
    auth = {"Authorization": f"Bearer {jwt}"}
    loaded_at: float | None = None
    async with httpx.AsyncClient(base_url=service, timeout=60) as http:
        while True:
            r = await http.get("/api/amo-crm/leads", params={"limit": 1}, headers=auth)
            r.raise_for_status()
            data = r.json()["data"]
            now = time.perf_counter()
            if loaded_at is None and data["total"] >= expected:
                loaded_at = now
            sync = data["sync"]
            if sync["state"] == "failed":
                raise RuntimeError(f"sync failed: {sync}")
            if sync["state"] == "idle" and sync["lastSyncedAt"] and loaded_at is not None:
                return SyncTiming(data["total"], loaded_at - started, now - started, sync)
            await asyncio.sleep(0.25)


@dataclass
class SandboxView:
    """What amoCRM (the sandbox) saw of the first sync, from its own request log."""

    page_requests: int
    pages_rps: float  # plain page requests per second between the first and the last
    requests: int
    rate_limited: int
    blocked: int
    answered: int  # requests amoCRM served (not refused: 429, 403, 5xx)

    @property
    def minimum_s(self) -> float:
        """The least time amoCRM's 7 requests/s allows for the requests the sync needed."""
        return self.answered / 7


async def sandbox_view(sandbox: str) -> SandboxView:
    async with httpx.AsyncClient(base_url=sandbox, timeout=60) as http:
        r = await http.get("/_sandbox/requests")
        r.raise_for_status()
        entries = [e for e in r.json()["entries"] if e["host"] == ACCOUNT]
    # The full pass's pages: by id (`order[id]=asc`), or in amoCRM's default order before.
    pages = [
        e["at"]
        for e in entries
        if e["endpoint"] == "leads"
        and ("order%5Bid%5D" in e["query"] or "order" not in e["query"])
        and e["status"] == 200
    ]
    span = max(pages) - min(pages) if len(pages) > 1 else float("nan")
    return SandboxView(
        page_requests=len(pages),
        pages_rps=(len(pages) - 1) / span if len(pages) > 1 else float("nan"),
        requests=len(entries),
        rate_limited=sum(e["status"] == 429 for e in entries),
        blocked=sum(e["status"] == 403 for e in entries),
        answered=sum(e["status"] < 400 for e in entries),
    )


async def clear_sandbox_log(sandbox: str) -> None:
    async with httpx.AsyncClient(base_url=sandbox, timeout=60) as http:
        (await http.delete("/_sandbox/requests")).raise_for_status()


async def reset_sandbox(sandbox: str, leads: int) -> None:
    """The same seeded data again (and an empty log, no tokens, no limits)."""
    async with httpx.AsyncClient(base_url=sandbox, timeout=120) as http:
        (await http.post("/_sandbox/reset", json={"leads": leads, "seed": 1})).raise_for_status()
    await procs.wait_settled(sandbox)


async def unblock(sandbox: str) -> None:
    """Forget the account's rate-limit history (violations count towards a block for good)."""
    async with httpx.AsyncClient(base_url=sandbox, timeout=60) as http:
        (await http.post(f"/_sandbox/accounts/{ACCOUNT}/unblock")).raise_for_status()
