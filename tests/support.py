"""Driving the real flow in tests: the service and the sandbox wired to each other in-process,
and a "browser" that walks amoCRM's consent pages over HTTP."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
from fastapi import FastAPI

from foryou_crm.services import Services
from tests.conftest import SANDBOX, SERVICE, bearer

AMO_ADMIN = "amo-admin@reforyou.example"
AMO_AGENT = "amo-agent@reforyou.example"
AMO_PASSWORD = "amo-password"


class LazyASGITransport(httpx.AsyncBaseTransport):
    """An ASGI transport whose app is set later (the service and the sandbox call each other)."""

    def __init__(self) -> None:
        self.app: Any = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await httpx.ASGITransport(app=self.app).handle_async_request(request)


class Network(httpx.AsyncBaseTransport):
    """The wire from the service to amoCRM (the sandbox). A test may set ``after`` to act at a
    precise moment of a flow — e.g. someone deleting a lead in amoCRM right after one page was
    answered and before the next is asked for — without touching either side."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.after: Callable[[httpx.Request, httpx.Response], Awaitable[None]] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.after is not None:
            await response.aread()
            await self.after(request, response)
        return response


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (name, value)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", "")))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms and a.get("id"):
            self.forms[-1].buttons[a["id"]] = (a.get("name", ""), a.get("value", ""))
        elif tag == "a" and a.get("id"):
            self.links[a["id"]] = a.get("href", "")


def parse_html(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    return parser


class Browser:
    """A cookie-keeping client for the sandbox's consent pages (what Safari does)."""

    def __init__(self, sandbox_app: Any) -> None:
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sandbox_app), base_url=SANDBOX
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def consent(
        self,
        auth_url: str,
        *,
        login: str = AMO_ADMIN,
        password: str = AMO_PASSWORD,
        allow: bool = True,
    ) -> str:
        """Walk sign-in and consent; return the Location amoCRM redirects the browser to."""
        page = await self.http.get(auth_url)
        assert page.status_code == 200, page.text
        forms = parse_html(page.text).forms
        if "password" in forms[0].fields:
            form = forms[0]
            form.fields.update({"login": login, "password": password})
            page = await self.http.post(
                urljoin(auth_url, form.action), data=form.fields, follow_redirects=True
            )
            assert page.status_code == 200, page.text
            forms = parse_html(page.text).forms
        assert "РАЗРЕШИТЬ" in page.text
        form = forms[0]
        name, value = form.buttons["allow" if allow else "decline"]
        response = await self.http.post(
            urljoin(str(page.url), form.action), data={**form.fields, name: value}
        )
        assert response.status_code == 302, response.text
        return response.headers["location"]


@dataclass
class World:
    app: FastAPI
    services: Services  # what the app runs on
    sandbox_app: Any
    client: httpx.AsyncClient  # the app's API, as the mobile app calls it
    sandbox: httpx.AsyncClient  # the sandbox's control API
    network: Network  # the service's calls to amoCRM

    @property
    def sb(self) -> Any:
        return self.sandbox_app.state.sandbox

    async def start(self, token: str, client: str = "mobile", **params: str) -> dict[str, Any]:
        r = await self.client.get(
            "/api/amo-crm/auth-url", params={"client": client, **params}, headers=bearer(token)
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()["data"]
        return data

    async def callback(self, location: str) -> httpx.Response:
        """The browser follows amoCRM's redirect to our callback."""
        parts = urlsplit(location)
        assert f"{parts.scheme}://{parts.netloc}" == SERVICE, location
        return await self.client.get(f"{parts.path}?{parts.query}")

    async def consent_and_callback(
        self,
        token: str,
        *,
        login: str = AMO_ADMIN,
        client: str = "mobile",
        allow: bool = True,
        **params: str,
    ) -> tuple[dict[str, Any], httpx.Response, dict[str, str]]:
        started = await self.start(token, client, **params)
        browser = Browser(self.sandbox_app)
        try:
            location = await browser.consent(started["url"], login=login, allow=allow)
        finally:
            await browser.aclose()
        page = await self.callback(location)
        target = parse_html(page.text).links.get("open-app", "")
        query = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
        return started, page, query

    async def exchange(self, token: str, handed: dict[str, str], **extra: str) -> httpx.Response:
        """``POST /exchange-code`` with the code and state the page handed over (and ``extra``
        fields, e.g. ``appVerifier``), as the app sends it."""
        body = {"code": handed["code"], "state": handed["state"], **extra}
        return await self.client.post(
            "/api/amo-crm/exchange-code", json=body, headers=bearer(token)
        )

    async def connect(self, token: str, *, login: str = AMO_ADMIN) -> dict[str, Any]:
        """The whole checklist up to «Підключено»; returns the status data."""
        _started, page, query = await self.consent_and_callback(token, login=login)
        assert "code" in query, page.text
        r = await self.exchange(token, query)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()["data"]
        # Activation starts the first leads sync in the background; let it finish so tests that
        # inject faults next are not racing it for them.
        await self.services.queue.run_until_idle()
        return data

    async def requests_to(self, host: str | None = None) -> dict[str, Any]:
        r = await self.sandbox.get("/_sandbox/requests")
        log: dict[str, Any] = r.json()
        return log
