"""The connect flow end to end: the real app, the real sandbox, the real database."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy import select, text

from foryou_crm.amocrm.oauth.models import OAuthFlow
from foryou_crm.connections.models import AmoConnection
from tests.conftest import TEST_CLIENT_ID, bearer, register
from tests.support import AMO_AGENT, Browser, World, parse_html


async def _user(world: World, email: str) -> str:
    token: str = (await register(world.client, email))["accessToken"]
    return token


async def _status(world: World, token: str) -> dict[str, object]:
    r = await world.client.get("/api/amo-crm/status", headers=bearer(token))
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()["data"]
    return data


async def test_checklist_flow_reproduces_the_status_json(world: World) -> None:
    token = await _user(world, "agent@foryou-agents.com")
    # Step 1: initial state.
    assert await _status(world, token) == {
        "connected": False,
        "hasTokens": False,
        "domain": None,
        "accountId": None,
        "accountName": None,
        "currency": None,
        "currencySymbol": None,
        "platform": None,
        "connectedAt": None,
        "needsReconnect": False,
        "sync": None,
        "ended": None,  # never connected: nothing ended
    }
    # Step 2: the consent URL carries client_id and state.
    started = await world.start(token)
    url = urlsplit(started["url"])
    query = parse_qs(url.query)
    assert url.path == "/oauth"
    assert query["client_id"] == [TEST_CLIENT_ID]
    assert query["state"] == [started["state"]]
    assert query["mode"] == ["post_message"]
    assert len(base64.urlsafe_b64decode(started["state"] + "=")) >= 16  # ≥ 128 bits

    # Steps 3–4: sign in, «РАЗРЕШИТЬ», the callback page hands over to the app.
    browser = Browser(world.sandbox_app)
    location = await browser.consent(started["url"])
    await browser.aclose()
    page = await world.callback(location)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Redirecting to app..." in page.text
    target = parse_html(page.text).links["open-app"]
    assert target.startswith("foryoure://amo-crm/callback?")
    handed = parse_qs(urlsplit(target).query)
    assert handed["state"] == [started["state"]]
    amo_code = parse_qs(urlsplit(location).query)["code"][0]
    assert amo_code not in page.text  # amoCRM's code never leaves the server
    assert handed["code"][0] != amo_code

    # Step 5: exchange-code with the JWT.
    r = await world.client.post(
        "/api/amo-crm/exchange-code",
        json={"code": handed["code"][0], "state": handed["state"][0]},
        headers=bearer(token),
    )
    assert r.status_code == 200, r.text
    # Step 6: exactly the checklist's status JSON (plus extra fields).
    status = await _status(world, token)
    assert {k: status[k] for k in ("connected", "hasTokens", "domain", "accountId")} == {
        "connected": True,
        "hasTokens": True,
        "domain": "reforyou.amocrm.ru",
        "accountId": "31920194",
    }
    assert status["platform"] == "amocrm"
    # Tokens saved for this user, encrypted at rest.
    async with world.services.sessionmaker() as session:
        row = (await session.execute(select(AmoConnection))).scalar_one()
        assert row.access_token_enc.startswith("v1:")
        raw = (await session.execute(text("SELECT * FROM amocrm_connections"))).all()
    assert "eyJ" not in repr(raw)  # no JWT-looking plaintext anywhere in the row

    # Step 8: disconnect.
    r = await world.client.post("/api/amo-crm/disconnect", headers=bearer(token))
    assert r.json()["data"]["connected"] is False
    assert (await _status(world, token))["connected"] is False
    async with world.services.sessionmaker() as session:
        assert (await session.execute(select(AmoConnection))).first() is None
    # Idempotent.
    again = await world.client.post("/api/amo-crm/disconnect", headers=bearer(token))
    assert again.status_code == 200


async def test_tokens_belong_to_one_user(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    b = await _user(world, "b@foryou-agents.com")
    await world.connect(a)
    assert (await _status(world, a))["connected"] is True
    assert (await _status(world, b))["connected"] is False  # known problem 2: impossible


async def test_b_cannot_complete_a_flow_and_nothing_changes(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    b = await _user(world, "b@foryou-agents.com")
    _started, _page, handed = await world.consent_and_callback(a)
    r = await world.exchange(b, handed)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "STATE_USER_MISMATCH"
    assert (await _status(world, b))["connected"] is False
    assert (await _status(world, a))["connected"] is False
    # A can still complete their own flow.
    ok = await world.exchange(a, handed)
    assert ok.status_code == 200
    assert (await _status(world, b))["connected"] is False


async def test_disconnect_leaves_another_users_connection_to_the_same_account(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    b = await _user(world, "b@foryou-agents.com")
    await world.connect(a)
    await world.connect(b, login=AMO_AGENT)
    await world.client.post("/api/amo-crm/disconnect", headers=bearer(a))
    assert (await _status(world, a))["connected"] is False
    status_b = await _status(world, b)
    assert status_b["connected"] is True
    assert status_b["accountId"] == "31920194"


async def test_completion_code_is_idempotent_for_its_owner(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    _s, _p, handed = await world.consent_and_callback(a)
    first = await world.exchange(a, handed)
    second = await world.exchange(a, handed)
    assert first.status_code == second.status_code == 200
    assert first.json()["data"]["connectedAt"] == second.json()["data"]["connectedAt"]


async def test_wrong_and_expired_completion_codes(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    _s, _p, handed = await world.consent_and_callback(a)
    wrong = await world.exchange(a, {**handed, "code": secrets.token_urlsafe(32)})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "INVALID_COMPLETION_CODE"
    unknown_state = await world.exchange(a, {**handed, "state": secrets.token_urlsafe(32)})
    assert unknown_state.status_code == 400
    world.services.clock.advance(601)
    expired = await world.exchange(a, handed)
    assert expired.status_code == 400
    assert expired.json()["error"]["code"] == "COMPLETION_CODE_EXPIRED"
    world.services.clock.reset()
    assert (await _status(world, a))["connected"] is False


async def test_replaced_connection_on_reconnect(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    first = await world.connect(a)
    second = await world.connect(a, login=AMO_AGENT)
    assert second["connectedAt"] != first["connectedAt"]
    async with world.services.sessionmaker() as session:
        rows = (await session.execute(select(AmoConnection))).scalars().all()
    assert len(rows) == 1
    assert rows[0].is_admin is False


async def test_app_verifier_binds_the_flow_to_the_app_instance(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    verifier = secrets.token_urlsafe(32)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    )
    _s, _p, handed = await world.consent_and_callback(a, appChallenge=challenge)
    missing = await world.exchange(a, handed)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "APP_VERIFIER_MISMATCH"
    wrong = await world.exchange(a, handed, appVerifier=secrets.token_urlsafe(32))
    assert wrong.json()["error"]["code"] == "APP_VERIFIER_MISMATCH"
    ok = await world.exchange(a, handed, appVerifier=verifier)
    assert ok.status_code == 200


async def test_decline_hands_over_access_denied(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    started, page, handed = await world.consent_and_callback(a, allow=False)
    assert page.status_code == 200
    assert handed == {"error": "access_denied", "state": started["state"]}
    assert (await _status(world, a))["connected"] is False


async def test_web_client_hands_over_to_the_web_callback(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    _s, page, _h = await world.consent_and_callback(a, client="web")
    target = parse_html(page.text).links["open-app"]
    assert target.startswith("http://testserver/app/amo-crm/callback?code=")


async def test_return_to_must_be_allow_listed(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    r = await world.client.get(
        "/api/amo-crm/auth-url",
        params={"client": "web", "returnTo": "https://evil.example/steal"},
        headers=bearer(a),
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "RETURN_TO_NOT_ALLOWED"


async def _fresh_location(world: World, token: str) -> tuple[dict[str, str], str]:
    started = await world.start(token)
    browser = Browser(world.sandbox_app)
    location = await browser.consent(started["url"])
    await browser.aclose()
    return started, location


def _with(location: str, **params: str) -> str:
    parts = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(params)
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{urlencode(query)}"


async def test_state_unknown_tampered_replayed_and_expired(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    _started, location = await _fresh_location(world, a)
    for bad in (secrets.token_urlsafe(32), "x", ""):
        page = await world.callback(_with(location, state=bad))
        assert page.status_code == 200
        assert "open-app" not in page.text  # unknown state: an error page, no hand-over
        assert "expired" in page.text.lower()
    # The real state still works once…
    page = await world.callback(location)
    assert "code=" in parse_html(page.text).links["open-app"]
    # …and never again.
    replay = await world.callback(location)
    assert "error=state_invalid" in parse_html(replay.text).links["open-app"]
    # Expired.
    _started, late = await _fresh_location(world, a)
    world.services.clock.advance(601)
    expired = await world.callback(late)
    assert "error=state_invalid" in parse_html(expired.text).links["open-app"]
    world.services.clock.reset()
    assert (await _status(world, a))["connected"] is False


async def test_referer_outside_allow_list_is_refused_before_any_request(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    for evil in (
        "evil.example.com",
        "reforyou.amocrm.ru.evil.com",
        "amocrm.ru",
        "a.amocrm.ru:444",
        "x@evil.com",
        "evil.com/.amocrm.ru",
    ):
        await _refused_before_any_request(world, a, evil)


async def _refused_before_any_request(world: World, token: str, referer: str) -> httpx.Response:
    """The callback with this referer hands the app `referer_not_allowed`, and amoCRM was never
    asked anything (no secret or code left for that host)."""
    _started, location = await _fresh_location(world, token)
    await world.sandbox.delete("/_sandbox/requests")
    page = await world.callback(_with(location, referer=referer))
    assert "error=referer_not_allowed" in parse_html(page.text).links["open-app"], referer
    log = (await world.sandbox.get("/_sandbox/requests")).json()
    assert log["total"] == 0, (referer, log)
    return page


async def test_nothing_from_the_request_is_reflected(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    payload = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"
    _started, location = await _fresh_location(world, a)
    for name in ("code", "state", "referer", "platform", "client_id", "error", "error_description"):
        page = await world.callback(_with(location, **{name: payload}))
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "onerror" not in page.text
        assert "alert(" not in page.text


async def test_callback_page_headers(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    _s, page, _h = await world.consent_and_callback(a)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in page.text
    assert "location.replace(" in page.text
    assert "<noscript>" in page.text


async def test_amocrm_down_during_exchange_saves_nothing(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    for kind, expected in (("500", "amocrm_unavailable"), ("timeout", "amocrm_unavailable")):
        r = await world.sandbox.post(
            "/_sandbox/faults", json={"endpoint": "token", "kind": kind, "count": 1, "seconds": 5}
        )
        assert r.status_code == 201, r.text
        _s, page, handed = await world.consent_and_callback(a)
        assert handed.get("error") == expected, page.text
        async with world.services.sessionmaker() as session:
            flows = (await session.execute(select(OAuthFlow))).scalars().all()
            assert all(f.access_token_enc is None for f in flows)
            assert (await session.execute(select(AmoConnection))).first() is None
    # Once amoCRM is back, connecting works.
    assert (await world.connect(a))["connected"] is True


async def test_account_call_failing_after_exchange_saves_nothing(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    await world.sandbox.post("/_sandbox/faults", json={"endpoint": "account", "kind": "500"})
    _s, _page, handed = await world.consent_and_callback(a)
    assert handed.get("error") == "amocrm_unavailable"
    async with world.services.sessionmaker() as session:
        assert all(
            f.access_token_enc is None
            for f in (await session.execute(select(OAuthFlow))).scalars().all()
        )


async def test_concurrent_exchange_calls_for_the_same_code_all_succeed_once(world: World) -> None:
    """Android can deliver the link twice (auth session + deep link): both calls succeed and
    exactly one connection exists."""
    import asyncio

    a = await _user(world, "a@foryou-agents.com")
    _s, _p, handed = await world.consent_and_callback(a)
    responses = await asyncio.gather(*(world.exchange(a, handed) for _ in range(5)))
    assert [r.status_code for r in responses] == [200] * 5
    # Activated once: every answer describes the same connection.
    assert len({r.json()["data"]["connectedAt"] for r in responses}) == 1
    async with world.services.sessionmaker() as session:
        assert len((await session.execute(select(AmoConnection))).scalars().all()) == 1


async def test_a_referer_with_whitespace_or_odd_characters_never_500s(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    for odd in (
        "reforyou.amocrm.ru\n",
        " reforyou.amocrm.ru",
        "reforyou.amocrm.ru.",
        "REFORYOU.amocrm.ru\t",
        "reforyoü.amocrm.ru",
    ):
        page = await _refused_before_any_request(world, a, odd)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")


async def test_uppercase_referer_is_normalised_to_the_account_host(world: World) -> None:
    a = await _user(world, "a@foryou-agents.com")
    _started, location = await _fresh_location(world, a)
    page = await world.callback(_with(location, referer="ReForYou.AmoCRM.ru"))
    target = parse_html(page.text).links["open-app"]
    handed = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
    r = await world.exchange(a, handed)
    assert r.json()["data"]["domain"] == "reforyou.amocrm.ru"


async def test_an_unexpected_error_still_answers_the_page_and_saves_nothing(world: World) -> None:
    """Whatever breaks inside the callback (here the wire to amoCRM fails in a way no amoCRM
    error describes), the person in the browser gets the page, not JSON; the state stays used."""
    a = await _user(world, "a@foryou-agents.com")
    _started, location = await _fresh_location(world, a)

    async def broken_wire(request: httpx.Request, _response: httpx.Response) -> None:
        if request.url.path.endswith("/api/v4/account"):
            raise RuntimeError("the wire broke")

    world.network.after = broken_wire
    try:
        page = await world.callback(location)
    finally:
        world.network.after = None
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in page.text
    assert "open-app" not in page.text
    async with world.services.sessionmaker() as session:
        flow = (await session.execute(select(OAuthFlow))).scalar_one()
    assert flow.consumed_at is not None
    assert flow.access_token_enc is None and flow.completion_hash is None
    replay = await world.callback(location)
    assert "error=state_invalid" in parse_html(replay.text).links["open-app"]
