"""Tokens belong to one user (checklist "known problem 2"): two people, two browser contexts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    AMO_ACCOUNT_ID,
    AMO_DOMAIN,
    Api,
    Server,
    amo_consent_sign_in,
    new_context,
    shoot,
    sign_in,
    stored_tokens,
)

pytestmark = pytest.mark.e2e


def _open_signed_in(browser: Browser, server: Server, email: str, password: str) -> Page:
    page = new_context(browser).new_page()
    page.goto(server.url("/app"))
    sign_in(page, email, password)
    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    return page


def test_user_b_stays_not_connected_while_user_a_is_connected(
    browser: Browser,
    server: Server,
    api: Api,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    token_a, user_a, password_a = new_user("agent-a")
    token_b, user_b, password_b = new_user("agent-b")
    page_a = _open_signed_in(browser, server, user_a["email"], password_a)
    page_b = _open_signed_in(browser, server, user_b["email"], password_b)

    page_a.click("#connect-amo")
    amo_consent_sign_in(page_a)
    page_a.click("#allow")
    expect(page_a.locator("#amo-status")).to_have_text("Підключено")
    expect(page_a.locator("#amo-domain")).to_have_text(AMO_DOMAIN)
    expect(page_a.locator("#amo-account-id")).to_have_text(AMO_ACCOUNT_ID)

    # B looks again after A connected: still not connected, in the screen, API and DB.
    page_b.reload()
    expect(page_b.locator("#amo-status")).to_have_text("Не підключено")
    expect(page_b.locator("#amo-domain")).to_be_hidden()
    expect(page_b.locator("#leads-section")).to_be_hidden()
    assert api.status(token_b)["connected"] is False
    assert api.status(token_a)["connected"] is True
    assert len(stored_tokens(server, user_a["id"])) == 1
    assert stored_tokens(server, user_b["id"]) == []
    # B cannot read A's leads either.
    assert api.call("GET", "/api/amo-crm/leads", token_b, expect=409)["code"] == "AMO_NOT_CONNECTED"
    shoot(page_a, "30-user-a-connected")
    shoot(page_b, "31-user-b-not-connected")

    # A disconnecting leaves B untouched as well (and cleans up for other tests).
    api.call("POST", "/api/amo-crm/disconnect", token_a)
    assert stored_tokens(server, user_a["id"]) == []
    page_a.context.close()
    page_b.context.close()
