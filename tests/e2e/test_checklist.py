"""The acceptance checklist (amo-crm-oauth-test-plan), step by step, in a real browser.

One test per checklist step, in file order, sharing one browser page as a person would
(INCREMENTAL: a failed step skips the rest). The demo user signs in to /app, connects the
sandbox amoCRM account through the real consent pages, sees leads, filters them and
disconnects; every step also checks the API and the SQLite file behind the screen.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, Response, Route, expect

from tests.e2e.conftest import (
    AMO_ACCOUNT_ID,
    AMO_DOMAIN,
    AMO_LOGIN,
    AMO_PASSWORD,
    Api,
    Console,
    Server,
    capture_json,
    connection_rows,
    new_context,
    open_filters,
    query_of,
    shoot,
    stored_tokens,
)

pytestmark = pytest.mark.e2e
INCREMENTAL = True
PAGE_SIZE = 20  # the screen's page size (web/static/js/views/leads.js)


@dataclass
class Flow:
    """What the steps hand to each other."""

    page: Page
    console: Console
    navigations: list[str] = field(default_factory=list)
    nav_requests: list[Request] = field(default_factory=list)
    jwt: str = ""
    user: dict[str, Any] = field(default_factory=dict)
    state: str = ""
    app_target: str = ""
    held_exchange: list[Route] = field(default_factory=list)
    all_leads: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture(scope="module")
def flow(browser: Browser) -> Iterator[Flow]:
    context = new_context(browser)
    page = context.new_page()
    console = Console()
    console.attach(page)
    state = Flow(page=page, console=console)

    def on_request(request: Request) -> None:
        if request.is_navigation_request():
            state.navigations.append(request.url)
            state.nav_requests.append(request)

    page.on("request", on_request)
    yield state
    context.close()


def _wait_for(
    page: Page, condition: Callable[[], bool], what: str, timeout_ms: int = 15_000
) -> None:
    """Poll a Python-side condition while letting Playwright deliver its events."""
    waited = 0
    while not condition():
        assert waited < timeout_ms, f"timed out waiting for {what}"
        page.wait_for_timeout(50)
        waited += 50


# --- 1. initial state ---------------------------------------------------------------------
def test_01_signed_in_crm_page_shows_not_connected(flow: Flow, server: Server, api: Api) -> None:
    page = flow.page
    page.goto(server.url("/app"))
    demo = api.meta()["demoUser"]
    # The demo prefills the demo user; the person only presses «Увійти».
    expect(page.locator("#login-email")).to_have_value(demo["email"])
    expect(page.locator("#login-password")).to_have_value(demo["password"])
    page.click("#login-submit")

    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    expect(page.locator("#connect-amo")).to_have_text("Підключити AMO CRM")
    expect(page.locator("#disconnect-amo")).to_be_hidden()
    expect(page.locator("#leads-section")).to_be_hidden()

    flow.jwt = page.evaluate("sessionStorage.getItem('foryou.jwt')")
    assert flow.jwt, "the screen keeps the app JWT after sign-in"
    flow.user = api.call("GET", "/api/auth/me", flow.jwt)
    assert flow.user["email"] == demo["email"]
    assert api.status(flow.jwt)["connected"] is False
    assert stored_tokens(server, flow.user["id"]) == []
    shoot(page, "01-initial-not-connected")


# --- 2. start the OAuth flow --------------------------------------------------------------
def test_02_connect_opens_amocrm_form_with_client_id_and_state(flow: Flow, server: Server) -> None:
    page = flow.page
    auth_urls = capture_json(page, "**/api/amo-crm/auth-url?*")
    with page.expect_request(lambda r: "/api/amo-crm/auth-url" in r.url) as asked:
        page.click("#connect-amo")
    assert parse_qs(urlsplit(asked.value.url).query)["client"] == ["web"]
    page.wait_for_url(re.compile(r"/sandbox/oauth\?"))
    page.unroute("**/api/amo-crm/auth-url?*")
    assert len(auth_urls) == 1 and auth_urls[0]["success"] is True
    data = auth_urls[0]["data"]
    flow.state = data["state"]
    consent_url = next(url for url in flow.navigations if "/sandbox/oauth?" in url)
    assert consent_url == data["url"]
    params = parse_qs(urlsplit(consent_url).query)
    assert params["client_id"][0], "client_id is present and not empty"
    assert params["state"] == [flow.state]
    assert consent_url.startswith(server.url("/sandbox/"))
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#password")).to_be_visible()
    shoot(page, "02-amocrm-sign-in-form")


# --- 3. sign in to amoCRM -----------------------------------------------------------------
def test_03_amocrm_sign_in_shows_permissions_page(flow: Flow) -> None:
    page = flow.page
    page.fill("#login", AMO_LOGIN)
    page.fill("#password", AMO_PASSWORD)
    page.click("#sign-in")
    expect(page.locator("#allow")).to_have_text("РАЗРЕШИТЬ")
    expect(page.locator("#login-error")).to_have_count(0)
    shoot(page, "03-amocrm-permissions")


# --- 4. grant permission ------------------------------------------------------------------
def test_04_allow_shows_redirecting_to_app_page(
    flow: Flow, server: Server, browser: Browser
) -> None:
    page = flow.page
    # The hand-over page leaves for the app at once and Playwright cannot read the body of
    # a page that navigated away (nor route a redirect hop), so the DevTools protocol's own
    # interception keeps a copy of the body as it passes; the copy is then photographed.
    # exchange-code is held so the next steps can see the processing screen and the request.
    bodies: list[str] = []
    cdp = page.context.new_cdp_session(page)

    def on_paused(event: dict[str, Any]) -> None:
        body = cdp.send("Fetch.getResponseBody", {"requestId": event["requestId"]})
        raw = base64.b64decode(body["body"]) if body["base64Encoded"] else body["body"].encode()
        bodies.append(raw.decode("utf-8"))
        cdp.send("Fetch.continueRequest", {"requestId": event["requestId"]})

    cdp.on("Fetch.requestPaused", on_paused)
    cdp.send(
        "Fetch.enable",
        {"patterns": [{"urlPattern": "*/api/amo-crm/callback?*", "requestStage": "Response"}]},
    )
    page.route("**/api/amo-crm/exchange-code", lambda route: flow.held_exchange.append(route))
    with (
        page.expect_response(lambda r: "/api/amo-crm/callback?" in r.url) as answer,
        page.expect_request(lambda r: "/app/amo-crm/callback?" in r.url) as onward,
    ):
        page.click("#allow")
    cdp.send("Fetch.disable")
    cdp.detach()
    hand_over = answer.value

    # amoCRM's redirect carried what the contract says; the service answered 200 HTML.
    consent_post = hand_over.request.redirected_from
    assert consent_post is not None and consent_post.method == "POST"
    params = parse_qs(urlsplit(hand_over.url).query)
    assert params["code"][0] and params["state"] == [flow.state]
    assert params["referer"] == [AMO_DOMAIN]
    assert params["client_id"][0] and params["platform"][0]
    assert hand_over.status == 200, "no 3xx: the hand-over is an HTML page"
    assert hand_over.headers["content-type"].startswith("text/html")

    (html,) = bodies
    viewer = new_context(browser, java_script_enabled=False)
    copy = viewer.new_page()
    copy.set_content(html)
    expect(copy.locator("h1")).to_have_text("Redirecting to app...")
    link = copy.locator("#open-app")
    expect(link).to_be_visible()
    shoot(copy, "04-redirecting-to-app")
    flow.app_target = link.get_attribute("href") or ""
    viewer.close()

    target = urlsplit(flow.app_target)
    assert flow.app_target.startswith(server.url("/app/amo-crm/callback?"))
    assert parse_qs(target.query)["state"] == [flow.state]
    assert parse_qs(target.query)["code"][0]
    # It went on by itself (its script), to exactly the link's target.
    assert onward.value.url == flow.app_target
    assert onward.value.is_navigation_request()


# --- 5. callback handling -----------------------------------------------------------------
def test_05_callback_screen_shows_processing(flow: Flow, server: Server) -> None:
    page = flow.page
    expect(page.locator("#callback-processing")).to_be_visible()
    expect(page.locator("#callback-processing")).to_contain_text("Обробляємо відповідь AMO CRM")
    # The one-time code does not stay in the address bar or history.
    assert page.url == server.url("/app/amo-crm/callback")
    assert "deep link callback received" in flow.console.infos()
    shoot(page, "05-callback-processing")


def test_06_exchange_code_called_with_jwt_and_tokens_saved(flow: Flow, server: Server) -> None:
    page = flow.page
    _wait_for(page, lambda: bool(flow.held_exchange), "POST /api/amo-crm/exchange-code")
    route = flow.held_exchange[0]
    request: Request = route.request
    assert request.method == "POST"
    assert request.all_headers()["authorization"] == f"Bearer {flow.jwt}"
    body = request.post_data_json
    target = parse_qs(urlsplit(flow.app_target).query)
    assert body["code"] == target["code"][0]
    assert body["state"] == flow.state
    assert "exchange-code called" in flow.console.infos()
    assert stored_tokens(server, flow.user["id"]) == [], "nothing is stored before the exchange"

    with page.expect_response("**/api/amo-crm/exchange-code") as answer:
        route.continue_()
    page.unroute("**/api/amo-crm/exchange-code")
    assert answer.value.status == 200
    assert answer.value.json()["success"] is True

    tokens = stored_tokens(server, flow.user["id"])
    assert len(tokens) == 1, "exactly one connection with tokens, for this user"
    access, refresh = tokens[0]
    assert access and refresh and access != refresh


# --- 6. status update ---------------------------------------------------------------------
def test_07_status_connected_with_domain_and_account_id(
    flow: Flow, server: Server, api: Api
) -> None:
    page = flow.page
    expect(page.locator("#amo-status")).to_have_text("Підключено")
    expect(page.locator("#amo-domain")).to_have_text(AMO_DOMAIN)
    expect(page.locator("#amo-account-id")).to_have_text(AMO_ACCOUNT_ID)
    expect(page.locator("#disconnect-amo")).to_be_visible()
    assert page.url == server.url("/app"), "back on the CRM page (history.replaceState)"
    infos = flow.console.infos()
    assert "status updated" in infos[infos.index("exchange-code called") :]

    status = api.status(flow.jwt)
    assert status["connected"] is True
    assert status["hasTokens"] is True
    assert status["domain"] == AMO_DOMAIN
    assert status["accountId"] == AMO_ACCOUNT_ID
    shoot(page, "06-status-connected")


# --- 7. leads -------------------------------------------------------------------------------
def _ui_ids(page: Page) -> list[str]:
    return [
        row.get_attribute("data-lead-id") or ""
        for row in page.locator("[data-testid=lead-row]").all()
    ]


def _settled(page: Page) -> None:
    expect(page.locator("#leads-list")).to_have_attribute("aria-busy", "false")


def _apply(
    page: Page, action: Callable[[], None], wanted: Callable[[dict[str, list[str]]], bool]
) -> list[tuple[str, str]]:
    """Do a UI action and return the query of the leads request it caused."""

    def matches(response: Response) -> bool:
        if "/api/amo-crm/leads?" not in response.url:
            return False
        return wanted(parse_qs(urlsplit(response.url).query))

    with page.expect_response(matches) as answer:
        action()
    assert answer.value.status == 200
    _settled(page)
    return query_of(answer.value.url)


def _same_as_api(flow: Flow, api: Api, query: list[tuple[str, str]]) -> dict[str, Any]:
    """The screen shows exactly what the API returns for the same query."""
    data = api.leads(flow.jwt, query)
    assert _ui_ids(flow.page) == [str(item["id"]) for item in data["items"]]
    expect(flow.page.locator("#leads-summary")).to_have_text(f"Знайдено: {data['total']}")
    return data


def _reset(page: Page) -> None:
    open_filters(page)
    _apply(
        page,
        lambda: page.click("#filter-reset"),
        lambda q: "query" not in q and "pipelineId" not in q,
    )


def test_08_leads_load_and_are_listed(flow: Flow, server: Server, api: Api) -> None:
    page = flow.page
    api.wait_for_first_sync(flow.jwt)
    flow.all_leads = api.all_leads(flow.jwt)
    assert len(flow.all_leads) > PAGE_SIZE, "the demo account has leads to page through"
    expect(page.locator("#leads-summary")).to_have_text(
        f"Знайдено: {len(flow.all_leads)}", timeout=30_000
    )
    # The screen has seen the sync end too (it reloads the list once then): the filter steps
    # that follow must not race that reload.
    expect(page.locator("#sync-box")).to_be_hidden(timeout=30_000)
    _settled(page)
    assert "leads loaded" in flow.console.infos()

    default_query = [("sort", "-createdAt"), ("page", "1"), ("limit", str(PAGE_SIZE))]
    data = _same_as_api(flow, api, default_query)
    assert len(data["items"]) == PAGE_SIZE
    first = page.locator("[data-testid=lead-row]").first
    item = data["items"][0]
    expect(first.locator(".lead-name")).to_have_text(item["name"])
    expect(first.locator(".lead-status-name")).to_have_text(item["statusName"])
    expect(first.locator(".lead-pipeline")).to_have_text(item["pipelineName"])
    expect(first.locator(".lead-link")).to_have_attribute("href", item["url"])
    # Mobile-first: nothing sticks out sideways at 375 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(page, "07-leads-listed")


def test_09_search_filters_the_list(flow: Flow, api: Api) -> None:
    page = flow.page
    names = [lead["name"] for lead in flow.all_leads]
    words = {word for name in names for word in re.findall(r"\w{4,}", name)}
    # A word that some but not all leads have in their name: the list must shrink.
    word = min(
        (w for w in words if 0 < sum(w.lower() in n.lower() for n in names) < len(names)),
        key=lambda w: abs(sum(w.lower() in n.lower() for n in names) - len(names) / 3),
    )
    query = _apply(
        page, lambda: page.fill("#filter-query", word), lambda q: q.get("query") == [word]
    )
    data = _same_as_api(flow, api, query)
    by_name = sum(word.lower() in name.lower() for name in names)
    assert by_name <= data["total"] < len(flow.all_leads)
    for item in data["items"]:
        haystack = " ".join([item["name"], *item["tags"], *(c["name"] for c in item["contacts"])])
        assert word.lower() in haystack.lower()
    shoot(page, "08-filter-search")
    _reset(page)


def test_10_pipeline_then_status_filters_the_list(flow: Flow, api: Api) -> None:
    page = flow.page
    pipelines = {lead["pipelineId"] for lead in flow.all_leads}
    pipeline_id = min(
        pipelines, key=lambda p: sum(lead["pipelineId"] == p for lead in flow.all_leads)
    )
    in_pipeline = [lead for lead in flow.all_leads if lead["pipelineId"] == pipeline_id]
    open_filters(page)  # folded by default: only search and sort show in the bar
    query = _apply(
        page,
        lambda: page.select_option("#filter-pipeline", str(pipeline_id)),
        lambda q: q.get("pipelineId") == [str(pipeline_id)],
    )
    data = _same_as_api(flow, api, query)
    assert data["total"] == len(in_pipeline)
    assert all(item["pipelineId"] == pipeline_id for item in data["items"])

    # The stage select now offers this pipeline's stages; pick one that has leads.
    status_id = in_pipeline[0]["statusId"]
    expect(page.locator("#filter-status")).to_be_enabled()
    query = _apply(
        page,
        lambda: page.select_option("#filter-status", str(status_id)),
        lambda q: q.get("statusId") == [str(status_id)],
    )
    data = _same_as_api(flow, api, query)
    assert data["total"] == sum(lead["statusId"] == status_id for lead in in_pipeline)
    assert all(item["statusId"] == status_id for item in data["items"])
    shoot(page, "09-filter-pipeline-status")
    _reset(page)


def test_11_responsible_filters_the_list(flow: Flow, api: Api) -> None:
    page = flow.page
    owners = [lead["responsibleUserId"] for lead in flow.all_leads if lead["responsibleUserId"]]
    owner = min(set(owners), key=owners.count)
    query = _apply(
        page,
        lambda: page.select_option("#filter-responsible", str(owner)),
        lambda q: q.get("responsibleUserId") == [str(owner)],
    )
    data = _same_as_api(flow, api, query)
    assert data["total"] == owners.count(owner) < len(flow.all_leads)
    assert all(item["responsibleUserId"] == owner for item in data["items"])
    _reset(page)


def test_12_price_range_filters_the_list(flow: Flow, api: Api) -> None:
    page = flow.page
    prices = sorted(int(lead["price"] or 0) for lead in flow.all_leads)
    low, high = prices[len(prices) // 4], prices[len(prices) // 2]
    page.fill("#filter-price-from", str(low))
    query = _apply(
        page,
        lambda: page.fill("#filter-price-to", str(high)),
        lambda q: q.get("priceFrom") == [str(low)] and q.get("priceTo") == [str(high)],
    )
    data = _same_as_api(flow, api, query)
    expected = sum(low <= int(lead["price"] or 0) <= high for lead in flow.all_leads)
    assert data["total"] == expected < len(flow.all_leads)
    assert all(low <= int(item["price"] or 0) <= high for item in data["items"])
    shoot(page, "10-filter-price")
    _reset(page)


def _created(lead: dict[str, Any]) -> datetime:
    value = lead["createdAt"]
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def test_13_created_date_range_filters_the_list(flow: Flow, api: Api) -> None:
    page = flow.page
    days = sorted({_created(lead).date() for lead in flow.all_leads})
    assert len(days) >= 3, "the demo leads are spread over several days"
    start, end = days[len(days) // 3], days[2 * len(days) // 3]
    page.fill("#filter-created-from", start.isoformat())
    query = _apply(
        page,
        lambda: page.fill("#filter-created-to", end.isoformat()),
        lambda q: "createdFrom" in q and "createdTo" in q,
    )
    data = _same_as_api(flow, api, query)
    # The browser runs in UTC, so a calendar day is a UTC day.
    lo = datetime.combine(start, datetime.min.time(), UTC)
    hi = datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=1)
    expected = sum(lo <= _created(lead) < hi for lead in flow.all_leads)
    assert data["total"] == expected < len(flow.all_leads)
    assert all(lo <= _created(item) < hi for item in data["items"])
    _reset(page)


def test_14_sorting_and_paging(flow: Flow, api: Api) -> None:
    page = flow.page
    query = _apply(
        page,
        lambda: page.select_option("#leads-sort", "price"),
        lambda q: q.get("sort") == ["price"],
    )
    data = _same_as_api(flow, api, query)
    prices = [int(item["price"] or 0) for item in data["items"]]
    assert prices == sorted(prices)
    assert prices[0] == min(int(lead["price"] or 0) for lead in flow.all_leads)
    first_page = _ui_ids(page)

    query = _apply(page, lambda: page.click("#leads-next"), lambda q: q.get("page") == ["2"])
    data = _same_as_api(flow, api, query)
    assert not set(first_page) & set(_ui_ids(page)), "page 2 shows other leads"
    assert int(data["items"][0]["price"] or 0) >= prices[-1]
    pages = -(-len(flow.all_leads) // PAGE_SIZE)
    expect(page.locator("#leads-page")).to_have_text(f"Сторінка 2 з {pages}")
    shoot(page, "11-sorted-page-2")
    _apply(
        page,
        lambda: page.select_option("#leads-sort", "-createdAt"),
        lambda q: q.get("page") == ["1"],
    )


# --- 8. disconnect --------------------------------------------------------------------------
def test_15_disconnect_removes_tokens_and_shows_not_connected(
    flow: Flow, server: Server, api: Api
) -> None:
    page = flow.page
    page.click("#disconnect-amo")
    dialog = page.locator("#disconnect-dialog")
    expect(dialog).to_be_visible()
    shoot(page, "12-disconnect-confirmation")
    assert stored_tokens(server, flow.user["id"]), "still connected until confirmed"

    with page.expect_response("**/api/amo-crm/disconnect") as answer:
        page.click("#disconnect-confirm")
    assert answer.value.request.method == "POST"
    assert answer.value.status == 200
    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    expect(page.locator("#connect-amo")).to_be_visible()
    expect(page.locator("#leads-section")).to_be_hidden()

    assert stored_tokens(server, flow.user["id"]) == []
    assert all(
        row["access_token_enc"] is None and row["refresh_token_enc"] is None
        for row in connection_rows(server, flow.user["id"])
    )
    assert api.status(flow.jwt)["connected"] is False
    shoot(page, "13-disconnected")


def test_16_console_logged_the_flow_and_no_errors(flow: Flow) -> None:
    assert flow.console.errors() == []
    infos = flow.console.infos()
    position = 0
    for line in (
        "deep link callback received",
        "exchange-code called",
        "status updated",
        "leads loaded",
    ):
        assert line in infos[position:], f"{line!r} missing (in order) from {infos}"
        position = infos.index(line, position) + 1
