"""A connection amoCRM stops accepting (tokens revoked there) is shown as a call to reconnect,
and reconnecting from the screen makes it «Підключено» again."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import (
    AMO_ACCOUNT_ID,
    AMO_DOMAIN,
    Api,
    Server,
    connect_from_screen,
    new_context,
    shoot,
    sign_in,
    stored_tokens,
)

pytestmark = pytest.mark.e2e


def test_refused_refresh_asks_to_reconnect_and_reconnecting_works(
    browser: Browser,
    server: Server,
    api: Api,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    token, user, password = new_user("reconnector")
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url("/app"))
    sign_in(page, user["email"], password)
    connect_from_screen(page)
    api.wait_for_first_sync(token)

    # amoCRM forgets every token of the account; the next sync finds out.
    revoked = httpx.post(server.url(f"/sandbox/_sandbox/accounts/{AMO_DOMAIN}/revoke-tokens"))
    assert revoked.status_code == 200, revoked.text
    api.call("POST", "/api/amo-crm/sync", token, expect=202)
    deadline = time.monotonic() + 30
    while not api.status(token)["needsReconnect"]:
        assert time.monotonic() < deadline, "the service never noticed the refused tokens"
        time.sleep(0.3)

    page.reload()
    expect(page.locator("#amo-status")).to_have_text("Підключення втрачено")
    # Why, in words, with the account and the next step.
    expect(page.locator("#amo-ended")).to_contain_text("перестав приймати це підключення")
    expect(page.locator("#amo-ended")).to_contain_text(AMO_DOMAIN)
    expect(page.locator("#amo-domain")).to_have_text(AMO_DOMAIN)
    expect(page.locator("#connect-amo")).to_have_text("Підключити AMO CRM знову")
    expect(page.locator("#disconnect-amo")).to_be_visible()
    shoot(page, "70-needs-reconnect")

    connect_from_screen(page)
    expect(page.locator("#amo-account-id")).to_have_text(AMO_ACCOUNT_ID)
    expect(page.locator("#amo-ended")).to_be_hidden()
    status = api.status(token)
    assert status["connected"] is True and status["needsReconnect"] is False
    assert len(stored_tokens(server, user["id"])) == 1
    api.call("POST", "/api/amo-crm/disconnect", token)
    context.close()
