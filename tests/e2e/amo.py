"""Setting up connections for browser tests without the browser: the connect flow over HTTP
against the demo server (what the README's curl walkthrough does), and ending a connection the
ways the service knows (the sandbox's integration switch, its token revocation, an
administrator's removal through ``end_user_connection`` on the server's database)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from foryou_crm.amocrm.disconnect import end_user_connection
from foryou_crm.core.clock import Clock
from foryou_crm.core.db import make_engine, make_sessionmaker
from tests.e2e.conftest import AMO_PASSWORD, Api, Server
from tests.support import parse_html

KOMMO_ADMIN = "kommo-admin@otheragency.example"
KOMMO_DOMAIN = "otheragency.kommo.com"


def _app_proof() -> tuple[str, str]:
    """The app's verifier and its S256 challenge (src/amocrm/pkce.ts)."""
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def connect_over_http(server: Server, api: Api, token: str, *, login: str) -> dict[str, Any]:
    """auth-url → amoCRM sign-in and «РАЗРЕШИТЬ» (the sandbox's forms, cookies kept) → the
    hand-over page's deep link → exchange-code with the verifier, as the app does."""
    verifier, challenge = _app_proof()
    started = api.call(
        "GET",
        "/api/amo-crm/auth-url",
        token,
        params={"client": "mobile", "appChallenge": challenge},
    )
    with httpx.Client(timeout=30) as browser:
        page = browser.get(started["url"])
        form = parse_html(page.text).forms[0]
        if "password" in form.fields:
            fields = {**form.fields, "login": login, "password": AMO_PASSWORD}
            page = browser.post(
                urljoin(str(page.url), form.action), data=fields, follow_redirects=True
            )
            form = parse_html(page.text).forms[0]
        name, value = form.buttons["allow"]
        answer = browser.post(
            urljoin(str(page.url), form.action), data={**form.fields, name: value}
        )
        assert answer.status_code == 302, answer.text
        hand_over = browser.get(answer.headers["location"])
    link = parse_html(hand_over.text).links["open-app"]
    handed = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    body = {"code": handed["code"], "state": handed["state"], "appVerifier": verifier}
    status: dict[str, Any] = api.call("POST", "/api/amo-crm/exchange-code", token, json=body)
    assert status["connected"] is True, status
    return status


def switch_integration_off(server: Server, domain: str) -> None:
    """The sandbox admin switches the integration off: tokens revoked, uninstall hook sent."""
    r = httpx.post(server.url(f"/sandbox/_sandbox/accounts/{domain}/disconnect"), timeout=30)
    assert r.status_code == 200 and r.json()["hook"]["status"] == 200, r.text


def make_amocrm_refuse(server: Server, api: Api, token: str, domain: str) -> dict[str, Any]:
    """amoCRM forgets the account's tokens (no hook); the next sync finds the refresh refused."""
    r = httpx.post(server.url(f"/sandbox/_sandbox/accounts/{domain}/revoke-tokens"), timeout=30)
    assert r.status_code == 200, r.text
    api.call("POST", "/api/amo-crm/sync", token, expect=202)  # queued: sync runs as a job
    deadline = time.monotonic() + 30
    while not (status := api.status(token))["needsReconnect"]:
        assert time.monotonic() < deadline, f"the service never noticed: {status}"
        time.sleep(0.3)
    return status


def remove_as_admin(server: Server, user_id: int) -> None:
    """What user administration runs: ``end_user_connection(…, reason="admin_removed")`` in one
    transaction, on the demo server's own SQLite file (its own thread: Playwright's sync API
    keeps an event loop running in this one)."""

    async def remove() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{server.db_path}")
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                removed = await end_user_connection(
                    session, user_id=user_id, reason="admin_removed", at=Clock().now()
                )
            assert removed
        finally:
            await engine.dispose()

    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(remove())
        except BaseException as exc:  # handed to the test's thread below
            failures.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if failures:
        raise failures[0]
