"""Phone-first /app: every screen at 375 × 812 and 1280 × 800, in Ukrainian and English.

On every screen (sign-in, not connected, connected with leads, filters open, callback): no
horizontal overflow, touch targets ≥ 44 px, no control cut off (date inputs included), the
header on one line. On the leads screen: the first lead visible without scrolling, the filters
folded into a bar that counts them, status rows in line, paging back at the top of the list,
cards with the main contact and the account's currency.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.e2e.conftest import (
    Agent,
    Api,
    Console,
    Server,
    new_context,
    open_filters,
    open_signed_in,
    shoot,
    sign_in,
)
from tests.e2e.layout import screen_problems, uneven_rows

pytestmark = pytest.mark.e2e

LANGUAGES = {"uk-UA": "uk", "en-US": "en"}
TEXT = {
    "uk": {"notConnected": "Не підключено", "filters": "Фільтри", "page2": "Сторінка 2 з"},
    "en": {"notConnected": "Not connected", "filters": "Filters", "page2": "Page 2 of"},
}


@pytest.fixture(params=list(LANGUAGES))
def locale(request: pytest.FixtureRequest) -> str:
    tag: str = request.param
    return tag


@pytest.fixture
def context(browser: Browser, viewport: dict[str, int], locale: str) -> Iterator[BrowserContext]:
    instance = new_context(browser, viewport=viewport, locale=locale)
    yield instance
    instance.close()


def _name(viewport: dict[str, int], locale: str, screen: str) -> str:
    return f"layout-{viewport['width']}-{LANGUAGES[locale]}-{screen}"


def test_sign_in_crm_and_callback_screens_fit(
    context: BrowserContext,
    server: Server,
    viewport: dict[str, int],
    locale: str,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    _, user, password = new_user("layout")
    words = TEXT[LANGUAGES[locale]]
    page = context.new_page()
    console = Console()
    console.attach(page)

    page.goto(server.url("/app"))
    expect(page.locator("#login-form")).to_be_visible()
    assert screen_problems(page) == [], "sign-in"

    sign_in(page, user["email"], password)
    expect(page.locator("#amo-status")).to_have_text(words["notConnected"])
    expect(page.locator("#sign-out")).to_be_visible()
    assert screen_problems(page) == [], "CRM, not connected"
    shoot(page, _name(viewport, locale, "not-connected"))

    page.goto(server.url("/app/amo-crm/callback?error=access_denied&state=layout"))
    expect(page.locator("#callback-error")).to_be_visible()
    assert screen_problems(page) == [], "callback with an error"
    assert console.errors() == []


def test_leads_screen_first_lead_visible_filters_folded(
    context: BrowserContext,
    server: Server,
    connected_agent: Agent,
    viewport: dict[str, int],
    locale: str,
) -> None:
    words = TEXT[LANGUAGES[locale]]
    page = open_signed_in(context, server, connected_agent)

    # Without scrolling, the first lead's name and price are on screen.
    assert page.evaluate("window.scrollY") == 0
    head = page.locator("[data-testid=lead-row]").first.locator(".lead-head").bounding_box()
    assert head is not None
    assert head["y"] + head["height"] <= viewport["height"], f"first lead ends at {head}"
    assert screen_problems(page) == [], "leads listed"
    assert uneven_rows(page, ".status-list") == []
    assert uneven_rows(page, ".lead-meta") == []

    # Folded: the bar shows search, the toggle (no count yet) and sort; the panel is hidden.
    toggle = page.locator("#filters-toggle")
    expect(toggle).to_have_text(words["filters"])
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#filters-panel")).to_be_hidden()
    for always in ("#filter-query", "#leads-sort"):
        expect(page.locator(always)).to_be_visible()

    open_filters(page)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert screen_problems(page) == [], "filters open"
    pipeline = page.locator("#filter-pipeline option").nth(1).get_attribute("value")
    page.select_option("#filter-pipeline", pipeline)
    page.fill("#filter-created-from", "2020-01-01")
    expect(toggle).to_have_text(f"{words['filters']} (2)")
    assert screen_problems(page) == [], "filters open and set"

    toggle.click()  # folds again; the count stays, and sort is still at hand
    expect(page.locator("#filters-panel")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_text(f"{words['filters']} (2)")
    expect(page.locator("#leads-sort")).to_be_enabled()
    assert screen_problems(page) == [], "filters folded with a count"

    open_filters(page)  # Escape in the panel folds it and returns to the toggle
    page.locator("#filter-pipeline").press("Escape")
    expect(page.locator("#filters-panel")).to_be_hidden()
    expect(toggle).to_be_focused()

    # The other language's words are longer or shorter: the bar and header still fit.
    other = "en" if LANGUAGES[locale] == "uk" else "uk"
    page.select_option("#lang-switch", other)
    expect(toggle).to_have_text(f"{TEXT[other]['filters']} (2)")
    assert screen_problems(page) == [], f"switched to {other}"

    page.click("#disconnect-amo")
    expect(page.locator("#disconnect-dialog")).to_be_visible()
    assert screen_problems(page) == [], "disconnect dialog"
    page.click("#disconnect-cancel")


def test_paging_returns_to_the_top_of_the_list(
    context: BrowserContext,
    server: Server,
    connected_agent: Agent,
    viewport: dict[str, int],
    locale: str,
) -> None:
    page = open_signed_in(context, server, connected_agent)
    first_page = page.locator("[data-testid=lead-row]").first.get_attribute("data-lead-id")
    page.locator("#leads-next").scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 0, "the pager is below the fold"

    page.click("#leads-next")
    expect(page.locator("#leads-page")).to_contain_text(TEXT[LANGUAGES[locale]]["page2"])
    expect(page.locator("[data-testid=lead-row]").first).not_to_have_attribute(
        "data-lead-id", first_page or ""
    )
    title = page.locator("#leads-title").bounding_box()
    head = page.locator("[data-testid=lead-row]").first.locator(".lead-head").bounding_box()
    assert title is not None and head is not None
    assert 0 <= title["y"] < viewport["height"], f"the list's heading is off screen: {title}"
    assert head["y"] + head["height"] <= viewport["height"], f"first lead off screen: {head}"
    expect(page.locator("#leads-title")).to_be_focused()


def _with_currency(currency: str) -> Callable[[Route], None]:
    """The status answer as it would be for an account counting in ``currency``."""

    def handle(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        body["data"]["currency"] = currency
        route.fulfill(response=response, json=body)

    return handle


def _shown_cards(page: Page) -> dict[str, dict[str, str | None]]:
    """Each card's price text and contact name (None when the contact row is hidden)."""
    cards: dict[str, dict[str, str | None]] = {}
    for row in page.locator("[data-testid=lead-row]").all():
        contact = row.locator(".lead-contact")
        cards[row.get_attribute("data-lead-id") or ""] = {
            "price": row.locator(".lead-price").text_content(),
            "contact": contact.text_content() if contact.is_visible() else None,
        }
    return cards


