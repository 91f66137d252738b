"""Callback failures are explained in words on the callback screen, with a way to retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Request, expect

from tests.e2e.conftest import (
    Api,
    Server,
    amo_consent_sign_in,
    new_context,
    shoot,
    sign_in,
    stored_tokens,
)

pytestmark = pytest.mark.e2e


def test_attempt_of_another_user_then_a_used_link_are_explained(
    browser: Browser,
    server: Server,
    api: Api,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    token_a, user_a, _ = new_user("starter")
    token_b, user_b, password_b = new_user("finisher")
    # A starts connecting (say on a phone); the consent ends up in B's signed-in browser.
    attempt = api.call("GET", "/api/amo-crm/auth-url", token_a, params={"client": "web"})
    context = new_context(browser)
    page = context.new_page()
    hand_overs: list[Request] = []
    page.on(
        "request",
        lambda r: hand_overs.append(r) if "/api/amo-crm/callback?" in r.url else None,
    )
    page.goto(server.url("/app"))
    sign_in(page, user_b["email"], password_b)
    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    page.goto(attempt["url"])
    amo_consent_sign_in(page)
    with page.expect_response("**/api/amo-crm/exchange-code") as exchange:
        page.click("#allow")
    assert exchange.value.status == 403
    expect(page.locator("#callback-error-text")).to_have_text(
        "Підключення розпочато з іншого облікового запису ForYou CRM. "
        "Увійдіть під тим самим користувачем і спробуйте ще раз."
    )
    expect(page.locator("#callback-retry")).to_be_visible()
    shoot(page, "80-callback-other-user")
    assert stored_tokens(server, user_a["id"]) == []
    assert stored_tokens(server, user_b["id"]) == []
    assert api.status(token_b)["connected"] is False

    # Opening the same amoCRM answer again: the attempt is used up.
    (hand_over,) = hand_overs
    page.goto(hand_over.url)
    expect(page.locator("#callback-error-text")).to_have_text(
        "Спроба підключення застаріла або вже використана. Почніть підключення заново."
    )
    expect(page.locator("#callback-back")).to_be_visible()
    shoot(page, "81-callback-used-link")
    page.click("#callback-back")
    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    context.close()
