"""Webhooks (subscription API, v2 form payloads, retries) and the uninstall hook."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
from typing import Any
from urllib.parse import parse_qsl

import pytest

from .conftest import (
    ADMIN,
    AGENT,
    AMO,
    CLIENT_ID,
    CLIENT_SECRET,
    HOOK_URL,
    Amo,
    Receiver,
    Tokens,
)

DESTINATION = "https://crm.example/hooks/amo?token=s3cret"
ALL_EVENTS = ["add_lead", "update_lead", "status_lead", "delete_lead", "responsible_lead"]


def form(body: str) -> dict[str, str]:
    return dict(parse_qsl(body, keep_blank_values=True))


async def subscribe(amo: Amo, tokens: Tokens, settings: list[str] | None = None) -> Any:
    response = await amo.http.post(
        f"/accounts/{AMO}/api/v4/webhooks",
        headers=tokens.headers,
        json={"destination": DESTINATION, "settings": settings or ALL_EVENTS, "sort": 10},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def settle(amo: Amo) -> None:
    await asyncio.wait_for(amo.sandbox.drain_webhooks(), 5)


async def test_subscription_api_is_admin_only_and_documented(amo: Amo) -> None:
    admin = await amo.login(ADMIN)
    agent = await amo.login(AGENT)
    hook = await subscribe(amo, admin)
    assert set(hook) == {
        "id", "destination", "created_at", "updated_at", "account_id", "created_by", "sort",
        "disabled", "settings",
    }  # fmt: skip
    assert hook["account_id"] == 31920194 and hook["disabled"] is False
    denied = await amo.http.post(
        f"/accounts/{AMO}/api/v4/webhooks",
        headers=agent.headers,
        json={"destination": DESTINATION, "settings": ["add_lead"]},
    )
    assert denied.status_code == 403
    listed = await amo.http.get(
        f"/accounts/{AMO}/api/v4/webhooks",
        params={"filter[destination]": DESTINATION},
        headers=admin.headers,
    )
    assert listed.status_code == 200
    assert [h["id"] for h in listed.json()["_embedded"]["webhooks"]] == [hook["id"]]
    # Same destination again = update, not a second hook.
    again = await subscribe(amo, admin, ["status_lead"])
    assert again["id"] == hook["id"] and again["settings"] == ["status_lead"]
    gone = await amo.http.request(
        "DELETE", f"/accounts/{AMO}/api/v4/webhooks", headers=admin.headers,
        json={"destination": DESTINATION},
    )  # fmt: skip
    assert gone.status_code == 204 and gone.content == b""
    empty = await amo.http.get(f"/accounts/{AMO}/api/v4/webhooks", headers=admin.headers)
    assert empty.status_code == 204


async def test_add_update_status_delete_arrive_in_v2_form_format(
    amo: Amo, receiver: Receiver
) -> None:
    admin = await amo.login(ADMIN)
    await subscribe(amo, admin)
    created = await amo.control(
        "POST",
        f"/accounts/{AMO}/leads",
        json={"asUser": AGENT, "leads": [{"name": "Villa in Dubai Hills", "price": 2500000}]},
    )
    assert created.status_code == 201, created.text
    lead = created.json()["leads"][0]
    await settle(amo)
    assert len(receiver.requests) == 1
    add = receiver.requests[0]
    assert add["method"] == "POST"
    assert add["url"] == DESTINATION
    assert add["headers"]["content-type"] == "application/x-www-form-urlencoded"
    fields = form(add["body"])
    assert add["body"].startswith("leads%5Badd%5D%5B0%5D%5Bid%5D=")
    assert fields["leads[add][0][id]"] == str(lead["id"])
    assert fields["leads[add][0][name]"] == "Villa in Dubai Hills"
    assert fields["leads[add][0][price]"] == "2500000"
    assert fields["leads[add][0][status_id]"] == str(lead["status_id"])
    assert fields["leads[add][0][responsible_user_id]"] == "9001102"  # the agent created it
    assert fields["leads[add][0][created_user_id]"] == "9001102"
    assert fields["account[subdomain]"] == "reforyou"
    assert fields["account[id]"] == "31920194"
    # v2 vocabulary: strings named last_modified/date_create, not updated_at only.
    assert fields["leads[add][0][date_create]"] == str(lead["created_at"])
    assert "leads[add][0][last_modified]" in fields

    receiver.requests.clear()
    old_status = lead["status_id"]
    patched = await amo.http.patch(
        f"/accounts/{AMO}/api/v4/leads",
        headers=admin.headers,
        json=[{"id": lead["id"], "status_id": 142}],
    )
    assert patched.status_code == 200
    await settle(amo)
    assert len(receiver.requests) == 1
    fields = form(receiver.requests[0]["body"])
    assert fields["leads[update][0][id]"] == str(lead["id"])
    assert fields["leads[status][0][id]"] == str(lead["id"])
    assert fields["leads[status][0][status_id]"] == "142"
    assert fields["leads[status][0][old_status_id]"] == str(old_status)
    assert fields["leads[status][0][modified_user_id]"] == "9001101"

    receiver.requests.clear()
    deleted = await amo.control("DELETE", f"/accounts/{AMO}/leads/{lead['id']}")
    assert deleted.status_code == 200
    await settle(amo)
    fields = form(receiver.requests[0]["body"])
    assert fields["leads[delete][0][id]"] == str(lead["id"])
    assert fields["account[subdomain]"] == "reforyou"


async def test_only_subscribed_events_are_sent(amo: Amo, receiver: Receiver) -> None:
    admin = await amo.login(ADMIN)
    await subscribe(amo, admin, ["status_lead"])
    lead = (await amo.leads(admin, "filter[statuses][0][pipeline_id]=7710001"
                                   "&filter[statuses][0][status_id]=61000012"))[0]  # fmt: skip
    await amo.http.patch(
        f"/accounts/{AMO}/api/v4/leads",
        headers=admin.headers,
        json=[{"id": lead["id"], "price": 5}],
    )
    await settle(amo)
    assert receiver.requests == []  # a price change is no status change
    await amo.http.patch(
        f"/accounts/{AMO}/api/v4/leads", headers=admin.headers,
        json=[{"id": lead["id"], "status_id": 61000013}],
    )  # fmt: skip
    await settle(amo)
    keys = set(form(receiver.requests[0]["body"]))
    assert "leads[status][0][id]" in keys
    assert not any(k.startswith("leads[update]") for k in keys)


async def test_failed_deliveries_are_retried_on_the_schedule(amo: Amo, receiver: Receiver) -> None:
    admin = await amo.login(ADMIN)
    await subscribe(amo, admin, ["add_lead"])
    receiver.statuses = [500, 404]  # two bad answers, then 200
    await amo.control("POST", f"/accounts/{AMO}/leads", json={"leads": [{"name": "Retry me"}]})
    await settle(amo)
    assert len(receiver.requests) == 3
    assert len({r["body"] for r in receiver.requests}) == 1
    log = (await amo.control("GET", "/deliveries")).json()["deliveries"]
    assert [(d["attempt"], d["status"]) for d in log] == [(1, 500), (2, 404), (3, 200)]


async def test_retries_stop_after_the_last_scheduled_attempt(amo: Amo, receiver: Receiver) -> None:
    admin = await amo.login(ADMIN)
    await subscribe(amo, admin, ["add_lead"])
    receiver.statuses = [503] * 10
    await amo.control("POST", f"/accounts/{AMO}/leads", json={"leads": [{"name": "Never"}]})
    await settle(amo)
    assert len(receiver.requests) == 5  # first try + 4 retries (5 min, 15, 15, 1 h)


# --- disconnect ------------------------------------------------------------------------


async def test_disconnect_revokes_tokens_and_sends_the_signed_hook(
    amo: Amo, receiver: Receiver
) -> None:
    tokens = await amo.login(ADMIN)
    response = await amo.control("POST", f"/accounts/{AMO}/disconnect")
    assert response.status_code == 200
    assert response.json()["hook"]["status"] == 200
    assert len(receiver.requests) == 1
    hook = receiver.requests[0]
    assert hook["method"] == "GET"
    assert hook["url"].startswith(HOOK_URL + "?")
    assert set(hook["query"]) == {"client_uuid", "account_id", "signature"}
    assert hook["query"]["client_uuid"] == CLIENT_ID
    assert hook["query"]["account_id"] == "31920194"
    expected = hmac.new(
        CLIENT_SECRET.encode(), f"{CLIENT_ID}|31920194".encode(), hashlib.sha256
    ).hexdigest()
    assert hook["query"]["signature"] == expected
    assert hook["headers"]["user-agent"] == "amoService-oAuth-Code-Sender/1.0"
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 401
    refresh = await amo.token(AMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert refresh.status_code == 401


async def test_admin_page_button_disconnects(amo: Amo, receiver: Receiver) -> None:
    tokens = await amo.login(ADMIN)
    page = await amo.http.get("/_sandbox/admin")
    assert page.status_code == 200
    assert 'id="disconnect-reforyou"' in page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action
    answer = await amo.http.post(action.group(1), data={"host": AMO})
    assert answer.status_code == 303
    shown = await amo.http.get(answer.headers["location"])
    assert "switched off" in shown.text
    assert receiver.requests[0]["query"]["account_id"] == "31920194"
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 401


async def test_revoking_without_hook_sends_nothing(amo: Amo, receiver: Receiver) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("POST", f"/accounts/{AMO}/revoke-tokens")
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 401
    assert receiver.requests == []


@pytest.mark.parametrize("sb_overrides", [{"hook_timeout": 0.1}])
async def test_a_slow_answer_counts_as_failed_and_is_retried(amo: Amo, receiver: Receiver) -> None:
    admin = await amo.login(ADMIN)
    await subscribe(amo, admin, ["add_lead"])
    receiver.delays = [1.0]  # longer than the hook timeout
    await amo.control("POST", f"/accounts/{AMO}/leads", json={"leads": [{"name": "Slow"}]})
    await settle(amo)
    log = (await amo.control("GET", "/deliveries")).json()["deliveries"]
    assert [(d["attempt"], d["status"], d["error"]) for d in log] == [
        (1, None, "TimeoutError"),
        (2, 200, None),
    ]
