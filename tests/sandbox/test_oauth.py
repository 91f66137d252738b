"""Consent pages and the token endpoint, against the shapes in amocrm-api.md §1-§2."""

from __future__ import annotations

import re

import jwt

from .conftest import (
    ADMIN,
    AGENT,
    AMO,
    CLIENT_ID,
    CLIENT_SECRET,
    KOMMO,
    KOMMO_ADMIN,
    REDIRECT_URI,
    Amo,
)

OAUTH_TYPE = "https://developers.amocrm.ru/v3/errors/OAuthProblemJson"


def assert_oauth_problem(response: object, status: int, hint: str) -> None:
    import httpx

    assert isinstance(response, httpx.Response)
    assert response.status_code == status, response.text
    assert response.json() == {
        "hint": hint,
        "title": "Некорректный запрос",
        "type": OAUTH_TYPE,
        "status": status,
        "detail": "В запросе отсутствует ряд параметров или параметры невалидны",
    }


# --- consent ---------------------------------------------------------------------------


async def test_sign_in_form_has_labelled_login_and_password(amo: Amo) -> None:
    page = await amo.consent_page()
    assert page.status_code == 200
    assert re.search(r'<label for="login">', page.text)
    assert re.search(r'<input[^>]+id="login"[^>]+name="login"', page.text)
    assert re.search(r'<input[^>]+id="password"[^>]+name="password"', page.text)


async def test_allow_redirects_with_code_state_referer_platform_client_id(amo: Amo) -> None:
    await amo.sign_in(ADMIN)
    page = await amo.consent_page(state="xyz")
    assert "РАЗРЕШИТЬ" in page.text
    assert 'id="allow"' in page.text and 'id="decline"' in page.text
    assert "ForYou CRM" in page.text and "ReForYou Real Estate" in page.text
    answer = await amo.decide(page, "allow", state="xyz")
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT_URI + "?code=")
    params = dict(p.split("=", 1) for p in location.split("?", 1)[1].split("&"))
    assert set(params) == {"code", "state", "referer", "platform", "client_id"}
    assert params["state"] == "xyz"
    assert params["referer"] == AMO
    assert params["platform"] == "1"
    assert params["client_id"] == CLIENT_ID


async def test_kommo_account_redirect_says_platform_2(amo: Amo) -> None:
    params = await amo.authorize(KOMMO_ADMIN)
    assert params["referer"] == KOMMO
    assert params["platform"] == "2"


async def test_state_is_not_returned_when_not_sent(amo: Amo) -> None:
    params = await amo.authorize(ADMIN, state=None)
    assert "state" not in params
    assert "code" in params


async def test_decline_redirects_with_access_denied(amo: Amo) -> None:
    await amo.sign_in(ADMIN)
    page = await amo.consent_page()
    answer = await amo.decide(page, "deny")
    assert answer.status_code == 302
    assert answer.headers["location"] == (
        f"{REDIRECT_URI}?error=access_denied&state=st&client_id={CLIENT_ID}"
    )


async def test_unknown_client_id_is_a_clear_page_without_redirect(amo: Amo) -> None:
    page = await amo.consent_page(client_id="not-our-integration")
    assert page.status_code == 400
    assert "location" not in page.headers
    assert "не найдена" in page.text
    signed = await amo.sign_in(ADMIN, client_id="not-our-integration")
    assert signed.status_code == 400
    assert "location" not in signed.headers


async def test_wrong_password_shows_the_form_again_without_redirect(amo: Amo) -> None:
    answer = await amo.sign_in(ADMIN, password="wrong")
    assert answer.status_code == 401
    assert "location" not in answer.headers
    assert "Неверный логин или пароль" in answer.text
    assert 'id="password"' in answer.text
    unknown = await amo.sign_in("nobody@example.com")
    assert unknown.status_code == 401


async def test_second_flow_goes_straight_to_consent(amo: Amo) -> None:
    await amo.authorize(ADMIN)
    again = await amo.consent_page()
    assert again.status_code == 200
    assert 'id="allow"' in again.text
    assert 'id="password"' not in again.text


async def test_consent_post_needs_the_session_csrf(amo: Amo) -> None:
    await amo.sign_in(ADMIN)
    answer = await amo.http.post(
        "/oauth/consent",
        data={"client_id": CLIENT_ID, "state": "st", "csrf": "forged", "decision": "allow"},
    )
    assert answer.status_code == 400
    assert "location" not in answer.headers


