"""The web screen says why a connection ended, when and in which account, with the next step —
at 375 and 1280 px, in Ukrainian and English, phone-first and with no serious axe-core
finding — for each way it can end: the agent's own
«Відключити», the integration switched off in amoCRM (its uninstall hook), amoCRM refusing the
refresh, an administrator removing it. «Підключити AMO CRM знову» then connects again and the
reason goes away. The Kommo account of the sandbox is used, so no other test's connection
(all to reforyou.amocrm.ru) is touched."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from foryou_crm.web.router import STATIC_DIR
from tests.e2e.amo import (
    KOMMO_ADMIN,
    KOMMO_DOMAIN,
    connect_over_http,
    make_amocrm_refuse,
    remove_as_admin,
    switch_integration_off,
)
from tests.e2e.conftest import (
    Api,
    Console,
    Server,
    amo_consent_sign_in,
    new_context,
    shoot,
    sign_in,
)
from tests.e2e.layout import screen_problems
from tests.e2e.test_accessibility import blocking_violations

pytestmark = pytest.mark.e2e

REASONS = ["agent_disconnected", "integration_removed", "refresh_refused", "admin_removed"]
WORDS = {
    lang: json.loads((STATIC_DIR / "i18n" / f"{lang}.json").read_text()) for lang in ("uk", "en")
}


def _sentence(language: str, ended: dict[str, Any]) -> re.Pattern[str]:
    """The glossary's sentence for this ending, its account filled in; the date as the browser
    formats it, which must at least show the day of the month."""
    template = WORDS[language][f"ended.{ended['reason']}"].replace("{domain}", ended["domain"])
    day = str(datetime.fromisoformat(ended["at"]).day)
    parts = [re.escape(part) for part in template.split("{at}")]
    date = rf".*\b{day}\b.*"
    return re.compile("^" + date.join(parts) + "$")


def _end(reason: str, server: Server, api: Api, token: str, user_id: int) -> None:
    if reason == "agent_disconnected":
        api.call("POST", "/api/amo-crm/disconnect", token)
    elif reason == "integration_removed":
        switch_integration_off(server, KOMMO_DOMAIN)
    elif reason == "refresh_refused":
        make_amocrm_refuse(server, api, token, KOMMO_DOMAIN)
    else:
        remove_as_admin(server, user_id)


def _reconnect_from_screen(page: Page) -> None:
    """«Підключити AMO CRM знову» → the sandbox's Kommo sign-in → «РАЗРЕШИТЬ» → connected."""
    page.click("#connect-amo")
    amo_consent_sign_in(page, KOMMO_ADMIN)
    page.click("#allow")
    expect(page.locator("#amo-status")).to_have_text(WORDS["uk"]["crm.connected"])


@pytest.mark.parametrize("reason", REASONS)
def test_the_screen_says_why_and_offers_to_connect_again(
    browser: Browser,
    server: Server,
    api: Api,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
    viewport: dict[str, int],
    reason: str,
) -> None:
    token, user, password = new_user(f"ended-{reason}")
    connect_over_http(server, api, token, login=KOMMO_ADMIN)
    _end(reason, server, api, token, int(user["id"]))
    ended = api.status(token)["ended"]
    assert ended["reason"] == reason and ended["domain"] == KOMMO_DOMAIN

    context = new_context(browser, viewport=viewport, bypass_csp=True)  # for axe-core only
    page = context.new_page()
    console = Console()
    console.attach(page)
    page.goto(server.url("/app"))
    sign_in(page, user["email"], password)

    still_listed = reason == "refresh_refused"  # the connection stays, its leads readable
    status_word = "crm.lost" if still_listed else "crm.notConnected"
    expect(page.locator("#amo-status")).to_have_text(WORDS["uk"][status_word])
    expect(page.locator("#amo-ended")).to_have_text(_sentence("uk", ended))
    expect(page.locator("#connect-amo")).to_have_text(WORDS["uk"]["crm.reconnect"])
    expect(page.locator("#disconnect-amo")).to_be_visible(visible=still_listed)
    expect(page.locator("#leads-section")).to_be_visible(visible=still_listed)
    assert screen_problems(page) == [], reason
    assert blocking_violations(page) == [], reason
    shoot(page, f"ended-{viewport['width']}-{reason}")

    page.select_option("#lang-switch", "en")
    expect(page.locator("#amo-ended")).to_have_text(_sentence("en", ended))
    expect(page.locator("#connect-amo")).to_have_text(WORDS["en"]["crm.reconnect"])
    assert screen_problems(page) == [], f"{reason}, English"
    page.select_option("#lang-switch", "uk")

    _reconnect_from_screen(page)
    expect(page.locator("#amo-ended")).to_be_hidden()
    expect(page.locator("#amo-domain")).to_have_text(KOMMO_DOMAIN)
    assert api.status(token)["ended"] is None
    assert console.errors() == []
    context.close()
    api.call("POST", "/api/amo-crm/disconnect", token)


def test_disconnecting_on_the_screen_says_so_at_once(
    browser: Browser,
    server: Server,
    api: Api,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    """The disconnect answer carries the reason: no reload needed to see it."""
    token, user, password = new_user("ended-now")
    connect_over_http(server, api, token, login=KOMMO_ADMIN)
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url("/app"))
    sign_in(page, user["email"], password)
    expect(page.locator("#amo-status")).to_have_text(WORDS["uk"]["crm.connected"])
    expect(page.locator("#amo-ended")).to_be_hidden()

    page.click("#disconnect-amo")
    page.click("#disconnect-confirm")
    expect(page.locator("#amo-status")).to_have_text(WORDS["uk"]["crm.notConnected"])
    expect(page.locator("#amo-ended")).to_have_text(_sentence("uk", api.status(token)["ended"]))
    expect(page.locator("#connect-amo")).to_be_focused()
    context.close()
