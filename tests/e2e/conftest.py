"""Real-browser end-to-end fixtures: the real ``foryou-crm demo`` on a socket, Debian's Chromium.

The server runs as a subprocess exactly as a person would start it (``foryou-crm demo``), with
its data directory in a temporary folder, so the tests also check the SQLite file it writes.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Response,
    Route,
    expect,
    sync_playwright,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "var" / "e2e"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MOBILE_VIEWPORT = {"width": 375, "height": 812}
DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
# The two widths every layout check runs at, by test id.
VIEWPORTS = {"375": MOBILE_VIEWPORT, "1280": DESKTOP_VIEWPORT}
AMO_LOGIN = "amo-admin@reforyou.example"
AMO_PASSWORD = "amo-password"
AMO_DOMAIN = "reforyou.amocrm.ru"
AMO_ACCOUNT_ID = "31920194"


# --- ordered steps ----------------------------------------------------------------------
# Modules that set INCREMENTAL = True are one story told in steps: once a step fails, the
# later steps are skipped (their preconditions are gone) instead of failing confusingly.
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    module = getattr(item, "module", None)
    if getattr(module, "INCREMENTAL", False) and call.when == "call" and call.excinfo is not None:
        item.parent._failed_step = item.name  # type: ignore[union-attr]


def pytest_runtest_setup(item: pytest.Item) -> None:
    failed = getattr(item.parent, "_failed_step", None)
    if failed is not None and getattr(getattr(item, "module", None), "INCREMENTAL", False):
        pytest.skip(f"an earlier step failed: {failed}")


# --- the server -------------------------------------------------------------------------
@dataclass
class Server:
    base_url: str
    data_dir: Path
    log_path: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def db_path(self) -> Path:
        return self.data_dir / "foryou.db"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    data_dir = tmp_path_factory.mktemp("e2e-data")
    log_path = data_dir / "server.log"
    # The installed console script next to this interpreter, wherever the venv lives.
    executable = Path(sys.executable).with_name("foryou-crm")
    # Inherit PATH etc. but no FORYOU_* settings from the developer's shell: the run must
    # not pick up someone's database URL or secrets.
    env = {key: value for key, value in os.environ.items() if not key.startswith("FORYOU_")}
    env.update(FORYOU_DATA_DIR=str(data_dir), FORYOU_PUBLIC_BASE_URL=base_url)
    env.update(
        FORYOU_AMOCRM_CLIENT_ID="0b7e6a2c-3f1d-4e8a-9c5b-1d2e3f4a5b6c",
    )
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [str(executable), "demo", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=data_dir,  # keeps a stray ./.env in the repo out of the run
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    instance = Server(base_url=base_url, data_dir=data_dir, log_path=log_path)
    try:
        _wait_until_healthy(process, instance)
        yield instance
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_healthy(process: subprocess.Popen[bytes], server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"foryou-crm demo exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(server.url("/healthz"), timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"foryou-crm demo did not become healthy in 60 s:\n{server.log_tail()}")


# --- talking to the API directly (to set up users and to check what the UI shows) ---------
@dataclass
class Api:
    server: Server
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(base_url=self.server.base_url, timeout=30)

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        *,
        expect: int = 200,
        **kwargs: Any,
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.request(method, path, headers=headers, **kwargs)
        assert response.status_code == expect, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        body = response.json()
        return body["data"] if body.get("success") else body["error"]

    def meta(self) -> dict[str, Any]:
        data: dict[str, Any] = self.call("GET", "/api/meta")
        return data

    def login(self, email: str, password: str) -> tuple[str, dict[str, Any]]:
        data = self.call("POST", "/api/auth/login", json={"email": email, "password": password})
        return data["accessToken"], data["user"]

    def register(self, email: str, password: str, name: str) -> tuple[str, dict[str, Any]]:
        data = self.call(
            "POST",
            "/api/auth/register",
            json={"email": email, "password": password, "name": name},
            expect=201,
        )
        return data["accessToken"], data["user"]

    def status(self, token: str) -> dict[str, Any]:
        data: dict[str, Any] = self.call("GET", "/api/amo-crm/status", token)
        return data

    def leads(self, token: str, params: list[tuple[str, str]]) -> dict[str, Any]:
        data: dict[str, Any] = self.call("GET", "/api/amo-crm/leads", token, params=params)
        return data

    def all_leads(self, token: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        page = 1
        while True:
            data = self.leads(token, [("limit", "250"), ("page", str(page))])
            items.extend(data["items"])
            if not data["hasMore"]:
                return items
            page += 1

    def wait_for_first_sync(self, token: str, timeout: float = 90) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(token)
            sync = status.get("sync") or {}
            if sync.get("state") == "idle" and sync.get("lastSyncedAt"):
                return status
            assert sync.get("state") != "failed", f"first sync failed: {sync}"
            assert time.monotonic() < deadline, f"first sync did not finish: {status}"
            time.sleep(0.5)


@pytest.fixture(scope="session")
def api(server: Server) -> Iterator[Api]:
    instance = Api(server)
    yield instance
    instance.client.close()


_user_counter = iter(range(1, 10_000))


@pytest.fixture
def new_user(api: Api) -> Callable[[str], tuple[str, dict[str, Any], str]]:
    """Register a fresh app user; returns (jwt, user, password)."""

    def make(label: str) -> tuple[str, dict[str, Any], str]:
        email = f"{label}-{next(_user_counter)}-{int(time.time() * 1000)}@agents.example"
        password = "agent-password-123"
        token, user = api.register(email, password, label.title())
        return token, user, password

    return make


@pytest.fixture(params=list(VIEWPORTS), ids=[f"{width}px" for width in VIEWPORTS])
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    """Each of the two widths the layout is checked at (a test using it runs at both)."""
    size: dict[str, int] = VIEWPORTS[request.param]
    return size


@dataclass(frozen=True)
class Agent:
    """An app user whose amoCRM account is connected and fully synced."""

    email: str
    password: str
    token: str


@pytest.fixture(scope="module")
def connected_agent(browser: Browser, server: Server, api: Api) -> Iterator[Agent]:
    """One connected agent per module, connected the way a person does it (through the screen)."""
    email = f"agent-{next(_user_counter)}-{int(time.time() * 1000)}@agents.example"
    password = "agent-password-123"
    token, _ = api.register(email, password, "Agent")
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url("/app"))
    sign_in(page, email, password)
    connect_from_screen(page)
    context.close()
    api.wait_for_first_sync(token)
    yield Agent(email=email, password=password, token=token)
    api.call("POST", "/api/amo-crm/disconnect", token)


# --- the database the server writes -------------------------------------------------------
def connection_rows(server: Server, user_id: int) -> list[sqlite3.Row]:
    """The user's rows in ``amocrm_connections``, read straight from the SQLite file."""
    with sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return db.execute(
            "SELECT * FROM amocrm_connections WHERE user_id = ?", (user_id,)
        ).fetchall()


