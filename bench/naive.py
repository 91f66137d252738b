"""The alternative to a mirror: answer each screen by asking amoCRM (the sandbox) directly,
within the account's 7 requests/second. amoCRM cannot sort by price, so that query has to read
every matching page and sort them here."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from bench.flow import form_action, hidden_fields
from bench.load import Latency, summarize
from foryou_crm.amocrm.ratelimit import MemoryRateBudget

ACCOUNT = "reforyou.amocrm.ru"


class PassThrough:
    def __init__(self, sandbox: str, access_token: str, rps: float = 7.0) -> None:
        self.http = httpx.AsyncClient(
            base_url=f"{sandbox}/accounts/{ACCOUNT}",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=120,
            limits=httpx.Limits(max_connections=64),
        )
        # The same budget the service's amoCRM transport uses (evenly spaced, 5 % margin).
        self.budget = MemoryRateBudget(rps)
        self.requests = 0
        self.rate_limited = 0

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _get(self, params: list[tuple[str, Any]]) -> dict[str, Any] | None:
        while True:
            await self.budget.acquire(ACCOUNT)
            self.requests += 1
            r = await self.http.get("/api/v4/leads", params=params)
            if r.status_code == 429:  # honour retry_after, as a careful proxy would
                self.rate_limited += 1
                await self.budget.rate_limited(ACCOUNT)
                await asyncio.sleep(float(r.json().get("retry_after", 1)))
                continue
            if r.status_code == 204:
                return None
            r.raise_for_status()
            body: dict[str, Any] = r.json()
            return body

    async def page(self, filters: list[tuple[str, str]], sort_by_price: bool = False) -> int:
        """One screen of 50 leads; returns how many leads it shows."""
        if not sort_by_price:
            body = await self._get(
                [*filters, ("order[created_at]", "desc"), ("limit", "50"), ("page", "1")]
            )
            return len((body or {}).get("_embedded", {}).get("leads", []))
        leads: list[dict[str, Any]] = []
        page = 1
        while True:
            body = await self._get([*filters, ("limit", "250"), ("page", str(page))])
            if body is None:
                break
            leads += body["_embedded"]["leads"]
            if "next" not in body["_links"]:
                break
            page += 1
        leads.sort(key=lambda lead: (lead["price"], lead["id"]))
        return len(leads[:50])


async def latency(
    pt: PassThrough, filters: list[tuple[str, str]], n: int, by_price: bool
) -> Latency:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        await pt.page(filters, by_price)
        samples.append(time.perf_counter() - t0)
    return summarize(samples)


async def throughput(
    pt: PassThrough, filters: list[tuple[str, str]], concurrency: int, seconds: float
) -> float:
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await pt.page(filters)
            done += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / (time.perf_counter() - t0)


async def sandbox_token(sandbox: str, redirect_uri: str) -> str:
    """An access token of the admin from the sandbox's consent flow (no service involved)."""
    from urllib.parse import parse_qs, urljoin, urlsplit

    from foryou_crm.sandbox.config import (
        DEMO_ADMIN_LOGIN,
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_PASSWORD,
    )

    async with httpx.AsyncClient(base_url=sandbox, timeout=60) as http:
        url = f"{sandbox}/oauth?client_id={DEMO_CLIENT_ID}&state=bench-passthrough&mode=popup"
        page = await http.get(url)
        hidden = hidden_fields(page.text)
        action = form_action(page.text)
        assert action is not None
        signed = await http.post(
            urljoin(url, action),
            data={**hidden, "login": DEMO_ADMIN_LOGIN, "password": DEMO_PASSWORD},
        )
        consent = await http.get(urljoin(url, signed.headers["location"]))
        hidden = hidden_fields(consent.text)
        action = form_action(consent.text)
        assert action is not None
        answer = await http.post(
            urljoin(str(consent.url), action), data={**hidden, "decision": "allow"}
        )
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        exchange = {
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
        }
        for _ in range(30):
            r = await http.post(f"/accounts/{ACCOUNT}/oauth2/access_token", json=exchange)
            if r.status_code != 429:
                break
            # The account's 7 requests a second are shared with whatever else calls it (a
            # running service's sync): wait as amoCRM says and ask again — a refused request
            # has not spent the code.
            await asyncio.sleep(float(r.headers.get("retry-after", "1")))
        r.raise_for_status()
        return str(r.json()["access_token"])
