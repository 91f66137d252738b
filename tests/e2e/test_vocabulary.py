"""Every word the web screen shows comes from the glossary (web/static/i18n/{uk,en}.json).

The rendered DOM of each screen — sign-in, connected with leads and the filters open, the
disconnect question, not connected with why it ended, a callback error — is read in Chromium at
375 and 1280 px, in Ukrainian and English: each visible text node, placeholder, aria-label and
title must be a sentence of that language's dictionary (a ``{placeholder}`` stands for
anything) or hold no letters at all (numbers, dates' digits, arrows). The one exception is the
account's data, inside elements marked ``data-api`` (names, amounts, dates, the domain)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from foryou_crm.web.router import STATIC_DIR
from tests.e2e.amo import KOMMO_ADMIN, connect_over_http
from tests.e2e.conftest import Agent, Api, Server, new_context, open_filters, sign_in

pytestmark = pytest.mark.e2e

LOCALES = {"uk": "uk-UA", "en": "en-US"}

# Visible text of the page outside [data-api]: text nodes (an <option> counts when its <select>
# is shown), and the placeholder / aria-label / title of visible elements.
_SHOWN_WORDS = """() => {
  const shown = (el) => Boolean(el && el.checkVisibility({ visibilityProperty: true }));
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    const el = node.parentElement;
    if (!text || el.closest("[data-api], noscript, script, style, template")) continue;
    if (shown(el.tagName === "OPTION" ? el.closest("select") : el)) out.push(text);
  }
  for (const el of document.body.querySelectorAll("[placeholder], [aria-label], [title]")) {
    if (!shown(el) || el.closest("[data-api]")) continue;
    for (const name of ["placeholder", "aria-label", "title"]) {
      const value = el.getAttribute(name);
      if (value) out.push(value.replace(/\\s+/g, " ").trim());
    }
  }
  return out;
}"""


def _patterns(language: str) -> list[re.Pattern[str]]:
    words: dict[str, str] = json.loads((STATIC_DIR / "i18n" / f"{language}.json").read_text())
    return [
        re.compile(".+?".join(re.escape(part) for part in re.split(r"\{\w+\}", text)), re.S)
        for text in words.values()
    ]


def foreign_words(page: Page, language: str) -> list[str]:
    """What the page shows now that is neither the account's data nor the glossary's."""
    shown: list[str] = page.evaluate(_SHOWN_WORDS)
    assert len(shown) > 3, shown
    patterns = _patterns(language)
    return [
        text
        for text in shown
        if re.search(r"[^\W\d_]", text) and not any(p.fullmatch(text) for p in patterns)
    ]


@pytest.fixture(params=list(LOCALES))
def language(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


def test_every_word_on_every_screen_is_the_glossarys(
    browser: Browser,
    server: Server,
    api: Api,
    connected_agent: Agent,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
    viewport: dict[str, int],
    language: str,
) -> None:
    context = new_context(browser, viewport=viewport, locale=LOCALES[language])
    page = context.new_page()

    page.goto(server.url("/app"))
    expect(page.locator("#login-demo-hint")).to_be_visible()  # demo: prefilled, with the hint
    assert foreign_words(page, language) == [], "sign-in"

    sign_in(page, connected_agent.email, connected_agent.password)
    expect(page.locator("[data-testid=lead-row]").first).to_be_visible()
    open_filters(page)
    pipeline = page.locator("#filter-pipeline option").nth(1).get_attribute("value")
    page.select_option("#filter-pipeline", pipeline)  # the stage select fills and shows
    expect(page.locator("#filter-status")).to_be_enabled()
    expect(page.locator("#leads-list")).to_have_attribute("aria-busy", "false")
    assert foreign_words(page, language) == [], "leads, filters open"

    page.click("#disconnect-amo")
    expect(page.locator("#disconnect-dialog")).to_be_visible()
    assert foreign_words(page, language) == [], "the disconnect question"
    page.click("#disconnect-cancel")
    page.click("#sign-out")
    expect(page.locator("#login-message")).to_be_visible()
    assert foreign_words(page, language) == [], "signed out"

    token, user, password = new_user("words")
    connect_over_http(server, api, token, login=KOMMO_ADMIN)
    api.call("POST", "/api/amo-crm/disconnect", token)
    sign_in(page, user["email"], password)
    expect(page.locator("#amo-ended")).to_be_visible()
    assert foreign_words(page, language) == [], "not connected, and why"

    page.goto(server.url("/app/amo-crm/callback?error=access_denied&state=words"))
    expect(page.locator("#callback-error")).to_be_visible()
    assert foreign_words(page, language) == [], "callback error"
    context.close()


def test_a_word_outside_the_glossary_is_found(browser: Browser, server: Server) -> None:
    """The check itself: a text the dictionaries do not have is reported; data is not."""
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url("/app"))
    expect(page.locator("#login-title")).to_be_visible()
    assert foreign_words(page, "uk") == []
    page.evaluate("document.querySelector('#login-title').textContent = 'Sign in, please'")
    page.evaluate(
        "document.querySelector('#user-email').hidden = false;"
        "document.querySelector('#user-email').textContent = 'agent@example.com'"
    )
    assert foreign_words(page, "uk") == ["Sign in, please"]
    context.close()
