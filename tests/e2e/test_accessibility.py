"""axe-core on every screen at 375 and 1280 px: no serious or critical violations.

axe-core comes from the ``axe-playwright-python`` dev dependency, which ships axe's own
``axe.min.js``; only that file is used, injected with ``page.add_script_tag``. The screen's CSP
(``script-src 'self'``) refuses injected scripts, so these contexts alone bypass CSP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.resources import files
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import (
    Agent,
    Server,
    new_context,
    open_filters,
    open_signed_in,
    sign_in,
)

pytestmark = pytest.mark.e2e

AXE_SCRIPT = files("axe_playwright_python") / "axe.min.js"
BLOCKING = ("serious", "critical")


@pytest.fixture
def context(browser: Browser, viewport: dict[str, int]) -> Iterator[BrowserContext]:
    instance = new_context(browser, viewport=viewport, bypass_csp=True)
    yield instance
    instance.close()


def blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result: dict[str, Any] = page.evaluate(
        "() => axe.run(document, { resultTypes: ['violations'] })"
    )
    assert result["testEngine"]["version"], "axe-core ran"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def test_sign_in_not_connected_and_callback_screens(
    context: BrowserContext,
    server: Server,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    _, user, password = new_user("axe")
    page = context.new_page()
    page.goto(server.url("/app"))
    expect(page.locator("#login-form")).to_be_visible()
    assert blocking_violations(page) == [], "sign-in"

    sign_in(page, user["email"], password)
    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    assert blocking_violations(page) == [], "CRM, not connected"

    page.goto(server.url("/app/amo-crm/callback?error=access_denied&state=axe"))
    expect(page.locator("#callback-error")).to_be_visible()
    assert blocking_violations(page) == [], "callback with an error"


def test_leads_filters_and_disconnect_dialog(
    context: BrowserContext, server: Server, connected_agent: Agent
) -> None:
    page = open_signed_in(context, server, connected_agent)
    assert blocking_violations(page) == [], "leads listed"

    open_filters(page)
    assert blocking_violations(page) == [], "filters open"

    page.click("#disconnect-amo")
    expect(page.locator("#disconnect-dialog")).to_be_visible()
    assert blocking_violations(page) == [], "disconnect dialog"
    page.click("#disconnect-cancel")
