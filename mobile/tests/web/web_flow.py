"""The exported web build in Chromium, end to end, against a real `foryou-crm demo`.

sign-in → «Підключити AMO CRM» (auth-session popup, client=web + returnTo) → sandbox sign-in →
«РАЗРЕШИТЬ» → hand-over page → popup back on /amo-crm/callback → opener completes →
«Підключено» reforyou.amocrm.ru / 31920194 → leads (contact names, budgets in the account's
currency; a lead's details and Back; the folded filters, a lead field, sorted by budget, a text
filter) → «Відключити AMO CRM» → «Не підключено», why, «Підключити AMO CRM знову».

The app is served on its own origin (a small SPA server: every unknown path → index.html) and the
backend is started with that origin in FORYOU_CORS_ORIGINS and its /amo-crm/callback in
FORYOU_WEB_RETURN_TO_ALLOWLIST. Run: `npm run test:web` (uses ../.venv's Python + Playwright and
Debian's /usr/bin/chromium). Screenshots go to mobile/dist-e2e/.
"""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

MOBILE = Path(__file__).resolve().parents[2]
REPO = MOBILE.parent
CLI = REPO / ".venv" / "bin" / "foryou-crm"
CHROMIUM = "/usr/bin/chromium"
SHOTS = MOBILE / "dist-e2e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Spa(http.server.SimpleHTTPRequestHandler):
    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.path = "/index.html"
        return super().send_head()

    def log_message(self, *args: object) -> None:
        pass


def wait_http(url: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"{url} did not answer")


BUDGETS_DESCENDING = """() => {
  const budgets = [...document.querySelectorAll('[data-testid^="lead-price-"]')]
    .map((el) => Number(el.textContent.replace(/\\D/g, '')));
  return budgets.length > 1 && budgets.every((v, i) => i === 0 || budgets[i - 1] >= v)
    && budgets[0] > budgets[budgets.length - 1];
}"""


