"""Fixtures for black-box tests of the amoCRM sandbox over httpx.ASGITransport.

Nothing here reaches into the sandbox's internals to fake behaviour: tests drive it
through HTTP (the consent forms, the token endpoint, API v4, the control API) and only
read `app.state.sandbox` where the control API would say the same.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from foryou_crm.sandbox import SandboxConfig, create_sandbox_app

BASE = "http://sandbox.test"
AMO = "reforyou.amocrm.ru"
KOMMO = "otheragency.kommo.com"
ADMIN = "amo-admin@reforyou.example"
AGENT = "amo-agent@reforyou.example"
KOMMO_ADMIN = "kommo-admin@otheragency.example"
PASSWORD = "amo-password"
CLIENT_ID = "11111111-2222-4333-8444-555555555555"
CLIENT_SECRET = "test-secret-for-the-sandbox"
REDIRECT_URI = "https://crm.example/api/amo-crm/callback"
HOOK_URL = "https://crm.example/api/amo-crm/webhooks/disconnect"


@dataclass
class Receiver:
    """A tiny ASGI app standing in for the service: records requests, answers as told."""

    statuses: list[int] = field(default_factory=list)  # answers in order; then 200
    delays: list[float] = field(default_factory=list)  # seconds to stall, in order; then 0
    requests: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        async def anything(request: Request) -> Response:
            body = await request.body()
            self.requests.append(
                {
                    "method": request.method,
                    "url": str(request.url),
                    "path": request.url.path,
                    "query": dict(request.query_params),
                    "headers": dict(request.headers),
                    "body": body.decode(),
                }
            )
            if self.delays:
                await asyncio.sleep(self.delays.pop(0))
            status = self.statuses.pop(0) if self.statuses else 200
            return PlainTextResponse("ok", status_code=status)

        return Starlette(routes=[Route("/{path:path}", anything, methods=["GET", "POST"])])


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def sb_overrides() -> dict[str, Any]:
    """Override per test module to change the sandbox configuration."""
    return {}


@pytest.fixture
def sb_config(receiver: Receiver, sb_overrides: dict[str, Any]) -> SandboxConfig:
    values: dict[str, Any] = {
        "leads": 300,
        "seed": 7,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": REDIRECT_URI,
        "disconnect_hook_url": HOOK_URL,
        "rate_limit_rps": 1000.0,
        "webhook_retry_delays": [0.01, 0.01, 0.01, 0.01],
        "outbound_transport": httpx.ASGITransport(app=receiver.app()),
        **sb_overrides,
    }
    return SandboxConfig(**values)


@pytest.fixture
async def sb_app(sb_config: SandboxConfig) -> AsyncIterator[Starlette]:
    application = create_sandbox_app(sb_config)
    yield application
    await application.state.sandbox.aclose()


@pytest.fixture
async def amo(sb_app: Starlette) -> AsyncIterator[Amo]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sb_app), base_url=BASE) as http:
        yield Amo(http, sb_app)


@pytest.fixture
async def admin(amo: Amo) -> Tokens:
    """A token of the amoCRM account's admin (sees every lead)."""
    return await amo.login(ADMIN)


@pytest.fixture
async def agent(amo: Amo) -> Tokens:
    """A token of an agent (sees only the leads they are responsible for)."""
    return await amo.login(AGENT)


@dataclass
class Tokens:
    access_token: str
    refresh_token: str
    host: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


