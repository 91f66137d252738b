"""Rate limit (429 then 403) and injected faults (500, timeout, latency, rotate-then-drop)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from .conftest import ADMIN, AMO, KOMMO, KOMMO_ADMIN, Amo

TOO_MANY = {
    "title": "Too Many Requests",
    "type": "https://httpstatus.es/429",
    "status": 429,
    "detail": "You have sent too many requests in a given amount of time. Please try again later.",
    "retry_after": 1,
}


@pytest.fixture
def sb_overrides() -> dict[str, Any]:
    return {"block_after_violations": 4, "block_seconds": 600}


async def test_429_above_the_rate_then_403_after_repeated_violations(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    kommo = await amo.login(KOMMO_ADMIN)
    await amo.control("PATCH", f"/accounts/{AMO}", json={"rateLimitRps": 3})
    await amo.control("POST", "/clock", json={"seconds": 1.5})  # the token exchange counted too
    statuses = [(await amo.get(tokens, "/api/v4/account")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = await amo.get(tokens, "/api/v4/account")
    assert limited.status_code == 429
    assert limited.json() == TOO_MANY
    # The fourth violation blocks the account: every request, token endpoint included, is 403.
    blocked = await amo.get(tokens, "/api/v4/account")
    assert blocked.status_code == 403
    assert blocked.json()["status"] == 403
    refresh = await amo.token(AMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert refresh.status_code == 403
    # Even after waiting out the one-second window.
    await amo.control("POST", "/clock", json={"seconds": 2})
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 403
    # Other accounts are not affected.
    assert (await amo.get(kommo, "/api/v4/account")).status_code == 200
    # The block ends after block_seconds.
    await amo.control("POST", "/clock", json={"seconds": 600})
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 200


async def test_backing_off_for_retry_after_gets_through(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("PATCH", f"/accounts/{AMO}", json={"rateLimitRps": 2})
    await amo.control("POST", "/clock", json={"seconds": 1.5})
    codes = [(await amo.get(tokens, "/api/v4/account")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    await amo.control("POST", "/clock", json={"seconds": 1.01})
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 200


async def test_reset_lifts_a_block(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("PATCH", f"/accounts/{AMO}", json={"rateLimitRps": 1})
    for _ in range(6):
        await amo.get(tokens, "/api/v4/account")
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 403
    unblocked = await amo.control("POST", f"/accounts/{AMO}/unblock")
    assert unblocked.status_code == 200
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 200


async def test_default_limit_is_seven_per_second() -> None:
    from foryou_crm.sandbox import SandboxConfig

    config = SandboxConfig()
    assert config.rate_limit_rps == 7.0
    assert config.webhook_retry_delays == [300, 900, 900, 3600]
    assert config.code_ttl == 1200 and config.access_ttl == 86400
    assert config.refresh_ttl == 90 * 86400


# --- faults ----------------------------------------------------------------------------


async def test_500_for_the_next_n_requests_of_an_endpoint(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    injected = await amo.control(
        "POST", "/faults", json={"endpoint": "leads", "kind": "500", "count": 2}
    )
    assert injected.status_code == 201
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 200  # other endpoint
    assert (await amo.get(tokens, "/api/v4/leads")).status_code == 500
    assert (await amo.get(tokens, "/api/v4/leads")).status_code == 500
    assert (await amo.get(tokens, "/api/v4/leads")).status_code == 200
    assert (await amo.control("GET", "/faults")).json() == {"faults": []}


async def test_fault_limited_to_one_account(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    kommo = await amo.login(KOMMO_ADMIN)
    await amo.control(
        "POST", "/faults", json={"endpoint": "account", "kind": "500", "account": KOMMO}
    )
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 200
    assert (await amo.get(kommo, "/api/v4/account")).status_code == 500


async def test_timeout_hangs_until_the_client_gives_up(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("DELETE", "/requests")
    await amo.control("POST", "/faults", json={"endpoint": "pipelines", "kind": "timeout"})
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(amo.get(tokens, "/api/v4/leads/pipelines"), 0.3)
    log = (await amo.control("GET", "/requests")).json()
    assert log["byEndpoint"] == {"pipelines": 1}
    assert log["entries"][0]["status"] == 499
    assert (await amo.get(tokens, "/api/v4/leads/pipelines")).status_code == 200


async def test_short_timeout_answers_504(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    amo.sandbox.inject_fault("users", "timeout", seconds=0.05)
    assert (await amo.get(tokens, "/api/v4/users")).status_code == 504


async def test_latency_delays_but_answers(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("POST", "/faults", json={"endpoint": "lead", "kind": "latency", "ms": 200})
    lead_id = (await amo.leads(tokens))[0]["id"]
    started = time.monotonic()
    response = await amo.get(tokens, f"/api/v4/leads/{lead_id}")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.2


async def test_rotate_then_drop_on_amocrm_loses_the_connection(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("POST", "/faults", json={"endpoint": "token", "kind": "rotate_then_drop"})
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(
            amo.token(AMO, grant_type="refresh_token", refresh_token=tokens.refresh_token), 0.3
        )
    # The rotation happened server-side: amoCRM's strict single use kills the old token.
    retry = await amo.token(AMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert retry.status_code == 401
    assert retry.json()["hint"] == "Token has been revoked"


async def test_rotate_then_drop_on_kommo_is_recoverable_with_the_old_token(amo: Amo) -> None:
    tokens = await amo.login(KOMMO_ADMIN)
    amo.sandbox.inject_fault("token", "rotate_then_drop", seconds=0.05)
    dropped = await amo.token(KOMMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert dropped.status_code == 504
    retry = await amo.token(KOMMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert retry.status_code == 200, retry.text


async def test_bad_fault_requests_are_refused(amo: Amo) -> None:
    for body in (
        {"endpoint": "nope", "kind": "500"},
        {"endpoint": "leads", "kind": "explode"},
        {"endpoint": "leads", "kind": "rotate_then_drop"},
    ):
        response = await amo.control("POST", "/faults", json=body)
        assert response.status_code == 400, body


# --- violations decay ------------------------------------------------------------------


async def _burst(amo: Amo, tokens: Any, n: int) -> list[int]:
    return [(await amo.get(tokens, "/api/v4/account")).status_code for _ in range(n)]


async def test_an_occasional_burst_never_ends_in_a_block(amo: Amo) -> None:
    """A compliant client that overshoots now and then: one 429 every four minutes for
    three hours (45 violations in all, more than 4 × the block threshold) — never 403."""
    tokens = await amo.login(ADMIN)
    await amo.control("PATCH", f"/accounts/{AMO}", json={"rateLimitRps": 2})
    seen: list[int] = []
    for _ in range(45):
        await amo.control("POST", "/clock", json={"seconds": 240})
        seen += await _burst(amo, tokens, 3)  # two pass, the third is refused
    assert seen.count(429) == 45
    assert 403 not in seen
    state = (await amo.control("GET", f"/accounts/{AMO}")).json()["limiter"]
    assert state["blockedUntil"] is None and state["violations"] <= 3


async def test_old_violations_stop_counting(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("PATCH", f"/accounts/{AMO}", json={"rateLimitRps": 1})
    await amo.control("POST", "/clock", json={"seconds": 2})
    assert await _burst(amo, tokens, 4) == [200, 429, 429, 429]  # three violations
    await amo.control("POST", "/clock", json={"seconds": 601})  # the window (600 s) passes
    assert await _burst(amo, tokens, 4) == [200, 429, 429, 429]  # three again: no block
    assert await _burst(amo, tokens, 1) == [403]  # the fourth within the window blocks


async def test_a_client_that_keeps_violating_is_still_blocked(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("PATCH", f"/accounts/{AMO}", json={"rateLimitRps": 2})
    seen: list[int] = []
    for _ in range(10):
        await amo.control("POST", "/clock", json={"seconds": 1})
        seen += await _burst(amo, tokens, 4)
    assert seen[-1] == 403
    blocked = seen.index(403)
    assert seen[:blocked].count(429) == 3  # the fourth violation within the window blocks
    until = (await amo.control("GET", f"/accounts/{AMO}")).json()["limiter"]["blockedUntil"]
    now = (await amo.control("GET", "/clock")).json()["now"]
    await amo.control("POST", "/clock", json={"seconds": until - now - 1})
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 403
    await amo.control("POST", "/clock", json={"seconds": 2})
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 200


# --- faults on the newer endpoints ------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint,method,path,body",
    [
        ("companies", "GET", "/api/v4/companies", None),
        ("custom_fields", "GET", "/api/v4/contacts/custom_fields", None),
        ("notes", "GET", "/api/v4/leads/notes", None),
        ("tasks", "GET", "/api/v4/tasks", None),
        ("events", "GET", "/api/v4/events", None),
        ("links", "GET", "/api/v4/leads/links?filter[entity_id][]=1", None),
        ("complex", "POST", "/api/v4/leads/complex", [{"name": "x"}]),
    ],
)
async def test_faults_on_new_endpoints(
    amo: Amo, endpoint: str, method: str, path: str, body: Any
) -> None:
    tokens = await amo.login(ADMIN)
    injected = await amo.control("POST", "/faults", json={"endpoint": endpoint, "kind": "500"})
    assert injected.status_code == 201, injected.text
    url = f"/accounts/{AMO}{path}"
    first = await amo.http.request(method, url, headers=tokens.headers, json=body)
    assert first.status_code == 500
    second = await amo.http.request(method, url, headers=tokens.headers, json=body)
    assert second.status_code in (200, 204)
    assert (await amo.control("GET", "/requests")).json()["byEndpoint"][endpoint] == 2


async def test_fault_by_path_pattern(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    lead = (await amo.leads(tokens))[0]["id"]
    await amo.control(
        "POST", "/faults", json={"path": "/api/v4/leads/*/notes", "kind": "500", "count": 2}
    )
    assert (await amo.get(tokens, "/api/v4/leads/notes")).status_code == 200  # not the pattern
    assert (await amo.get(tokens, f"/api/v4/leads/{lead}/notes")).status_code == 500
    assert (await amo.get(tokens, f"/api/v4/leads/{lead}/notes/")).status_code == 500
    assert (await amo.get(tokens, f"/api/v4/leads/{lead}/notes")).status_code == 200
    both = await amo.control(
        "POST", "/faults", json={"path": "/x", "endpoint": "leads", "kind": "500"}
    )
    assert both.status_code == 400
    relative = await amo.control("POST", "/faults", json={"path": "api/*", "kind": "500"})
    assert relative.status_code == 400
