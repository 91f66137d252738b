"""The checklist's "what to check in the logs", and that no secret reaches a log line."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator

import pytest

from foryou_crm.core.logging import configure_logging
from tests.conftest import bearer, register
from tests.support import World


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(json=True, level="INFO", stream=stream)
    yield stream
    configure_logging(json=False, level="WARNING")


async def test_backend_logs_name_the_flow_steps_in_order_and_hold_no_secrets(
    world: World, log_lines: io.StringIO
) -> None:
    token = (await register(world.client, "logs@foryou-agents.com", password="s3cret-pass-word"))[
        "accessToken"
    ]
    started, page, handed = await world.consent_and_callback(token)
    r = await world.exchange(token, handed)
    assert r.status_code == 200
    await world.client.get("/api/amo-crm/status", headers=bearer(token))
    await world.client.post("/api/amo-crm/disconnect", headers=bearer(token))

    records = [json.loads(line) for line in log_lines.getvalue().splitlines() if line.strip()]
    events = [r["event"] for r in records]
    expected = [
        "oauth_flow_started",
        "amocrm_callback_received",
        "amocrm_code_exchanged",
        "amocrm_tokens_saved",
        "redirect_page_rendered",
        "exchange_code_completed",
        "amocrm_disconnected",
    ]
    positions = [events.index(e) for e in expected]
    assert positions == sorted(positions), events
    # A read logs one line, its access line, with what it found and whose it was.
    served = next(
        i
        for i, r in enumerate(records)
        if r["event"] == "http_request" and r["path"] == "/api/amo-crm/status"
    )
    assert records[served]["connected"] is True
    assert isinstance(records[served]["user_id"], int)
    assert positions[-2] < served < positions[-1]
    rendered = next(r for r in records if r["event"] == "redirect_page_rendered")
    assert rendered["target_scheme"] == "foryoure"
    saved = next(r for r in records if r["event"] == "amocrm_tokens_saved")
    assert saved["account_id"] == 31920194
    assert all("request_id" in r for r in records if r["event"] != "user_created")

    text = log_lines.getvalue()
    secrets_seen = [
        token,
        handed["code"],
        handed["state"],
        started["state"],
        "s3cret-pass-word",
        "test-client-secret",
    ]
    for secret in secrets_seen:
        assert secret not in text
    assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.", text)  # no JWT (ours or amoCRM's)
    assert page.status_code == 200


def test_redaction_masks_sensitive_keys_and_values(log_lines: io.StringIO) -> None:
    import structlog

    log = structlog.get_logger("t")
    log.info(
        "probe",
        authorization="Bearer abc.def.ghi",
        refresh_token="rt-value",
        note="see https://x/cb?code=AUTHCODE&state=STATEVAL and Bearer tok-123",
        nested={"client_secret": "cs", "ok": "visible"},
    )
    line = log_lines.getvalue()
    for secret in ("abc.def.ghi", "rt-value", "AUTHCODE", "STATEVAL", "tok-123", '"cs"'):
        assert secret not in line
    assert "visible" in line


@pytest.mark.parametrize(
    "value",
    [
        "/cb?Code=AUTHCODE",
        "/cb?x=1&STATE=AUTHCODE",
        "/cb?x=1&\u017ftate=AUTHCODE",  # LATIN SMALL LONG S: the patterns' IGNORECASE folds it
        "/t?access_token=AUTHCODE&limit=5",
        "/t?Refresh_Token=AUTHCODE",
        "/t?client_secret=AUTHCODE",
        "/t?Password=AUTHCODE",
        "/t?token=AUTHCODE",
        "header: BEARER AUTHCODE",
        "/x?limit=50 eyJhbGciOi.AUTHCODE0.sig",
    ],
)
def test_every_secret_shape_is_masked_in_any_case(value: str, log_lines: io.StringIO) -> None:
    import structlog

    structlog.get_logger("t").info("probe", path=value)
    assert "AUTHCODE" not in log_lines.getvalue()


def test_a_query_string_without_a_secret_is_logged_as_it_is(log_lines: io.StringIO) -> None:
    import structlog

    path = "/api/amo-crm/leads?limit=50&query=%D0%BF&sort=-price&page=2"
    structlog.get_logger("t").info("probe", path=path)
    assert path in log_lines.getvalue()
