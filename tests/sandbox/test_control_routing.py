"""Control API (reset, clock, request log, integration), mounting and Host routing."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from foryou_crm.sandbox import SandboxConfig, create_sandbox_app, describe

from .conftest import ADMIN, AGENT, AMO, CLIENT_ID, KOMMO, Amo


async def test_overview_lists_accounts_logins_and_integration(amo: Amo) -> None:
    body = (await amo.control("GET", "/")).json()
    assert body["integration"]["clientId"] == CLIENT_ID
    hosts = {a["host"]: a for a in body["accounts"]}
    assert set(hosts) == {AMO, KOMMO}
    assert hosts[AMO]["id"] == 31920194 and hosts[AMO]["platform"] == 1
    assert hosts[KOMMO]["platform"] == 2
    assert hosts[AMO]["baseUrl"] == f"http://sandbox.test/accounts/{AMO}"
    emails = {u["email"] for u in hosts[AMO]["users"]}
    assert {ADMIN, AGENT} <= emails
    assert body["password"] == "amo-password"


async def test_seed_is_deterministic_and_reset_reseeds(amo: Amo) -> None:
    admin = await amo.login(ADMIN)
    before = await amo.leads(admin)
    reset = await amo.control("POST", "/reset", json={"leads": 120, "seed": 99})
    assert reset.status_code == 200
    assert {a["host"]: a["leads"] for a in reset.json()["accounts"]}[AMO] == 120
    # Reset forgets tokens.
    assert (await amo.get(admin, "/api/v4/leads")).status_code == 401
    admin = await amo.login(ADMIN)
    other = await amo.leads(admin)
    assert len(other) == 120
    await amo.control("POST", "/reset", json={"leads": 300, "seed": 7})
    admin = await amo.login(ADMIN)
    assert await amo.leads(admin) == before
    assert [x["name"] for x in other[:20]] != [x["name"] for x in before[:20]]


async def test_seeded_data_looks_real(amo: Amo) -> None:
    admin = await amo.login(ADMIN)
    leads = await amo.leads(admin, "with=contacts")
    statuses = {x["status_id"] for x in leads}
    assert {142, 143} <= statuses
    assert len({x["responsible_user_id"] for x in leads}) >= 3
    assert any(x["_embedded"]["tags"] for x in leads)
    assert any(x["_embedded"]["contacts"] for x in leads)
    span = max(x["created_at"] for x in leads) - min(x["created_at"] for x in leads)
    assert span > 365 * 86400
    assert all(x["closed_at"] is not None for x in leads if x["status_id"] in (142, 143))
    assert all(x["updated_at"] >= x["created_at"] for x in leads)
    assert any("Квартира" in x["name"] for x in leads) and any("Dubai" in x["name"] for x in leads)


async def test_request_log_counts_per_endpoint_and_account(amo: Amo) -> None:
    admin = await amo.login(ADMIN)
    await amo.control("DELETE", "/requests")
    await amo.get(admin, "/api/v4/account")
    await amo.get(admin, "/api/v4/leads")
    await amo.get(admin, "/api/v4/leads")
    missing = await amo.http.get("/accounts/ghost.amocrm.ru/api/v4/leads", headers=admin.headers)
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Cannot GET https://ghost.amocrm.ru/api/v4/leads"
    log = (await amo.control("GET", "/requests")).json()
    assert log["total"] == 4
    assert log["byEndpoint"] == {"account": 1, "leads": 3}
    assert log["byAccount"] == {AMO: 3, "ghost.amocrm.ru": 1}
    entry = log["entries"][-1]
    assert set(entry) >= {"method", "host", "path", "endpoint", "status", "at"}
    assert entry["host"] == "ghost.amocrm.ru" and entry["status"] == 404
    assert log["entries"][0]["path"] == "/api/v4/account"
    # Control calls are not logged.
    cleared = (await amo.control("DELETE", "/requests")).json()
    assert cleared["total"] == 0 and cleared["entries"] == []


async def test_clock_moves_forward_only(amo: Amo) -> None:
    before = (await amo.control("GET", "/clock")).json()["now"]
    moved = (await amo.control("POST", "/clock", json={"seconds": 3600})).json()
    assert moved["now"] >= before + 3600
    assert (await amo.control("POST", "/clock", json={"seconds": -5})).status_code == 400


async def test_changed_redirect_uri_is_used_and_enforced(amo: Amo) -> None:
    new_uri = "https://other.example/cb"
    await amo.control("PATCH", "/integration", json={"redirectUri": new_uri})
    amo.http.cookies.clear()
    await amo.sign_in(ADMIN)
    page = await amo.consent_page()
    answer = await amo.decide(page, "allow")
    location = answer.headers["location"]
    assert location.startswith(new_uri + "?")
    code = parse_qs(urlsplit(location).query)["code"][0]
    old = await amo.token(AMO, grant_type="authorization_code", code=code)
    assert old.status_code == 400
    ok = await amo.token(AMO, grant_type="authorization_code", code=code, redirect_uri=new_uri)
    assert ok.status_code == 200


async def test_host_header_routing_without_prefix(amo: Amo) -> None:
    admin = await amo.login(ADMIN)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=amo.app), base_url=f"https://{AMO}"
    ) as direct:
        account = await direct.get("/api/v4/account", headers=admin.headers)
        assert account.status_code == 200
        assert account.json()["_links"]["self"]["href"] == f"https://{AMO}/api/v4/account"
        page = (await direct.get("/api/v4/leads?limit=5", headers=admin.headers)).json()
        assert page["_links"]["next"]["href"] == f"https://{AMO}/api/v4/leads?limit=5&page=2"
        refresh = await direct.post(
            "/oauth2/access_token",
            json={
                "client_id": CLIENT_ID,
                "client_secret": amo.sandbox.config.client_secret,
                "redirect_uri": amo.sandbox.config.redirect_uri,
                "grant_type": "refresh_token",
                "refresh_token": admin.refresh_token,
            },
        )
        assert refresh.status_code == 200, refresh.text
    log = (await amo.control("GET", "/requests")).json()
    assert log["entries"][-1]["host"] == AMO and log["entries"][-1]["endpoint"] == "token"


async def test_mounted_under_a_prefix_builds_links_with_it() -> None:
    sandbox_app = create_sandbox_app(SandboxConfig(leads=20, rate_limit_rps=1000))
    parent = Starlette(routes=[Mount("/sandbox", app=sandbox_app)])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=parent), base_url="http://demo.test"
    ) as http:
        cid = sandbox_app.state.sandbox.config.client_id
        form = await http.get("/sandbox/oauth", params={"client_id": cid, "state": "s"})
        assert 'action="http://demo.test/sandbox/oauth/login"' in form.text
        signed = await http.post(
            "/sandbox/oauth/login",
            data={"client_id": cid, "state": "s", "has_state": "1", "login": ADMIN,
                  "password": "amo-password"},
        )  # fmt: skip
        assert signed.headers["location"].startswith("http://demo.test/sandbox/oauth?")
        assert "Path=/sandbox" in signed.headers["set-cookie"]
        consent = await http.get(signed.headers["location"])
        assert 'id="allow"' in consent.text
        overview = (await http.get("/sandbox/_sandbox/")).json()
        assert overview["baseUrl"] == "http://demo.test/sandbox"
    await sandbox_app.state.sandbox.aclose()


def test_describe_names_urls_logins_and_client_id() -> None:
    config = SandboxConfig()
    text = describe(config, "http://127.0.0.1:8100/")
    for needle in (
        "http://127.0.0.1:8100/oauth",
        "http://127.0.0.1:8100/accounts/reforyou.amocrm.ru",
        "http://127.0.0.1:8100/_sandbox/admin",
        "amo-admin@reforyou.example",
        "amo-agent@reforyou.example",
        "amo-password",
        config.client_id,
    ):
        assert needle in text
    assert config.client_secret not in text


async def test_100k_leads_reset_and_page(amo: Amo) -> None:
    summary = await amo.sandbox.reset(leads=100_000, seed=3)
    assert {a["host"]: a["leads"] for a in summary["accounts"]}[AMO] == 100_000
    admin = await amo.login(ADMIN)
    first = (await amo.get(admin, "/api/v4/leads", {"limit": 250})).json()
    assert len(first["_embedded"]["leads"]) == 250
    last = await amo.get(admin, "/api/v4/leads", {"limit": 250, "page": 400})
    body = last.json()
    assert len(body["_embedded"]["leads"]) == 250 and "next" not in body["_links"]
    assert (await amo.get(admin, "/api/v4/leads", {"limit": 250, "page": 401})).status_code == 204
    # Deep pages of the sorted and the filtered views answer too.
    newest = (
        await amo.get(
            admin, "/api/v4/leads", {"order[updated_at]": "desc", "page": 300, "limit": 250}
        )
    ).json()
    stamps = [x["updated_at"] for x in newest["_embedded"]["leads"]]
    assert stamps == sorted(stamps, reverse=True)
    agent = await amo.login(AGENT)
    mine = (await amo.get(agent, "/api/v4/leads", {"limit": 250, "page": 50})).json()
    me = (await amo.get(agent, "/api/v4/account")).json()["current_user_id"]
    assert all(x["responsible_user_id"] == me for x in mine["_embedded"]["leads"])