class Amo:
    """Drives the sandbox the way an integration and a browser would."""

    def __init__(self, http: httpx.AsyncClient, app: Starlette) -> None:
        self.http = http
        self.app = app

    @property
    def sandbox(self) -> Any:
        return self.app.state.sandbox

    # --- consent ---------------------------------------------------------------------

    async def sign_in(
        self, login: str, password: str = PASSWORD, *, client_id: str = CLIENT_ID
    ) -> httpx.Response:
        return await self.http.post(
            "/oauth/login",
            data={
                "client_id": client_id,
                "state": "st",
                "mode": "post_message",
                "has_state": "1",
                "login": login,
                "password": password,
            },
        )

    async def consent_page(
        self, state: str | None = "st", client_id: str = CLIENT_ID
    ) -> httpx.Response:
        params = {"client_id": client_id, "mode": "post_message"}
        if state is not None:
            params["state"] = state
        return await self.http.get("/oauth", params=params)

    async def decide(
        self, page: httpx.Response, decision: str, state: str | None = "st"
    ) -> httpx.Response:
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf, page.text
        return await self.http.post(
            "/oauth/consent",
            data={
                "client_id": CLIENT_ID,
                "state": state or "",
                "mode": "post_message",
                "has_state": "1" if state is not None else "0",
                "csrf": csrf.group(1),
                "decision": decision,
            },
        )

    async def authorize(self, login: str = ADMIN, state: str | None = "st") -> dict[str, str]:
        """Full consent flow; returns the redirect's query parameters."""
        self.http.cookies.clear()
        signed = await self.sign_in(login)
        assert signed.status_code == 303, signed.text
        page = await self.consent_page(state)
        assert page.status_code == 200, page.text
        answer = await self.decide(page, "allow", state)
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        assert location.startswith(REDIRECT_URI + "?")
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    # --- token endpoint --------------------------------------------------------------

    async def token(self, host: str, *, form: bool = False, **fields: str) -> httpx.Response:
        body = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": REDIRECT_URI,
            **fields,
        }
        url = f"/accounts/{host}/oauth2/access_token"
        if form:
            return await self.http.post(url, data=body)
        return await self.http.post(url, json=body)

    async def login(self, login: str = ADMIN) -> Tokens:
        params = await self.authorize(login)
        response = await self.token(
            params["referer"], grant_type="authorization_code", code=params["code"]
        )
        assert response.status_code == 200, response.text
        body = response.json()
        return Tokens(body["access_token"], body["refresh_token"], params["referer"])

    # --- API -------------------------------------------------------------------------

    async def get(
        self, tokens: Tokens, path: str, params: Any = None, host: str | None = None
    ) -> httpx.Response:
        return await self.http.get(
            f"/accounts/{host or tokens.host}{path}", params=params, headers=tokens.headers
        )

    async def post(self, tokens: Tokens, path: str, body: Any) -> httpx.Response:
        return await self.http.post(
            f"/accounts/{tokens.host}{path}", headers=tokens.headers, json=body
        )

    async def patch(self, tokens: Tokens, path: str, body: Any) -> httpx.Response:
        return await self.http.patch(
            f"/accounts/{tokens.host}{path}", headers=tokens.headers, json=body
        )

    async def link_main_contact(
        self, tokens: Tokens, lead_id: int, contact_id: int
    ) -> httpx.Response:
        """`POST /api/v4/leads/{id}/link`: the contact becomes the lead's main one."""
        return await self.post(
            tokens,
            f"/api/v4/leads/{lead_id}/link",
            [
                {
                    "to_entity_id": contact_id,
                    "to_entity_type": "contacts",
                    "metadata": {"is_main": True},
                }
            ],
        )

    async def every(
        self, tokens: Tokens, path: str, query: str = "", limit: int = 250
    ) -> list[dict[str, Any]]:
        """Every item of a list, following `_links.next` like a client would."""
        key = path.rstrip("/").rsplit("/", 1)[-1]
        url: str | None = f"/accounts/{tokens.host}{path}?limit={limit}&{query}"
        found: list[dict[str, Any]] = []
        while url:
            response = await self.http.get(url, headers=tokens.headers)
            if response.status_code == 204:
                assert response.content == b""
                break
            assert response.status_code == 200, response.text
            body = response.json()
            found += body["_embedded"][key]
            url = body["_links"].get("next", {}).get("href")
        return found

    async def leads(self, tokens: Tokens, query: str = "") -> list[dict[str, Any]]:
        """Every lead a query matches, following `_links.next` like a client would."""
        return await self.every(tokens, "/api/v4/leads", query)

    async def control(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, f"/_sandbox{path}", **kwargs)
