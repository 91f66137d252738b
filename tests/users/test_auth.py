"""The app's own sign-in, through the real app and database."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import httpx
import jwt
import pytest

from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from tests.conftest import bearer, register, serve


async def test_register_login_me(client: httpx.AsyncClient) -> None:
    created = await register(client, "Agent@Example.com", name="Olena")
    assert created["tokenType"] == "Bearer"
    assert created["user"] == {
        "id": created["user"]["id"],
        "email": "agent@example.com",
        "name": "Olena",
    }

    response = await client.post(
        "/api/auth/login", json={"email": "agent@example.com", "password": "correct-horse-1"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert set(body["data"]) == {"accessToken", "tokenType", "expiresIn", "user"}
    assert body["data"]["expiresIn"] > 0
    claims = jwt.decode(body["data"]["accessToken"], options={"verify_signature": False})
    assert {"sub", "iat", "exp", "jti"} <= set(claims)
    assert claims["sub"] == str(created["user"]["id"])

    me = await client.get("/api/auth/me", headers=bearer(body["data"]["accessToken"]))
    assert me.status_code == 200
    assert me.json() == {"success": True, "data": created["user"]}


async def test_wrong_password_is_401_in_envelope(client: httpx.AsyncClient) -> None:
    await register(client, "a@example.com")
    response = await client.post(
        "/api/auth/login", json={"email": "a@example.com", "password": "wrong-password"}
    )
    assert response.status_code == 401
    assert response.json()["success"] is False
    assert response.json()["error"]["code"] == "INVALID_CREDENTIALS"
    unknown = await client.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": "whatever1"}
    )
    assert unknown.status_code == 401
    assert unknown.json()["error"]["code"] == "INVALID_CREDENTIALS"


async def test_too_many_failed_sign_ins_are_slowed_down(client: httpx.AsyncClient) -> None:
    await register(client, "b@example.com")
    for _ in range(3):  # login_max_failures=3 in tests
        r = await client.post(
            "/api/auth/login", json={"email": "b@example.com", "password": "bad-1"}
        )
        assert r.status_code == 401
    blocked = await client.post(
        "/api/auth/login", json={"email": "b@example.com", "password": "correct-horse-1"}
    )
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "TOO_MANY_ATTEMPTS"
    assert int(blocked.headers["Retry-After"]) >= 1


async def test_failures_per_client_address_also_count(client: httpx.AsyncClient) -> None:
    for i in range(3):
        await client.post(
            "/api/auth/login", json={"email": f"x{i}@example.com", "password": "bad-1"}
        )
    await register(client, "c@example.com")
    r = await client.post(
        "/api/auth/login", json={"email": "c@example.com", "password": "correct-horse-1"}
    )
    assert r.status_code == 429


async def test_duplicate_email_is_409(client: httpx.AsyncClient) -> None:
    await register(client, "dup@example.com")
    again = await client.post(
        "/api/auth/register", json={"email": "DUP@example.com", "password": "another-pass-2"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "EMAIL_TAKEN"


async def test_registration_can_be_switched_off(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    async with serve(settings_factory(registration_enabled=False), clock) as http:
        r = await http.post(
            "/api/auth/register", json={"email": "n@example.com", "password": "12345678"}
        )
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "REGISTRATION_DISABLED"


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _bad_tokens(good: str, secret_claims: dict[str, object]) -> dict[str, str]:
    now = int(time.time())
    header, payload, _sig = good.split(".")
    return {
        "malformed": "not-a-jwt",
        "garbage-segments": "abc.def.ghi",
        "wrong-signature": jwt.encode(
            secret_claims, "another-secret-of-enough-length-xx", algorithm="HS256"
        ),
        "alg-none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "expired": "EXPIRED",
        "tampered-payload": f"{header}.{_b64({**secret_claims, 'sub': '999'})}.{_sig}",
        "no-exp": jwt.encode(
            {"sub": "1", "iat": now, "jti": "x", "iss": "foryou-crm"}, "k" * 40, algorithm="HS256"
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "malformed",
        "garbage-segments",
        "wrong-signature",
        "alg-none",
        "expired",
        "tampered-payload",
        "no-exp",
        "basic-scheme",
    ],
)
async def test_every_bad_jwt_is_401_with_www_authenticate(
    client: httpx.AsyncClient, settings_factory: Callable[..., Settings], clock: Clock, case: str
) -> None:
    created = await register(client, f"{case}@example.com")
    good = created["accessToken"]
    claims = jwt.decode(good, options={"verify_signature": False})
    headers: dict[str, str] = {}
    if case == "basic-scheme":
        headers = {"Authorization": "Basic dXNlcjpwYXNz"}
    elif case == "expired":
        clock.advance(settings_factory().jwt_ttl_seconds + 1)
        headers = bearer(good)
    elif case != "missing":
        headers = bearer(_bad_tokens(good, claims)[case])
    for path in ("/api/auth/me", "/api/amo-crm/status"):
        r = await client.get(path, headers=headers)
        assert r.status_code == 401, (case, path, r.text)
        assert r.headers["WWW-Authenticate"] == "Bearer"
        body = r.json()
        assert body["success"] is False
        assert body["error"]["code"] in ("UNAUTHORIZED", "TOKEN_EXPIRED")
    r = await client.post(
        "/api/amo-crm/exchange-code", headers=headers, json={"code": "a" * 43, "state": "b" * 43}
    )
    assert r.status_code == 401


async def test_parallel_guesses_cannot_outrun_the_throttle(client: httpx.AsyncClient) -> None:
    import asyncio

    await register(client, "t@example.com")
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/auth/login", json={"email": "t@example.com", "password": f"wrong-{i}-x"}
            )
            for i in range(30)
        )
    )
    codes = [r.status_code for r in responses]
    assert codes.count(401) <= 3  # login_max_failures=3 in tests
    assert codes.count(429) >= 27


async def test_successful_sign_ins_do_not_lock_out_an_office(client: httpx.AsyncClient) -> None:
    """Many agents behind one address sign in successfully: that is not an attack."""
    for i in range(6):
        await register(client, f"office{i}@example.com")
        r = await client.post(
            "/api/auth/login",
            json={"email": f"office{i}@example.com", "password": "correct-horse-1"},
        )
        assert r.status_code == 200
