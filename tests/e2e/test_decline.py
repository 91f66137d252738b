"""Declining at the amoCRM consent page: the screen explains it and offers to try again."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import (
    Api,
    Console,
    Server,
    amo_consent_sign_in,
    capture_json,
    new_context,
    shoot,
    sign_in,
    stored_tokens,
)

pytestmark = pytest.mark.e2e


def test_decline_at_consent_is_explained_with_a_retry(
    browser: Browser,
    server: Server,
    api: Api,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    token, user, password = new_user("decliner")
    context = new_context(browser)
    page = context.new_page()
    console = Console()
    console.attach(page)
    page.goto(server.url("/app"))
    sign_in(page, user["email"], password)
    expect(page.locator("#amo-status")).to_have_text("Не підключено")

    auth_urls = capture_json(page, "**/api/amo-crm/auth-url?*")
    page.click("#connect-amo")
    amo_consent_sign_in(page)
    first_state = auth_urls[0]["data"]["state"]
    with page.expect_response(lambda r: "/api/amo-crm/callback" in r.url) as callback:
        page.click("#decline")
    assert callback.value.status == 200
    assert parse_qs(urlsplit(callback.value.url).query)["error"] == ["access_denied"]

    # The hand-over page sends the browser on to the screen, which explains what happened.
    error = page.locator("#callback-error")
    expect(error).to_be_visible()
    expect(page.locator("#callback-error-title")).to_have_text("Доступ не надано")
    expect(page.locator("#callback-error-text")).to_contain_text("РАЗРЕШИТЬ")
    expect(page.locator("#callback-processing")).to_be_hidden()
    expect(page.locator("#callback-retry")).to_be_visible()
    expect(page.locator("#callback-back")).to_be_visible()
    assert page.url == server.url("/app/amo-crm/callback")
    shoot(page, "20-declined-explained")

    # Nothing was connected or stored, and the screen never called exchange-code.
    assert api.status(token)["connected"] is False
    assert stored_tokens(server, user["id"]) == []
    assert "exchange-code called" not in console.infos()
    assert console.errors() == []

    # "Try again" starts a fresh attempt (a new state) at the amoCRM consent page.
    page.click("#callback-retry")
    page.wait_for_url(re.compile(r"/sandbox/oauth\?"))
    second_state = auth_urls[1]["data"]["state"]
    assert second_state != first_state
    assert parse_qs(urlsplit(page.url).query)["state"] == [second_state]
    context.close()
