"""The first sync's progress bar: shown while the mirror fills, replaced by the list after.

The sandbox's fault plan slows amoCRM's leads endpoint down, so the sync is observably
running when the screen comes back from the callback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import (
    AMO_DOMAIN,
    Api,
    Server,
    connect_from_screen,
    new_context,
    shoot,
    sign_in,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def slow_amocrm_leads(server: Server) -> Iterator[None]:
    faults = server.url("/sandbox/_sandbox/faults")
    answer = httpx.post(
        faults,
        json={
            "endpoint": "leads",
            "kind": "latency",
            "ms": 2500,
            "count": 4,
            "account": AMO_DOMAIN,
        },
    )
    assert answer.status_code < 300, answer.text
    yield
    httpx.delete(faults)  # unused shots must not slow down other tests


@pytest.mark.usefixtures("slow_amocrm_leads")
def test_progress_bar_while_the_first_sync_runs_then_the_leads(
    browser: Browser,
    server: Server,
    api: Api,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    token, user, password = new_user("syncer")
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url("/app"))
    sign_in(page, user["email"], password)
    connect_from_screen(page)
    expect(page.locator("#sync-box")).to_be_visible()
    expect(page.locator("#sync-label")).to_contain_text("Синхронізація угод")
    progress = float(page.locator("#sync-progress").get_attribute("value") or "0")
    assert 0 <= progress < 1
    shoot(page, "60-first-sync-progress")

    api.wait_for_first_sync(token)
    total = len(api.all_leads(token))
    expect(page.locator("#leads-summary")).to_have_text(f"Знайдено: {total}", timeout=30_000)
    expect(page.locator("#sync-box")).to_be_hidden()
    assert page.locator("[data-testid=lead-row]").count() > 0
    api.call("POST", "/api/amo-crm/disconnect", token)
    context.close()
