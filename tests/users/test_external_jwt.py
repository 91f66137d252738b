"""JWTs from ForYou's admin backend: accepted and mapped to a local user; others refused."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from foryou_crm.services import Services
from tests.conftest import bearer, register, serve

ISSUER = "https://admin.foryou-realestate.com"
SHARED = "admin-backend-shared-secret-0123456789abcdef"


def _claims(**extra: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": "foryou-crm",
        "user_id": "A-77",
        "email": "Agent77@ForYou.com",
        "name": "Agent 77",
        "iat": now,
        "exp": now + 600,
        **extra,
    }


def _external(settings_factory: Callable[..., Settings], **key: str) -> Settings:
    """Settings that accept the admin backend's tokens, verified with ``key``."""
    return settings_factory(
        external_jwt_issuer=ISSUER,
        external_jwt_audience="foryou-crm",
        external_jwt_user_id_claim="user_id",
        **key,
    )


@pytest.fixture
async def hs_client(
    settings_factory: Callable[..., Settings], clock: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(_external(settings_factory, external_jwt_secret=SHARED), clock) as c:
        yield c


async def test_external_hs256_token_is_accepted_and_mapped_once(
    hs_client: httpx.AsyncClient,
) -> None:
    token = jwt.encode(_claims(), SHARED, algorithm="HS256")
    first = await hs_client.get("/api/auth/me", headers=bearer(token))
    assert first.status_code == 200, first.text
    assert first.json()["data"]["email"] == "agent77@foryou.com"
    again = await hs_client.get(
        "/api/auth/me", headers=bearer(jwt.encode(_claims(), SHARED, algorithm="HS256"))
    )
    assert again.json()["data"]["id"] == first.json()["data"]["id"]
    status = await hs_client.get("/api/amo-crm/status", headers=bearer(token))
    assert status.status_code == 200
    assert status.json()["data"]["connected"] is False


@pytest.mark.parametrize(
    "token_kind",
    ["foreign-issuer", "wrong-audience", "wrong-secret", "expired", "missing-user-claim"],
)
async def test_bad_external_tokens_are_401(hs_client: httpx.AsyncClient, token_kind: str) -> None:
    claims = _claims()
    key = SHARED
    if token_kind == "foreign-issuer":
        claims["iss"] = "https://evil.example.com"
    elif token_kind == "wrong-audience":
        claims["aud"] = "someone-else"
    elif token_kind == "wrong-secret":
        key = "not-the-shared-secret-but-long-enough-0000"
    elif token_kind == "expired":
        claims["exp"] = int(time.time()) - 5
    elif token_kind == "missing-user-claim":
        claims.pop("user_id")
    r = await hs_client.get(
        "/api/auth/me", headers=bearer(jwt.encode(claims, key, algorithm="HS256"))
    )
    assert r.status_code == 401
    assert r.json()["success"] is False


async def test_external_rs256_public_key(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    settings = _external(settings_factory, external_jwt_public_key=public_pem)
    async with serve(settings, clock) as c:
        good = jwt.encode(_claims(), private, algorithm="RS256")
        assert (await c.get("/api/auth/me", headers=bearer(good))).status_code == 200
        # An HS256 token signed with the public key as secret (alg confusion) must not pass.
        confused = jwt.encode(_claims(), "x" * 64, algorithm="HS256")
        assert (await c.get("/api/auth/me", headers=bearer(confused))).status_code == 401


async def test_a_self_registered_account_never_absorbs_an_external_identity(
    hs_client: httpx.AsyncClient,
) -> None:
    """Pre-registration takeover: whoever registers the email first must not end up sharing
    the admin-backend user's account."""
    r = await hs_client.post(
        "/api/auth/register", json={"email": "agent77@foryou.com", "password": "attacker-knows-1"}
    )
    attacker_id = r.json()["data"]["user"]["id"]
    me = await hs_client.get(
        "/api/auth/me", headers=bearer(jwt.encode(_claims(), SHARED, algorithm="HS256"))
    )
    assert me.status_code == 200
    assert me.json()["data"]["id"] != attacker_id


async def test_first_sight_under_parallel_requests_maps_one_user(
    hs_client: httpx.AsyncClient,
) -> None:
    import asyncio

    token = jwt.encode(_claims(user_id="B-1", email="b1@foryou.com"), SHARED, algorithm="HS256")
    responses = await asyncio.gather(
        *(hs_client.get("/api/auth/me", headers=bearer(token)) for _ in range(8))
    )
    assert [r.status_code for r in responses] == [200] * 8
    assert len({r.json()["data"]["id"] for r in responses}) == 1


async def test_empty_external_subject_is_refused(hs_client: httpx.AsyncClient) -> None:
    token = jwt.encode(_claims(user_id=""), SHARED, algorithm="HS256")
    assert (await hs_client.get("/api/auth/me", headers=bearer(token))).status_code == 401


async def test_an_admin_backend_user_has_no_password_here_to_reset(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    """Their password lives in the admin backend: a reset here would open a second way in and
    revoke nothing (the backend's JWTs carry no token version). Disabling cuts them off."""
    from tests.admin.conftest import promote
    from tests.conftest import api_client, running_app

    settings = _external(settings_factory, external_jwt_secret=SHARED)
    services = Services.build(settings, clock=clock)
    async with running_app(services) as app, api_client(app) as client:
        admin = str((await register(client, "office@foryou-agents.com"))["accessToken"])
        await promote(services, "office@foryou-agents.com")
        external = jwt.encode(_claims(), SHARED, algorithm="HS256")
        user_id = (await client.get("/api/auth/me", headers=bearer(external))).json()["data"]["id"]

        reset = await client.post(
            f"/api/admin/users/{user_id}/reset-password", headers=bearer(admin)
        )
        assert reset.status_code == 409, reset.text
        assert reset.json()["error"]["code"] == "EXTERNAL_ACCOUNT"
        assert (await client.get("/api/auth/me", headers=bearer(external))).status_code == 200

        disabled = await client.post(f"/api/admin/users/{user_id}/disable", headers=bearer(admin))
        assert disabled.status_code == 200, disabled.text
        refused = await client.get("/api/auth/me", headers=bearer(external))
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "USER_DISABLED"