def flow(page: Page, app: str, logs: list[str], passed: list[str]) -> None:

    page.goto(app + "/")
    page.get_by_test_id("sign-in-email").fill("demo@foryou-realestate.com")
    page.get_by_test_id("sign-in-password").fill("demo-password")
    page.get_by_test_id("sign-in-submit").click()
    expect(page.get_by_test_id("status-label")).to_have_text("Не підключено", timeout=20000)
    page.screenshot(path=str(SHOTS / "1-not-connected.png"))
    passed.append("sign-in → «Не підключено»")

    with page.expect_popup() as popup_info:
        page.get_by_text("Підключити AMO CRM").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    assert "client_id=" in popup.url and "state=" in popup.url, popup.url
    popup.fill("#login", "amo-admin@reforyou.example")
    popup.fill("#password", "amo-password")
    popup.click("#sign-in")
    popup.wait_for_selector("#allow", timeout=20000)
    popup.screenshot(path=str(SHOTS / "2-consent.png"))
    popup.click("#allow")
    passed.append("consent in the popup («РАЗРЕШИТЬ»)")

    expect(page.get_by_test_id("status-label")).to_have_text("Підключено", timeout=30000)
    expect(page.get_by_test_id("status-domain")).to_contain_text("reforyou.amocrm.ru")
    expect(page.get_by_test_id("status-account")).to_contain_text("31920194")
    for line in ("deep link callback received", "exchange-code called", "status updated"):
        assert any(line in entry for entry in logs), f"missing log: {line}"
    passed.append("hand-over → exchange-code → «Підключено» reforyou.amocrm.ru / 31920194")

    rows = page.locator('[data-testid^="lead-row-"]')
    expect(rows.first).to_be_visible(timeout=60000)
    assert any("leads loaded" in entry for entry in logs), "missing log: leads loaded"
    expect(page.locator('[data-testid^="lead-contact-"]').first).to_contain_text(
        "Контакт: ", timeout=30000
    )
    expect(page.locator('[data-testid^="lead-price-"]').first).to_contain_text("USD")
    passed.append("lead rows name the main contact and the budget in the account's currency")

    # A lead, whole: a tap opens /lead/{id} (contacts to call or write to, tasks, fields,
    # notes); Back returns to the list.
    with_contact = page.locator('[data-testid^="lead-row-"]:has([data-testid^="lead-contact-"])')
    chosen = with_contact.first
    lead_id = (chosen.get_attribute("data-testid") or "").removeprefix("lead-row-")
    chosen.click()
    expect(page.get_by_test_id("lead-head")).to_be_visible(timeout=20000)
    assert page.url.endswith(f"/lead/{lead_id}"), page.url
    expect(page.locator('[data-testid^="call-"], [data-testid^="write-"]').first).to_be_visible()
    for section in ("lead-contacts", "lead-tasks", "lead-fields", "lead-notes"):
        expect(page.get_by_test_id(section)).to_be_visible()
    page.screenshot(path=str(SHOTS / "3-lead.png"), full_page=True)
    page.go_back()
    expect(page.get_by_test_id(f"lead-row-{lead_id}")).to_be_visible(timeout=20000)
    passed.append("a lead's details (tap to call, to write) and Back to the list")

    page.get_by_test_id("filters-toggle").click()
    for field in ("filter-tag", "filter-created-from", "filter-updated-to", "filter-price-to"):
        expect(page.get_by_test_id(field)).to_be_visible()
    page.screenshot(path=str(SHOTS / "3-filters-open.png"))
    # A lead field (GET /custom-fields) narrows the list; «Скинути фільтри» takes it back.
    all_total = page.get_by_test_id("leads-total").inner_text()
    chip_id = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid^="filter-cf-"]')]
            .map((el) => el.dataset.testid).find((id) => /^filter-cf-\\d+-\\d+$/.test(id))"""
    )
    page.get_by_test_id(chip_id).click()
    page.get_by_test_id("filters-apply").click()
    expect(page.get_by_test_id("leads-total")).not_to_have_text(all_total, timeout=20000)
    page.get_by_test_id("filters-toggle").click()
    expect(page.get_by_test_id("filters-toggle")).to_contain_text("(1)")
    passed.append(f"a lead-field filter ({chip_id}) narrows the list")
    page.get_by_test_id("filters-reset").click()
    expect(page.get_by_test_id("leads-total")).to_have_text(all_total, timeout=20000)

    page.get_by_test_id("sort-toggle").click()
    page.screenshot(path=str(SHOTS / "3-sort-open.png"))
    page.get_by_test_id("sort-option--price").click()
    expect(page.get_by_test_id("sort-current")).to_contain_text("Бюджет: більший спочатку")
    # The rows (budgets as the app prints them, digits grouped) are re-read until the new order
    # arrived; a default order that happened to be by budget would need 25 leads in that order.
    page.wait_for_function(BUDGETS_DESCENDING, timeout=20000)
    page.screenshot(path=str(SHOTS / "3-sorted.png"), full_page=True)
    passed.append("sort «Бюджет: більший спочатку» orders the rows by budget")

    total_text = page.get_by_test_id("leads-total").inner_text()
    first_name = rows.first.locator("div").first.inner_text().split("\n")[0]
    page.screenshot(path=str(SHOTS / "3-leads.png"), full_page=True)
    page.get_by_test_id("filter-query").fill(first_name)
    page.get_by_test_id("filters-apply").click()
    expect(page.get_by_test_id("leads-total")).not_to_have_text(total_text, timeout=20000)
    expect(rows.first).to_contain_text(first_name)
    page.screenshot(path=str(SHOTS / "4-filtered.png"), full_page=True)
    passed.append(f"leads listed ({total_text}) and a text filter narrows them")

    page.get_by_text("Відключити AMO CRM").click()
    expect(page.get_by_test_id("disconnect-confirm")).to_contain_text("Відключити AMO CRM?")
    page.get_by_test_id("disconnect-confirm-yes").click()
    expect(page.get_by_test_id("status-label")).to_have_text("Не підключено", timeout=20000)
    # The server's answer says why and when; the app says it in the glossary's words.
    expect(page.get_by_test_id("status-ended")).to_contain_text(
        "Ви відключили AMO CRM (reforyou.amocrm.ru)"
    )
    expect(page.get_by_test_id("connect-button")).to_have_text("Підключити AMO CRM знову")
    page.screenshot(path=str(SHOTS / "5-disconnected.png"))
    passed.append("disconnect → «Не підключено», why, and «Підключити AMO CRM знову»")


def main() -> int:
    if not CLI.exists():
        print(f"{CLI} is missing: install the backend (repo root: make demo)", file=sys.stderr)
        return 2
    SHOTS.mkdir(exist_ok=True)
    api_port, app_port = free_port(), free_port()
    api, app = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{app_port}"

    with tempfile.TemporaryDirectory() as tmp:
        dist = Path(tmp) / "dist"
        print(f"exporting the web build (EXPO_PUBLIC_API_BASE_URL={api})", flush=True)
        subprocess.run(
            ["npx", "expo", "export", "--platform", "web", "--clear", "--output-dir", str(dist)],
            cwd=MOBILE,
            env={**os.environ, "EXPO_PUBLIC_API_BASE_URL": api, "CI": "1"},
            check=True,
            stdout=subprocess.DEVNULL,
        )
        server_log = open(Path(tmp) / "server.log", "w")
        backend = subprocess.Popen(
            [str(CLI), "demo", "--host", "127.0.0.1", "--port", str(api_port)],
            env={
                **os.environ,
                "FORYOU_DATA_DIR": str(Path(tmp) / "data"),
                "FORYOU_PUBLIC_BASE_URL": api,
                "FORYOU_CORS_ORIGINS": app,
                "FORYOU_WEB_RETURN_TO_ALLOWLIST": f"{app}/amo-crm/callback",
            },
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        spa = http.server.ThreadingHTTPServer(
            ("127.0.0.1", app_port), functools.partial(Spa, directory=str(dist))
        )
        threading.Thread(target=spa.serve_forever, daemon=True).start()
        passed: list[str] = []
        failed = 0
        logs: list[str] = []
        try:
            wait_http(api + "/healthz")
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                context = browser.new_context(viewport={"width": 420, "height": 900})
                context.on("console", lambda m: logs.append(f"{m.type}: {m.text}"))
                page = context.new_page()
                page.on("pageerror", lambda e: logs.append(f"pageerror: {e}"))
                try:
                    flow(page, app, logs, passed)
                except Exception:
                    failed = 1
                    traceback.print_exc()
                    page.screenshot(path=str(SHOTS / "failure.png"), full_page=True)
                    print("\n".join(logs[-30:]))
                    server_log.flush()
                    print((Path(tmp) / "server.log").read_text()[-3000:])
                browser.close()
        finally:
            spa.shutdown()
            backend.terminate()
            try:
                backend.wait(10)
            except subprocess.TimeoutExpired:
                backend.kill()
            server_log.close()
    errors = [entry for entry in logs if entry.startswith("pageerror")]
    for step in passed:
        print(f"ok - {step}")
    if errors:
        print("page errors:", *errors, sep="\n  ")
        failed = 1
    print(f"{len(passed)} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
