"""/docs and /redoc work on a closed network: every asset comes from the service itself, under
a Content-Security-Policy that allows this origin only."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Route

from tests.ops.conftest import Served

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# ReDoc's sidebar credit shows an image from cdn.redoc.ly (hard-coded in its bundle); the
# page's img-src refuses it before any connection is made and ReDoc then hides it.
REDOC_CREDIT_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _policy(response: httpx.Response) -> dict[str, list[str]]:
    directives = (part.split() for part in response.headers["content-security-policy"].split(";"))
    return {name: sources for name, *sources in directives}


async def test_docs_pages_name_no_other_origin(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "http" not in response.text  # every URL in the page is a local path
        policy = _policy(response)
        assert policy["default-src"] == ["'none'"]
        assert policy["script-src"] == ["'self'"]
        assert policy["connect-src"] == ["'self'"]
        for sources in policy.values():
            assert not [s for s in sources if s.startswith(("http", "*")) or s.endswith(":*")]


async def test_docs_assets_are_served_from_the_package(client: httpx.AsyncClient) -> None:
    for name, kind in [
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui.css", "text/css"),
        ("swagger-init.js", "javascript"),
        ("redoc.standalone.js", "javascript"),
        ("redoc-init.js", "javascript"),
        ("redoc.css", "text/css"),
    ]:
        response = await client.get(f"/docs/assets/{name}")
        assert response.status_code == 200, name
        assert kind in response.headers["content-type"]
    assert (await client.get("/docs/assets/swagger.html")).status_code == 404


@dataclass
class Offline:
    """A browser context that cannot reach anything but this machine."""

    context: BrowserContext
    page: Page
    routed_outside: list[str] = field(default_factory=list)
    outside_attempts: list[Request] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture
def offline(browser: Browser) -> Offline:
    context = browser.new_context()
    context.set_default_timeout(20_000)
    page = context.new_page()
    state = Offline(context, page)

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            state.routed_outside.append(route.request.url)
            route.abort("internetdisconnected")

    def on_request(request: Request) -> None:
        if urlsplit(request.url).hostname not in LOCAL_HOSTS | {None}:
            state.outside_attempts.append(request)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            state.console_errors.append(message.text)

    context.route("**/*", guard)
    page.on("request", on_request)
    page.on("console", on_console)
    page.on("pageerror", lambda error: state.console_errors.append(str(error)))
    yield state
    context.close()


@pytest.mark.e2e
def test_swagger_ui_lists_every_operation_offline(served: Served, offline: Offline) -> None:
    schema = httpx.get(f"{served.base_url}/openapi.json").json()
    operations = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    offline.page.goto(f"{served.base_url}/docs")
    offline.page.wait_for_selector(".opblock")
    shown = offline.page.eval_on_selector_all(
        ".opblock",
        "blocks => blocks.map(b => [b.querySelector('.opblock-summary-method').textContent,"
        " b.querySelector('.opblock-summary-path').dataset.path])",
    )
    # (An operation with two tags is listed under both.)
    assert {tuple(operation) for operation in shown} == operations
    assert offline.routed_outside == []
    assert offline.outside_attempts == []
    assert offline.console_errors == []


@pytest.mark.e2e
def test_redoc_renders_and_searches_offline(served: Served, offline: Offline) -> None:
    page = offline.page
    page.goto(f"{served.base_url}/redoc")
    assert (page.text_content(".api-content h1") or "").startswith("ForYou CRM API")
    # Search runs in ReDoc's Web Worker (worker-src blob:): results prove the policy allows it.
    page.fill("input[role=search], input[placeholder='Search...']", "login")
    results = page.locator("[data-role='search:results'] li")
    results.first.wait_for()
    assert "Login" in results.all_inner_texts()[0]
    # Nothing reached the network beyond this machine; the one outside URL the bundle asks
    # for was refused by the page's own policy before any connection.
    assert offline.routed_outside == []
    assert [(r.url, r.failure) for r in offline.outside_attempts] == [(REDOC_CREDIT_LOGO, "csp")]
    assert all(REDOC_CREDIT_LOGO in error for error in offline.console_errors)
