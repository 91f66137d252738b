"""The screen itself, served by the real server: headers, languages, expired sessions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Route, expect

from tests.e2e.conftest import Console, Server, new_context, shoot, sign_in

pytestmark = pytest.mark.e2e

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def test_shell_and_assets_are_served_with_strict_headers(server: Server) -> None:
    for path in ("/app", "/app/amo-crm/callback?code=x&state=y"):
        response = httpx.get(server.url(path))
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == CSP
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["referrer-policy"] == "no-referrer"
    english = httpx.get(server.url("/app"), headers={"Accept-Language": "en-GB,en;q=0.9,uk;q=0.5"})
    assert '<html lang="en">' in english.text
    assert (
        '<html lang="uk">' in httpx.get(server.url("/app"), headers={"Accept-Language": "de"}).text
    )
    script = httpx.get(server.url("/app/static/js/main.js"))
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["x-content-type-options"] == "nosniff"
    revalidated = httpx.get(
        server.url("/app/static/js/main.js"), headers={"If-None-Match": script.headers["etag"]}
    )
    assert revalidated.status_code == 304
    for bad in (
        "/app/static/%2e%2e/router.py",
        "/app/static/..%2Frouter.py",
        "/app/static/nope.js",
    ):
        assert httpx.get(server.url(bad)).status_code == 404, bad


def test_the_root_redirects_to_the_screen(browser: Browser, server: Server) -> None:
    for method in ("GET", "HEAD"):
        response = httpx.request(method, server.url("/"), follow_redirects=False)
        assert response.status_code == 307, method
        assert response.headers["location"] == "/app"  # relative: right behind any proxy
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url("/"))
    expect(page).to_have_url(server.url("/app"))
    expect(page.locator("#login-form")).to_be_visible()
    context.close()


def test_the_demo_credentials_never_land_in_a_field_someone_is_in(
    browser: Browser, server: Server
) -> None:
    """The demo fills its user in once /api/meta answers. Someone who is in the e-mail field by
    then types their own: a fill arriving between their select-all and their typing would
    have joined the two (seen in CI under load as «demo@…agent@…»)."""
    context = new_context(browser)
    page = context.new_page()
    held: list[Route] = []
    page.route("**/api/meta", lambda route: held.append(route))  # held until we let it go
    page.goto(server.url("/app"))
    # Not wait_for_function: a string predicate is evaluated, which the page's CSP
    # (script-src 'self') refuses whenever Playwright has to poll for it.
    page.locator("#login-email").wait_for(state="attached")
    page.focus("#login-email")
    for _ in range(100):  # Playwright hands the request over between its calls
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the screen asks for /api/meta"
    held[0].continue_()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#login-email")).to_have_value("")
    expect(page.locator("#login-demo-hint")).to_be_hidden()
    page.keyboard.type("agent@foryou.example")
    expect(page.locator("#login-email")).to_have_value("agent@foryou.example")
    context.close()


def test_english_from_the_browser_language_and_switch_back(
    browser: Browser,
    server: Server,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    _, user, password = new_user("english")
    context = new_context(browser, locale="en-US")
    page = context.new_page()
    console = Console()
    console.attach(page)
    page.goto(server.url("/app"))
    expect(page.locator("#login-submit")).to_have_text("Sign in")
    sign_in(page, user["email"], password)
    expect(page.locator("#amo-status")).to_have_text("Not connected")
    expect(page.locator("#connect-amo")).to_have_text("Connect AMO CRM")
    shoot(page, "50-english")

    page.select_option("#lang-switch", "uk")
    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    expect(page.locator("#connect-amo")).to_have_text("Підключити AMO CRM")
    assert page.evaluate("document.documentElement.lang") == "uk"
    page.reload()  # the choice is remembered
    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    assert console.errors() == []
    context.close()


def test_expired_session_goes_back_to_sign_in_with_a_message(
    browser: Browser,
    server: Server,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    _, user, password = new_user("expired")
    context = new_context(browser)
    page = context.new_page()
    page.goto(server.url("/app"))
    sign_in(page, user["email"], password)
    expect(page.locator("#amo-status")).to_have_text("Не підключено")

    # The service no longer accepts the token (expired, revoked…): any call answers 401.
    page.evaluate("sessionStorage.setItem('foryou.jwt', 'not-a-valid-jwt')")
    page.reload()
    expect(page.locator("#login-message")).to_have_text("Сеанс завершився. Увійдіть знову.")
    expect(page.locator("#login-form")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('foryou.jwt')") is None
    shoot(page, "51-session-expired")

    sign_in(page, user["email"], password)
    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    context.close()


def test_keyboard_only_sign_in_and_visible_focus(
    browser: Browser,
    server: Server,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
) -> None:
    _, user, password = new_user("keyboard")
    context = new_context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server.url("/app"))
    page.locator("#login-email").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(user["email"])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "login-password"
    page.keyboard.press("Control+A")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.locator("#amo-status")).to_have_text("Не підключено")

    # The connect button is reachable with Tab and shows a visible focus ring.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "connect-amo":
            break
    assert page.evaluate("document.activeElement.id") == "connect-amo"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    shoot(page, "52-keyboard-focus")
    context.close()
