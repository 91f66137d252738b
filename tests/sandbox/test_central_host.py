"""The subdomain lookup lives on the central host a token's `api_domain` names
(account-subdomain-info.md: "Метод доступен только по поддомену из claim api_domain")."""

from __future__ import annotations

import jwt

from .conftest import ADMIN, AMO, KOMMO, KOMMO_ADMIN, Amo

LOOKUP = "/oauth2/account/current/subdomain"


async def test_lookup_on_the_tokens_api_domain(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    api_domain = jwt.decode(tokens.access_token, options={"verify_signature": False})["api_domain"]
    assert api_domain == "api-b.amocrm.ru"
    headers = {"X-Refresh-Token": tokens.refresh_token}
    # As a client reaches it: Host api-b.amocrm.ru, no prefix …
    direct = await amo.http.get(LOOKUP, headers={**headers, "Host": api_domain})
    assert direct.status_code == 200, direct.text
    assert direct.headers["content-type"] == "application/json"
    assert direct.json() == {
        "id": 31920194,
        "subdomain": "reforyou",
        "domain": AMO,
        "top_level_domain": "ru",
    }
    # … or through the sandbox's per-host prefix.
    prefixed = await amo.http.get(f"/accounts/{api_domain}{LOOKUP}", headers=headers)
    assert prefixed.json() == direct.json()
    log = (await amo.control("GET", "/requests")).json()["entries"]
    assert [e["host"] for e in log if e["endpoint"] == "subdomain"] == [api_domain, api_domain]


async def test_not_on_the_account_host(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    response = await amo.http.get(
        f"/accounts/{AMO}{LOOKUP}", headers={"X-Refresh-Token": tokens.refresh_token}
    )
    assert response.status_code == 404
    assert response.json()["detail"] == f"Cannot GET https://{AMO}{LOOKUP}"


async def test_only_the_lookup_lives_on_the_central_host(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    for path in ("/api/v4/account", "/oauth2/access_token", "/"):
        response = await amo.http.get(path, headers={**tokens.headers, "Host": "api-b.amocrm.ru"})
        assert response.status_code == 404, path


async def test_refused_tokens(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    kommo = await amo.login(KOMMO_ADMIN)
    central = "/accounts/api-b.amocrm.ru" + LOOKUP
    for token in ("nope", kommo.refresh_token, ""):
        response = await amo.http.get(central, headers={"X-Refresh-Token": token})
        assert response.status_code == 401
        assert response.json()["detail"] == "Неверный логин или пароль"
    # Kommo's own central host knows its token.
    own = await amo.http.get(
        "/accounts/api-c.kommo.com" + LOOKUP, headers={"X-Refresh-Token": kommo.refresh_token}
    )
    assert own.json()["domain"] == KOMMO and own.json()["top_level_domain"] == "com"
    # amoCRM: a refresh token is dead once exchanged, for the lookup too.
    rotated = await amo.token(AMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert rotated.status_code == 200
    old = await amo.http.get(central, headers={"X-Refresh-Token": tokens.refresh_token})
    assert old.status_code == 401
    new = await amo.http.get(central, headers={"X-Refresh-Token": rotated.json()["refresh_token"]})
    assert new.status_code == 200
    await amo.control("POST", f"/accounts/{AMO}/revoke-tokens")
    revoked = await amo.http.get(
        central, headers={"X-Refresh-Token": rotated.json()["refresh_token"]}
    )
    assert revoked.status_code == 401


async def test_faults_reach_the_central_host(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("POST", "/faults", json={"endpoint": "subdomain", "kind": "500"})
    central = "/accounts/api-b.amocrm.ru" + LOOKUP
    failed = await amo.http.get(central, headers={"X-Refresh-Token": tokens.refresh_token})
    assert failed.status_code == 500
    ok = await amo.http.get(central, headers={"X-Refresh-Token": tokens.refresh_token})
    assert ok.status_code == 200
