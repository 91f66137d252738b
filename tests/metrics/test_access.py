"""Who may read /metrics (FORYOU_METRICS_ENABLED, FORYOU_METRICS_TOKEN), and what it says when
the database cannot be read."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from foryou_crm.core.clock import Clock
from foryou_crm.core.config import ConfigurationError, Settings, validate_for_production
from tests.conftest import bearer, serve
from tests.metrics.conftest import Scrape

METRICS_TOKEN = "m3tr1cs-t0ken-for-prometheus-7f2a9c"
PRODUCTION = {
    "environment": "production",
    "public_base_url": "https://crm.foryou-realestate.example.org",
    "amocrm_sandbox_url": None,
    "jwt_secret": "j" * 48,
    "token_encryption_keys": "k1:" + base64.b64encode(b"\x07" * 32).decode(),
    "amocrm_client_id": "3f9c0a7e-5b1d-4c2e-8a6f-0d9e8c7b6a51",
    "amocrm_client_secret": "a-real-looking-client-secret-1234",
    "amocrm_webhook_secret": "a-real-looking-webhook-secret-5678",
}


async def test_development_serves_metrics_to_anyone(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    async with serve(settings_factory(), clock) as client:
        r = await client.get("/metrics")
    assert r.status_code == 200
    assert Scrape.parse(r.text).value("foryou_metrics_database_up") == 1


async def test_a_token_is_required_once_set(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    async with serve(settings_factory(metrics_token=METRICS_TOKEN), clock) as client:
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers=bearer(METRICS_TOKEN + "x"))
        right = await client.get("/metrics", headers=bearer(METRICS_TOKEN))
    for refused in (missing, wrong):
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "UNAUTHORIZED"
    assert right.status_code == 200
    assert "foryou_users" in right.text


async def test_production_serves_metrics_only_with_a_token(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    async with serve(settings_factory(**PRODUCTION), clock) as client:
        hidden = await client.get("/metrics")
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "NOT_FOUND"
    async with serve(settings_factory(**PRODUCTION, metrics_token=METRICS_TOKEN), clock) as client:
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics", headers=bearer(METRICS_TOKEN))).status_code == 200


@pytest.mark.parametrize("weak", ["short-token", "change-me-change-me-change-me"])
def test_production_refuses_a_weak_metrics_token(
    settings_factory: Callable[..., Settings], weak: str
) -> None:
    with pytest.raises(ConfigurationError, match="FORYOU_METRICS_TOKEN"):
        validate_for_production(settings_factory(**PRODUCTION, metrics_token=weak))


async def test_metrics_can_be_turned_off(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    async with serve(settings_factory(metrics_enabled=False), clock) as client:
        r = await client.get("/metrics")
    assert r.status_code == 404


async def test_an_unreachable_database_still_answers_the_process_metrics(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    # Nothing listens on port 9: the database part of the scrape fails, the rest is served.
    unreachable = "postgresql+asyncpg://postgres@127.0.0.1:9/nothing"
    async with serve(settings_factory(database_url=unreachable), clock) as client:
        await client.get("/healthz")
        r = await client.get("/metrics")
    assert r.status_code == 200
    page = Scrape.parse(r.text)
    assert page.value("foryou_metrics_database_up") == 0
    assert page.total("foryou_http_request_duration_seconds_count", route="/healthz") >= 1
    assert "foryou_users" not in r.text