def stored_tokens(server: Server, user_id: int) -> list[tuple[Any, Any]]:
    """(access_token_enc, refresh_token_enc) of the user's connections that still hold tokens."""
    return [
        (row["access_token_enc"], row["refresh_token_enc"])
        for row in connection_rows(server, user_id)
        if row["access_token_enc"] or row["refresh_token_enc"]
    ]


# --- the browser ----------------------------------------------------------------------------
# Module scope, not session: while the sync Playwright driver runs, its event loop counts as
# running, and the rest of the suite (asyncio.run in async fixtures) must not see it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session", autouse=True)
def _fresh_screenshot_dir() -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()


def shoot(page: Page, name: str) -> None:
    """Save a full-page screenshot for people to look at the run (var/ is not in git)."""
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@dataclass
class Console:
    """Everything a page said on its console, plus uncaught exceptions."""

    messages: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, page url)
    page_errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)  # which URL a 4xx/5xx was

    def attach(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            self.messages.append((message.type, message.text, page.url))

        def on_response(response: Response) -> None:
            if response.status >= 400:
                self.failed_responses.append(f"{response.status} {response.url}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("response", on_response)

    def errors(self) -> list[str]:
        found = [f"{url}: {text}" for kind, text, url in self.messages if kind == "error"]
        found += [f"uncaught: {error}" for error in self.page_errors]
        # "Failed to load resource" does not say which one; name them.
        return found + [f"(HTTP {failure})" for failure in self.failed_responses if found]

    def infos(self) -> list[str]:
        return [text for kind, text, _ in self.messages if kind == "info"]


def new_context(browser: Browser, **options: Any) -> BrowserContext:
    """A phone-sized Ukrainian context, as the checklist is written for the mobile app."""
    settings: dict[str, Any] = {
        "locale": "uk-UA",
        "timezone_id": "UTC",
        "viewport": MOBILE_VIEWPORT,
    }
    settings.update(options)
    context = browser.new_context(**settings)
    context.set_default_timeout(15_000)
    return context


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def sign_in(page: Page, email: str, password: str) -> None:
    # The screen asks /api/meta and may pre-fill the demo user into empty fields: typing while
    # that answer lands mixed both into one value on a loaded machine.
    page.wait_for_load_state("networkidle")
    page.fill("#login-email", email)
    page.fill("#login-password", password)
    page.click("#login-submit")


def amo_consent_sign_in(page: Page, login: str = AMO_LOGIN) -> None:
    """Sign in on the sandbox's amoCRM login form, if it is shown (it may remember us)."""
    page.wait_for_selector("#login, #allow")
    if page.locator("#login").count():
        page.fill("#login", login)
        page.fill("#password", AMO_PASSWORD)
        page.click("#sign-in")
    page.wait_for_selector("#allow")


def connect_from_screen(page: Page) -> None:
    """«Підключити AMO CRM» → amoCRM sign-in → «РАЗРЕШИТЬ» → back on the screen, connected."""
    page.click("#connect-amo")
    amo_consent_sign_in(page)
    page.click("#allow")
    expect(page.locator("#amo-status")).to_have_text("Підключено")


def open_signed_in(
    context: BrowserContext, server: Server, agent: Agent, path: str = "/app"
) -> Page:
    """A page of ``context`` at ``path`` after signing in as ``agent``, leads listed."""
    page = context.new_page()
    page.goto(server.url(path))
    sign_in(page, agent.email, agent.password)
    expect(page.locator("[data-testid=lead-row]").first).to_be_visible()
    expect(page.locator("#leads-list")).to_have_attribute("aria-busy", "false")
    return page


def open_filters(page: Page) -> None:
    """Unfold the leads filter panel (pipeline, stage, responsible, budget, dates, reset)."""
    toggle = page.locator("#filters-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(page.locator("#filters-panel")).to_be_visible()


def capture_json(page: Page, pattern: str) -> list[dict[str, Any]]:
    """Record the JSON bodies of responses matching ``pattern``.

    Playwright cannot read a body once the page has navigated away (as it does right after
    ``auth-url``), so the route fetches the real response, keeps its body and passes it on.
    """
    bodies: list[dict[str, Any]] = []

    def handle(route: Route) -> None:
        response = route.fetch()
        bodies.append(response.json())
        route.fulfill(response=response)

    page.route(pattern, handle)
    return bodies