@pytest.mark.parametrize("locale", ["uk-UA", "en-US"])
def test_cards_show_the_main_contact_and_the_account_currency(
    browser: Browser, server: Server, api: Api, connected_agent: Agent, locale: str
) -> None:
    context = new_context(browser, locale=locale)
    page = open_signed_in(context, server, connected_agent)
    items = api.leads(connected_agent.token, [("sort", "-createdAt"), ("limit", "20")])["items"]
    cards = _shown_cards(page)
    assert list(cards) == [str(item["id"]) for item in items]
    with_contact = 0
    for item in items:
        named = [c["name"] for c in item["contacts"] if c["name"]]
        main = [c["name"] for c in item["contacts"] if c["name"] and c["isMain"]]
        card = cards[str(item["id"])]
        assert card["contact"] == ((main or named)[0] if named else None), item
        with_contact += bool(named)
        # The account's currency (the demo's amoCRM account counts in dollars).
        assert item["currency"] == "USD"
        assert re.sub(r"\D", "", card["price"] or "") == str(item["price"])
        assert "$" in (card["price"] or "")
    assert 0 < with_contact < len(items), "the demo page has leads with and without contacts"

    page.route("**/api/amo-crm/status", _with_currency("UAH"))
    page.reload()
    expect(page.locator("[data-testid=lead-row] .lead-price").first).to_contain_text("₴")
    price = _shown_cards(page)[str(items[0]["id"])]["price"] or ""
    assert re.sub(r"\D", "", price) == str(items[0]["price"])
    # Ukrainian puts the sign after the amount, English before it.
    assert price.endswith("₴") if locale == "uk-UA" else price.startswith("₴")
    context.close()
