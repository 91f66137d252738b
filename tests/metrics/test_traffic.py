"""/metrics after real traffic: the app in-process, the amoCRM sandbox behind it, faults
injected through the sandbox's own control API. Every count is a difference between two
scrapes, so what other tests recorded in this process does not matter."""

from __future__ import annotations

import pytest

from tests.conftest import bearer
from tests.leads.conftest import HOST, connect, status
from tests.metrics.conftest import Scrape, scrape
from tests.support import World

EMAIL = "metrics-agent@foryou-agents.com"
DAY = 86_400
AMO = "foryou_amocrm_requests_total"
HTTP = "foryou_http_request_duration_seconds_count"
PHASES = "foryou_sync_phase_duration_seconds_count"


async def _sync_now(world: World, token: str) -> None:
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202, r.text
    await world.services.queue.run_until_idle()


def _delta(before: Scrape, after: Scrape, name: str, **labels: str) -> float:
    return after.total(name, **labels) - before.total(name, **labels)


@pytest.mark.parametrize(
    "sandbox_config_overrides", [{"block_after_violations": 2, "retry_after": 0}]
)
async def test_real_traffic_is_counted_by_route_endpoint_and_outcome(world: World) -> None:
    before = await scrape(world.client)
    world.sb.log.clear()
    token = await connect(world, EMAIL)  # sign-up, consent, callback, exchange, first full sync

    # amoCRM answers one leads request with a 500, the next one not at all: the sync goes on.
    await world.sandbox.post("/_sandbox/faults", json={"endpoint": "leads", "kind": "500"})
    await world.sandbox.post(
        "/_sandbox/faults", json={"endpoint": "leads", "kind": "timeout", "seconds": 5}
    )
    await _sync_now(world, token)
    # A day passes at amoCRM only: it refuses the access token we still hold (401), we refresh.
    await world.sandbox.post("/_sandbox/clock", json={"seconds": DAY + 60})
    await _sync_now(world, token)
    assert (await status(world, token))["sync"]["state"] == "idle"
    # amoCRM now refuses every request (429) and blocks the API at the second excess (403).
    r = await world.sandbox.patch(f"/_sandbox/accounts/{HOST}", json={"rateLimitRps": 0})
    assert r.status_code == 200, r.text
    await _sync_now(world, token)
    st = await status(world, token)
    assert st["sync"]["state"] == "failed"
    after = await scrape(world.client)

    def delta(name: str, **labels: str) -> float:
        return _delta(before, after, name, **labels)

    # amoCRM calls by endpoint and outcome.
    assert delta(AMO, endpoint="leads", outcome="5xx") == 1
    assert delta(AMO, endpoint="leads", outcome="timeout") == 1
    assert delta(AMO, outcome="401") == 1
    assert delta(AMO, outcome="429") == 1
    assert delta(AMO, outcome="403") == 1
    assert delta(AMO, endpoint="token", outcome="2xx") == 2  # the code, then one refresh
    assert delta(AMO, endpoint="account", outcome="2xx") >= 1
    assert delta(AMO, endpoint="pipelines", outcome="2xx") >= 1
    # Every request the sandbox received from us was counted once, and each waited its turn
    # in the rate budget once.
    sent = [e for e in world.sb.log.as_json()["entries"] if e["endpoint"] != "consent"]
    assert delta(AMO) == len(sent)
    assert delta("foryou_amocrm_rate_budget_wait_seconds_count", budget="memory") == len(sent)
    assert after.label_values(AMO, "endpoint") <= {
        "token", "account", "leads", "pipelines", "contacts", "companies", "custom_fields",
        "notes", "tasks", "events", "users", "current_user", "webhooks", "other",
    }  # fmt: skip
    # A lead's details are counted under their own names, as the sandbox names them.
    for endpoint in ("notes", "tasks", "companies", "custom_fields"):
        assert delta(AMO, endpoint=endpoint) == sum(e["endpoint"] == endpoint for e in sent) > 0

    assert delta("foryou_amocrm_token_refreshes_total", outcome="refreshed") == 1
    assert delta("foryou_amocrm_token_refreshes_total") == 1

    # Sync phases by outcome: the first full pass, two incremental ones, one blocked.
    assert delta(PHASES, phase="full", outcome="ok") == 1
    assert delta(PHASES, phase="incremental", outcome="ok") == 2
    assert delta(PHASES, phase="incremental", outcome="blocked") == 1
    assert delta(PHASES) == 4

    # HTTP requests by route template and status.
    assert delta(HTTP, method="POST", route="/api/auth/register", status="201") == 1
    assert delta(HTTP, method="GET", route="/api/amo-crm/callback", status="200") == 1
    assert delta(HTTP, method="POST", route="/api/amo-crm/exchange-code", status="200") == 1
    assert delta(HTTP, method="POST", route="/api/amo-crm/sync", status="202") == 3
    assert delta(HTTP, method="GET", route="/api/amo-crm/status", status="200") == 2

    # Levels from the database.
    assert after.value("foryou_users", state="active") == 1
    assert after.value("foryou_amocrm_connections", state="connected") == 1
    assert after.value("foryou_sync_connections", state="failed") == 1
    assert after.value("foryou_leads_mirrored") == st["sync"]["leads"] > 0
    assert after.value("foryou_sync_success_age_seconds_count") == 1
    assert after.value("foryou_sync_success_age_seconds_bucket", le="+Inf") == 1
    assert after.value("foryou_metrics_database_up") == 1

    # Nothing that identifies a person or opens an account reaches a label.
    assert EMAIL not in after.text and token not in after.text
    assert "@" not in "".join(v for (_n, labels) in after.samples for _k, v in labels)


async def test_paths_count_as_their_route_template_and_unknown_paths_as_one(
    world: World,
) -> None:
    """Secrets and ids in paths never become label values; scanners make no new series."""
    before = await scrape(world.client)
    for secret in ("a" * 64, "b" * 64):
        r = await world.client.post(f"/api/amo-crm/webhooks/leads/{secret}", content=b"")
        assert r.status_code == 404
    for path in ("/wp-login.php", "/.env", "/api/../../etc/passwd"):
        await world.client.get(path)
    r = await world.client.get("/docs/assets/swagger-ui.css")
    assert r.status_code == 200
    after = await scrape(world.client)

    template = "/api/amo-crm/webhooks/leads/{secret}"
    assert _delta(before, after, HTTP, method="POST", route=template, status="404") == 2
    assert _delta(before, after, HTTP, method="GET", route="(unmatched)", status="404") == 3
    assert _delta(before, after, HTTP, method="GET", route="/docs/assets/{path}") == 1
    assert "a" * 64 not in after.text and "wp-login" not in after.text
    assert "passwd" not in after.text
