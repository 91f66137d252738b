"""The mobile hand-over (checklist step 4) in a real browser: after «РАЗРЕШИТЬ» the service
answers 200 with the "Redirecting to app..." page, whose script opens
``foryoure://amo-crm/callback?code=…&state=…`` — never an HTTP redirect to the custom scheme
(that is what made Safari say "cannot open the page"). Without JavaScript, the link does it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, expect

from tests.e2e.conftest import Api, Server, amo_consent_sign_in, new_context, shoot

pytestmark = pytest.mark.e2e
SCHEME = "foryoure://"


def _mobile_auth_url(api: Api, token: str) -> dict[str, Any]:
    data: dict[str, Any] = api.call(
        "GET", "/api/amo-crm/auth-url", token, params={"client": "mobile"}
    )
    return data


def _check_target(target: str, state: str) -> str:
    parts = urlsplit(target)
    assert parts.scheme == "foryoure"
    assert parts.netloc + parts.path == "amo-crm/callback"
    query = parse_qs(parts.query)
    assert query["state"] == [state]
    assert query["code"][0]
    return query["code"][0]


def _record_responses(page: Page) -> list[Response]:
    responses: list[Response] = []
    page.on("response", lambda response: responses.append(response))
    return responses


def _assert_no_redirect_to_scheme(responses: list[Response]) -> Response:
    for response in responses:
        location = response.headers.get("location", "")
        assert not location.startswith(SCHEME), f"HTTP {response.status} redirect to the app scheme"
    callback = next(r for r in responses if "/api/amo-crm/callback?" in r.url)
    assert callback.status == 200
    assert callback.headers["content-type"].startswith("text/html")
    return callback


def test_callback_page_opens_the_app_deep_link_with_javascript(
    browser: Browser,
    server: Server,
    api: Api,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    token, _, _ = new_user("mobile")
    auth = _mobile_auth_url(api, token)
    context = new_context(browser)
    page = context.new_page()
    responses = _record_responses(page)
    page.goto(auth["url"])
    amo_consent_sign_in(page)

    with page.expect_request(lambda r: r.url.startswith(SCHEME)) as deep_link:
        page.click("#allow")
    target = deep_link.value.url
    code = _check_target(target, auth["state"])
    assert deep_link.value.is_navigation_request()

    callback = _assert_no_redirect_to_scheme(responses)
    assert "Redirecting to app..." in callback.text()
    # The page stays put (the browser has no app for the scheme) and shows the same target.
    expect(page.locator("h1")).to_have_text("Redirecting to app...")
    expect(page.locator("#open-app")).to_have_attribute("href", target)
    shoot(page, "40-mobile-redirecting-to-app")

    # What the app does next: exchange the completion code with its JWT.
    status = api.call(
        "POST", "/api/amo-crm/exchange-code", token, json={"code": code, "state": auth["state"]}
    )
    assert status["connected"] is True
    assert api.status(token)["connected"] is True
    api.call("POST", "/api/amo-crm/disconnect", token)
    context.close()


def test_without_javascript_the_fallback_link_points_to_the_deep_link(
    browser: Browser,
    server: Server,
    api: Api,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    token, _, _ = new_user("nojs")
    auth = _mobile_auth_url(api, token)
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    responses = _record_responses(page)
    attempts: list[str] = []
    page.on("request", lambda r: attempts.append(r.url) if r.url.startswith(SCHEME) else None)
    page.goto(auth["url"])
    amo_consent_sign_in(page)  # the sandbox forms are plain HTML
    with page.expect_response(lambda r: "/api/amo-crm/callback?" in r.url):
        page.click("#allow")
    page.wait_for_load_state()

    _assert_no_redirect_to_scheme(responses)
    expect(page.locator("h1")).to_have_text("Redirecting to app...")
    link = page.locator("#open-app")
    expect(link).to_be_visible()
    target = link.get_attribute("href") or ""
    _check_target(target, auth["state"])
    assert attempts == [], "without JavaScript nothing navigates by itself"
    shoot(page, "41-mobile-no-javascript-link")

    # The link is what the script would have opened: the page's script navigates to its href.
    with page.expect_request(lambda r: r.url.startswith(SCHEME)) as tapped:
        link.click(no_wait_after=True)
    assert tapped.value.url == target
    context.close()
