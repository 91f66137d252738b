"""The README's screenshots of /app at 375 and 1280 px: not connected, leads, filters open.

Every run saves them to ``var/e2e/`` (not in git); with ``UPDATE_SCREENSHOTS=1`` they also
replace the committed ones in ``docs/screenshots/``:

    UPDATE_SCREENSHOTS=1 .venv/bin/pytest -m e2e tests/e2e/test_screenshots.py

Pixels are not compared (dates in the demo data move with the clock): the screenshots are
pictures for people, and the assertions here are the layout rules of test_phone_layout.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    REPO_ROOT,
    SCREENSHOTS,
    Agent,
    Server,
    new_context,
    open_filters,
    open_signed_in,
    sign_in,
)
from tests.e2e.layout import screen_problems

pytestmark = pytest.mark.e2e

DOCS_SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"


def _picture(page: Page, name: str) -> None:
    """A viewport-sized screenshot: what a person sees without scrolling."""
    assert screen_problems(page) == [], name
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)


def test_screens(
    browser: Browser,
    server: Server,
    connected_agent: Agent,
    new_user: Callable[[str], tuple[str, dict[str, Any], str]],
    viewport: dict[str, int],
) -> None:
    width = viewport["width"]
    context = new_context(browser, viewport=viewport)
    _, user, password = new_user("screens")
    page = context.new_page()
    page.goto(server.url("/app"))
    sign_in(page, user["email"], password)
    expect(page.locator("#amo-status")).to_have_text("Не підключено")
    _picture(page, f"{width}-not-connected")
    page.close()

    page = open_signed_in(context, server, connected_agent)
    _picture(page, f"{width}-leads")
    open_filters(page)
    page.locator("#leads-title").evaluate("title => title.scrollIntoView({ block: 'start' })")
    _picture(page, f"{width}-filters-open")
    context.close()
