"""A lead's details in Chromium: opened from its card (its own URL, over the list's), contacts
with tap-to-call and tap-to-write links, company, open tasks, fields and notes as the API
serves them; Back returns to the list with its filters; the lead-field filters in the panel;
phone-first layout, axe and the glossary on the detail view, at 375 and 1280 px."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import (
    Agent,
    Api,
    Server,
    new_context,
    open_filters,
    open_signed_in,
    sign_in,
)
from tests.e2e.layout import screen_problems
from tests.e2e.test_accessibility import blocking_violations
from tests.e2e.test_vocabulary import foreign_words

pytestmark = pytest.mark.e2e


@pytest.fixture
def context(browser: Browser, viewport: dict[str, int]) -> Iterator[BrowserContext]:
    # bypass_csp: axe-core is injected as a script (as in test_accessibility.py).
    instance = new_context(browser, viewport=viewport, bypass_csp=True)
    yield instance
    instance.close()


def _query(page: Page) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query)


def _a_rich_lead(api: Api, agent: Agent, params: list[tuple[str, str]]) -> dict[str, Any]:
    """A lead on the list's first page with a phone, an e-mail, an open task and notes."""
    for item in api.leads(agent.token, [*params, ("limit", "20")])["items"]:
        lead: dict[str, Any] = api.call("GET", f"/api/amo-crm/leads/{item['id']}", agent.token)
        contacts = lead["contacts"]
        if (
            any(c["phones"] for c in contacts)
            and any(c["emails"] for c in contacts)
            and lead["tasks"]
            and lead["notes"]
        ):
            return lead
    raise AssertionError("no lead on the first page has a phone, an e-mail, tasks and notes")


def test_detail_view_from_the_list_and_back(
    context: BrowserContext, server: Server, api: Api, connected_agent: Agent
) -> None:
    listed = [("sort", "price")]
    page = open_signed_in(context, server, connected_agent, "/app?sort=price")
    lead = _a_rich_lead(api, connected_agent, listed)
    card = page.locator(f"[data-lead-id='{lead['id']}']")
    # The card: the main contact's name, the price in the account's currency.
    main = next(c for c in lead["contacts"] if c["isMain"])
    expect(card.locator(".lead-contact")).to_have_text(main["name"])
    symbol = api.status(connected_agent.token)["currencySymbol"]
    expect(card.locator(".lead-price")).to_contain_text(symbol)

    card.locator(".lead-open").click()
    detail = page.locator("#lead-detail")
    expect(detail).to_have_attribute("data-state", "loaded")
    assert _query(page) == [*listed, ("lead", str(lead["id"]))]
    expect(page.locator("#leads-section")).to_be_hidden()
    expect(page.locator("#detail-title")).to_have_text(lead["name"])

    # Every phone is a tel: link, every e-mail a mailto: link, per contact.
    for contact in lead["contacts"]:
        box = detail.locator(f"[data-contact-id='{contact['id']}']")
        expect(box).to_contain_text(contact["name"])
        hrefs = [a.get_attribute("href") for a in box.locator("a").all()]
        phones = [
            "tel:" + "".join(ch for ch in p["value"] if ch.isdigit() or ch == "+")
            for p in contact["phones"]
        ]
        emails = ["mailto:" + e["value"] for e in contact["emails"]]
        assert hrefs == phones + emails
    tasks = detail.locator("#detail-tasks li")
    expect(tasks).to_have_count(len(lead["tasks"]))
    expect(tasks.first).to_contain_text(lead["tasks"][0]["text"])
    notes = detail.locator("#detail-notes li")
    expect(notes).to_have_count(len(lead["notes"]))
    if lead["notes"][0]["text"]:
        expect(notes.first).to_contain_text(lead["notes"][0]["text"])
    if lead["company"]:
        expect(page.locator("#detail-company")).to_have_text(lead["company"]["name"])
    shown_fields = page.locator("#detail-fields dt")
    assert shown_fields.count() <= len(lead["customFields"])

    assert screen_problems(page) == []
    assert blocking_violations(page) == []
    assert foreign_words(page, "uk") == []
    page.select_option("#lang-switch", "en")
    expect(page.locator("#detail-back")).to_have_text("← Back to the leads")
    assert foreign_words(page, "en") == []
    page.select_option("#lang-switch", "uk")

    # Reload keeps the lead open; Back (the screen's link) returns to the same list.
    page.reload()
    expect(detail).to_have_attribute("data-state", "loaded")
    page.locator("#detail-back").click()
    expect(page.locator("#leads-section")).to_be_visible()
    expect(detail).to_be_hidden()
    assert _query(page) == listed
    expect(page.locator("[data-testid=lead-row]").first).to_be_visible()
    # The browser's Back opens it again, Forward closes it.
    page.go_back()
    expect(detail).to_be_visible()
    expect(page.locator("#detail-title")).to_have_text(lead["name"])
    page.go_forward()
    expect(detail).to_be_hidden()
    assert _query(page) == listed
    # Opened from the list, the screen's Back is the browser's: no new history entry.
    entries = page.evaluate("history.length")
    page.locator(f"[data-lead-id='{lead['id']}'] .lead-open").click()
    expect(detail).to_have_attribute("data-state", "loaded")
    page.locator("#detail-back").click()
    expect(detail).to_be_hidden()
    assert _query(page) == listed
    expect(page.locator(f"[data-lead-id='{lead['id']}'] .lead-open")).to_be_focused()
    assert page.evaluate("history.length") == entries + 1


def test_a_lead_of_someone_else_is_not_found(
    context: BrowserContext, server: Server, connected_agent: Agent
) -> None:
    page = context.new_page()
    page.goto(server.url("/app?lead=999999999"))
    sign_in(page, connected_agent.email, connected_agent.password)
    expect(page.locator("#lead-detail")).to_have_attribute("data-state", "error")
    expect(page.locator("#detail-error-text")).to_contain_text("Такої угоди немає")
    page.locator("#detail-back").click()
    expect(page.locator("[data-testid=lead-row]").first).to_be_visible()
    assert _query(page) == []


def test_lead_field_filters_in_the_panel(
    context: BrowserContext, server: Server, api: Api, connected_agent: Agent
) -> None:
    page = open_signed_in(context, server, connected_agent)
    fields = api.call("GET", "/api/amo-crm/custom-fields", connected_agent.token)["fields"]
    field = fields[0]
    enum = field["enums"][0]
    open_filters(page)
    select = page.locator(f"#filter-cf-{field['id']}")
    expect(select).to_be_visible()
    with page.expect_response(lambda r: "customField=" in r.url):
        select.select_option(str(enum["id"]))
    expect(page.locator("#leads-list")).to_have_attribute("aria-busy", "false")
    pair = f"{field['id']}:{enum['id']}"
    assert ("customField", pair) in _query(page)
    expected = api.leads(connected_agent.token, [("customField", pair), ("limit", "20")])
    rows = page.locator("[data-testid=lead-row]")
    expect(rows).to_have_count(len(expected["items"]))
    assert [r.get_attribute("data-lead-id") for r in rows.all()] == [
        str(i["id"]) for i in expected["items"]
    ]
    assert screen_problems(page) == []
    # A reload keeps the filter (the URL holds it) and the select shows it.
    page.reload()
    open_filters(page)
    expect(page.locator(f"#filter-cf-{field['id']}")).to_have_value(str(enum["id"]))