async def test_agent_cannot_install_a_switched_off_integration(amo: Amo) -> None:
    switched_off = await amo.control("PATCH", f"/accounts/{AMO}", json={"installed": False})
    assert switched_off.status_code == 200
    amo.http.cookies.clear()
    await amo.sign_in(AGENT)
    page = await amo.consent_page()
    assert page.status_code == 403
    assert "администратор" in page.text
    assert 'id="allow"' not in page.text
    # An admin installs it; then the agent may grant access too.
    await amo.authorize(ADMIN)
    params = await amo.authorize(AGENT)
    assert params["referer"] == AMO


# --- token endpoint --------------------------------------------------------------------


async def test_code_exchange_answers_exactly_the_documented_keys(amo: Amo) -> None:
    params = await amo.authorize(ADMIN)
    response = await amo.token(AMO, grant_type="authorization_code", code=params["code"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == [
        "token_type",
        "expires_in",
        "server_time",
        "access_token",
        "refresh_token",
    ]
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 86400
    assert isinstance(body["server_time"], int)


async def test_form_encoded_body_is_accepted(amo: Amo) -> None:
    params = await amo.authorize(ADMIN)
    response = await amo.token(AMO, form=True, grant_type="authorization_code", code=params["code"])
    assert response.status_code == 200, response.text
    refreshed = await amo.token(
        AMO, form=True, grant_type="refresh_token", refresh_token=response.json()["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.text


async def test_access_token_is_an_rs256_jwt_with_the_documented_claims(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    header = jwt.get_unverified_header(tokens.access_token)
    assert header["alg"] == "RS256"
    assert header["typ"] == "JWT"
    claims = jwt.decode(tokens.access_token, options={"verify_signature": False})
    assert header["jti"] == claims["jti"]
    for key in (
        "aud", "jti", "iat", "nbf", "exp", "sub", "grant_type", "account_id", "base_domain",
        "version", "scopes", "hash_uuid", "api_domain",
    ):  # fmt: skip
        assert key in claims, key
    assert claims["aud"] == CLIENT_ID
    assert claims["account_id"] == 31920194
    assert claims["base_domain"] == "amocrm.ru"
    assert claims["api_domain"] == "api-b.amocrm.ru"
    assert claims["sub"] == "9001101"
    assert claims["version"] == 2
    assert "crm" in claims["scopes"]
    assert claims["exp"] - claims["iat"] == 86400
    # And the signature verifies with the sandbox's published key.
    pem = (await amo.control("GET", "/public-key")).text
    verified = jwt.decode(tokens.access_token, pem, algorithms=["RS256"], audience=CLIENT_ID)
    assert verified["jti"] == claims["jti"]


async def test_kommo_token_claims_name_kommo(amo: Amo) -> None:
    tokens = await amo.login(KOMMO_ADMIN)
    claims = jwt.decode(tokens.access_token, options={"verify_signature": False})
    assert claims["base_domain"] == "kommo.com"
    assert claims["account_id"] == 32845510


async def test_code_works_once(amo: Amo) -> None:
    params = await amo.authorize(ADMIN)
    first = await amo.token(AMO, grant_type="authorization_code", code=params["code"])
    assert first.status_code == 200
    second = await amo.token(AMO, grant_type="authorization_code", code=params["code"])
    assert_oauth_problem(second, 400, "Authorization code has been revoked")


async def test_code_expires_after_20_minutes(amo: Amo) -> None:
    params = await amo.authorize(ADMIN)
    await amo.control("POST", "/clock", json={"seconds": 1201})
    response = await amo.token(AMO, grant_type="authorization_code", code=params["code"])
    assert_oauth_problem(response, 400, "Authorization code has expired")


async def test_code_still_works_just_before_expiry(amo: Amo) -> None:
    params = await amo.authorize(ADMIN)
    await amo.control("POST", "/clock", json={"seconds": 1190})
    response = await amo.token(AMO, grant_type="authorization_code", code=params["code"])
    assert response.status_code == 200


async def test_code_must_be_exchanged_on_its_own_account_host(amo: Amo) -> None:
    params = await amo.authorize(ADMIN)
    response = await amo.token(KOMMO, grant_type="authorization_code", code=params["code"])
    assert_oauth_problem(response, 400, "Invalid account")


async def test_wrong_client_secret(amo: Amo) -> None:
    params = await amo.authorize(ADMIN)
    response = await amo.token(
        AMO, grant_type="authorization_code", code=params["code"], client_secret="nope"
    )
    assert_oauth_problem(response, 400, "Check the `client_secret` parameter")


async def test_redirect_uri_must_match_exactly(amo: Amo) -> None:
    params = await amo.authorize(ADMIN)
    for almost in (REDIRECT_URI + "/", REDIRECT_URI + "?x=1", REDIRECT_URI.upper()):
        response = await amo.token(
            AMO, grant_type="authorization_code", code=params["code"], redirect_uri=almost
        )
        assert_oauth_problem(response, 400, "Redirect URI is not associated with client")
    # The code was not burnt by the refused attempts.
    ok = await amo.token(AMO, grant_type="authorization_code", code=params["code"])
    assert ok.status_code == 200


async def test_unknown_client_and_garbage_code(amo: Amo) -> None:
    unknown = await amo.token(AMO, grant_type="authorization_code", code="x", client_id="other")
    assert_oauth_problem(unknown, 400, "Check the `client_id` parameter")
    garbage = await amo.token(AMO, grant_type="authorization_code", code="garbage")
    assert_oauth_problem(garbage, 400, "Cannot decrypt the authorization code")
    grant = await amo.token(AMO, grant_type="password")
    assert grant.status_code == 400


async def test_amocrm_refresh_token_works_once(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    first = await amo.token(AMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert first.status_code == 200
    assert first.json()["refresh_token"] != tokens.refresh_token
    # Platform 1 is strict: the old token is dead as soon as the new pair exists,
    # even though the new pair has never been used.
    again = await amo.token(AMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert_oauth_problem(again, 401, "Token has been revoked")
    # The new refresh token works (once).
    new_rt = first.json()["refresh_token"]
    assert (
        await amo.token(AMO, grant_type="refresh_token", refresh_token=new_rt)
    ).status_code == 200


async def test_kommo_old_refresh_token_works_until_the_new_pair_is_used(amo: Amo) -> None:
    tokens = await amo.login(KOMMO_ADMIN)
    lost = await amo.token(KOMMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert lost.status_code == 200
    # The response was "lost": the client retries with the old refresh token (Kommo grace).
    retry = await amo.token(KOMMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert retry.status_code == 200, retry.text
    # The pair from the lost response was superseded.
    lost_at = lost.json()["access_token"]
    superseded = await amo.http.get(
        f"/accounts/{KOMMO}/api/v4/account", headers={"Authorization": f"Bearer {lost_at}"}
    )
    assert superseded.status_code == 401
    # Once the new pair is used, the old refresh token is gone for good.
    new_at = retry.json()["access_token"]
    used = await amo.http.get(
        f"/accounts/{KOMMO}/api/v4/account", headers={"Authorization": f"Bearer {new_at}"}
    )
    assert used.status_code == 200
    dead = await amo.token(KOMMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert_oauth_problem(dead, 401, "Token has been revoked")


async def test_refresh_token_expires_after_three_months(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    await amo.control("POST", "/clock", json={"seconds": 90 * 86400 + 1})
    response = await amo.token(AMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert response.status_code == 401
    assert response.json()["hint"] == "Token has expired"


async def test_refresh_token_belongs_to_its_account_host(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    response = await amo.token(
        KOMMO, grant_type="refresh_token", refresh_token=tokens.refresh_token
    )
    assert_oauth_problem(response, 400, "Invalid account")


async def test_non_ascii_client_credentials_are_a_400_not_a_500(amo: Amo) -> None:
    """Found by fuzzing (issue 14): a non-ASCII client secret made the comparison raise."""
    for form in (False, True):
        params = await amo.authorize(ADMIN)
        response = await amo.token(
            AMO,
            form=form,
            grant_type="authorization_code",
            code=params["code"],
            client_secret="пароль-é",
        )
        assert_oauth_problem(response, 400, "Check the `client_secret` parameter")
        response = await amo.token(AMO, form=form, grant_type="refresh_token", client_id="ü")
        assert_oauth_problem(response, 400, "Check the `client_id` parameter")


async def test_changing_the_client_secret_revokes_earlier_access(amo: Amo) -> None:
    tokens = await amo.login(ADMIN)
    changed = await amo.control("PATCH", "/integration", json={"clientSecret": "new-secret"})
    assert changed.status_code == 200
    assert (await amo.get(tokens, "/api/v4/account")).status_code == 401
    old = await amo.token(AMO, grant_type="refresh_token", refresh_token=tokens.refresh_token)
    assert_oauth_problem(old, 400, "Check the `client_secret` parameter")
    assert CLIENT_SECRET != "new-secret"
