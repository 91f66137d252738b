"""/api/admin/users… through the real app: who may call it, and what each action does to the
user's access, tokens and data."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from foryou_crm.amocrm.oauth.models import OAuthFlow
from foryou_crm.connections.models import AmoConnection
from foryou_crm.leads.models import AmoLead
from foryou_crm.services import Services
from foryou_crm.users.models import User
from tests.admin.conftest import admin_token, me
from tests.conftest import bearer, register
from tests.leads.conftest import HOST, connect
from tests.support import AMO_AGENT, World

AGENT = "leaving-agent@foryou-agents.com"
PASSWORD = "correct-horse-1"
ROUTES = [
    ("GET", "/api/admin/users"),
    ("POST", "/api/admin/users/1/disable"),
    ("POST", "/api/admin/users/1/enable"),
    ("POST", "/api/admin/users/1/reset-password"),
    ("DELETE", "/api/admin/users/1"),
]


def _services(app: FastAPI) -> Services:
    services: Services = app.state.services
    return services


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


def _data(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def _count(services: Services, model: Any, *where: Any) -> int:
    async with services.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_admin_routes_are_for_admins_only(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    agent = (await register(client, AGENT))["accessToken"]
    anonymous = await client.request(method, path)
    assert anonymous.status_code == 401
    refused = await client.request(method, path, headers=bearer(agent))
    assert refused.status_code == 403
    assert refused.json() == {
        "success": False,
        "error": {"code": "FORBIDDEN", "message": "Administrators only."},
    }


async def test_every_admin_route_declares_its_errors(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operations = [
        (method.upper(), operation)
        for path, item in spec["paths"].items()
        if path.startswith("/api/admin/")
        for method, operation in item.items()
    ]
    assert len(operations) == len(ROUTES)
    for _method, operation in operations:
        assert {"401", "403", "422"} <= set(operation["responses"]), operation["operationId"]


@dataclass(frozen=True)
class AdminAndAgent:
    admin: str  # the administrator's JWT
    agent: str  # the agent's JWT, issued at sign-up
    agent_id: int


@pytest.fixture
async def admin_and_agent(app: FastAPI, client: httpx.AsyncClient) -> AdminAndAgent:
    admin = await admin_token(client, _services(app))
    agent = await register(client, AGENT)
    return AdminAndAgent(admin, agent["accessToken"], agent["user"]["id"])


async def test_disabling_stops_a_jwt_issued_before_at_once(
    client: httpx.AsyncClient, admin_and_agent: AdminAndAgent
) -> None:
    admin, token, user_id = astuple(admin_and_agent)
    assert (await me(client, token)).status_code == 200

    disabled = _data(
        await client.post(f"/api/admin/users/{user_id}/disable", headers=bearer(admin))
    )
    assert disabled["disabled"] is True and disabled["disabledAt"]
    refused = await me(client, token)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "USER_DISABLED"
    signin = await _login(client, AGENT, PASSWORD)
    assert signin.status_code == 403
    assert signin.json()["error"]["code"] == "USER_DISABLED"

    enabled = _data(await client.post(f"/api/admin/users/{user_id}/enable", headers=bearer(admin)))
    assert enabled["disabled"] is False and enabled["disabledAt"] is None
    assert (await me(client, token)).status_code == 200
    assert (await _login(client, AGENT, PASSWORD)).status_code == 200


async def test_a_password_reset_revokes_every_jwt_of_the_user(
    client: httpx.AsyncClient, admin_and_agent: AdminAndAgent
) -> None:
    admin, first, user_id = astuple(admin_and_agent)
    second = _data(await _login(client, AGENT, PASSWORD))["accessToken"]

    reset = _data(
        await client.post(f"/api/admin/users/{user_id}/reset-password", headers=bearer(admin))
    )
    generated = reset["generatedPassword"]
    assert generated and len(generated) >= 16
    for revoked in (first, second):
        r = await me(client, revoked)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "TOKEN_REVOKED"
    assert (await _login(client, AGENT, PASSWORD)).status_code == 401
    fresh = _data(await _login(client, AGENT, generated))["accessToken"]
    assert (await me(client, fresh)).status_code == 200

    # A password the admin chooses is set as given, and not answered back.
    chosen = "chosen-by-the-office-7"
    r = await client.post(
        f"/api/admin/users/{user_id}/reset-password",
        json={"password": chosen},
        headers=bearer(admin),
    )
    assert _data(r)["generatedPassword"] is None
    assert (await me(client, fresh)).status_code == 401
    assert (await _login(client, AGENT, chosen)).status_code == 200
    short = await client.post(
        f"/api/admin/users/{user_id}/reset-password",
        json={"password": "short"},
        headers=bearer(admin),
    )
    assert short.status_code == 422


async def test_an_admin_cannot_lock_themselves_out(app: FastAPI, client: httpx.AsyncClient) -> None:
    admin = await admin_token(client, _services(app))
    own_id = _data(await me(client, admin))["id"]
    for method, path in [
        ("POST", f"/api/admin/users/{own_id}/disable"),
        ("DELETE", f"/api/admin/users/{own_id}"),
    ]:
        r = await client.request(method, path, headers=bearer(admin))
        assert r.status_code == 409
        assert r.json()["error"]["code"] == "OWN_ACCOUNT"
    assert (await me(client, admin)).status_code == 200


@pytest.mark.parametrize(
    ("user_id", "status", "code"),
    [("999", 404, "USER_NOT_FOUND"), ("0", 422, "VALIDATION_ERROR"),
     ("2147483648", 422, "VALIDATION_ERROR"), ("x", 422, "VALIDATION_ERROR")],
)  # fmt: skip
async def test_unknown_and_impossible_user_ids(
    app: FastAPI, client: httpx.AsyncClient, user_id: str, status: int, code: str
) -> None:
    admin = await admin_token(client, _services(app))
    for method, path in [("POST", f"/api/admin/users/{user_id}/disable"),
                         ("DELETE", f"/api/admin/users/{user_id}")]:  # fmt: skip
        r = await client.request(method, path, headers=bearer(admin))
        assert r.status_code == status, r.text
        assert r.json()["error"]["code"] == code


async def test_the_list_shows_each_connection_and_its_last_sync(world: World) -> None:
    admin = await admin_token(world.client, world.services)
    await connect(world, AGENT)
    await register(world.client, "new-agent@foryou-agents.com")
    page = _data(await world.client.get("/api/admin/users", headers=bearer(admin)))
    assert page["total"] == 3 and page["hasMore"] is False
    by_email = {item["email"]: item for item in page["items"]}
    assert by_email["office-admin@foryou-agents.com"]["isAdmin"] is True
    connected = by_email[AGENT]
    assert connected["isAdmin"] is False and connected["disabled"] is False
    assert connected["amocrm"]["connected"] is True
    assert connected["amocrm"]["domain"] == HOST
    assert connected["amocrm"]["sync"]["state"] == "idle"
    assert connected["amocrm"]["sync"]["lastSyncedAt"]
    assert connected["amocrm"]["sync"]["leads"] > 0
    assert by_email["new-agent@foryou-agents.com"]["amocrm"]["connected"] is False
    # Paged by id.
    first = _data(await world.client.get("/api/admin/users?limit=2", headers=bearer(admin)))
    second = _data(await world.client.get("/api/admin/users?limit=2&page=2", headers=bearer(admin)))
    assert first["hasMore"] is True and second["hasMore"] is False
    ids = [u["id"] for u in first["items"] + second["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 3
    bad = await world.client.get("/api/admin/users?limit=501", headers=bearer(admin))
    assert bad.status_code == 422


async def test_deleting_a_user_removes_their_tokens_mirror_and_webhook(world: World) -> None:
    admin = await admin_token(world.client, world.services)
    token = await connect(world, AGENT)  # an amoCRM admin: the lead webhook is subscribed
    user_id = _data(await me(world.client, token))["id"]
    # A connect attempt that got tokens at the callback but was never completed.
    _started, _page, handed = await world.consent_and_callback(token)
    assert "code" in handed
    assert len(world.sb.account(HOST).webhooks) == 1
    services = world.services
    assert await _count(services, AmoLead) > 0

    r = await world.client.delete(f"/api/admin/users/{user_id}", headers=bearer(admin))
    assert _data(r) == {"id": user_id, "connectionRemoved": True, "amocrmWebhookRemoved": True}
    assert world.sb.account(HOST).webhooks == []
    assert await _count(services, User, User.id == user_id) == 0
    assert await _count(services, AmoConnection) == 0
    assert await _count(services, AmoLead) == 0
    assert await _count(services, OAuthFlow, OAuthFlow.user_id == user_id) == 0
    gone = await me(world.client, token)
    assert gone.status_code == 401
    again = await world.client.delete(f"/api/admin/users/{user_id}", headers=bearer(admin))
    assert again.status_code == 404


async def test_the_webhook_stays_while_another_agent_uses_the_account(world: World) -> None:
    admin = await admin_token(world.client, world.services)
    leaving = await connect(world, AGENT)
    staying = await connect(world, "staying-agent@foryou-agents.com", login=AMO_AGENT)
    leaving_id = _data(await me(world.client, leaving))["id"]

    r = await world.client.delete(f"/api/admin/users/{leaving_id}", headers=bearer(admin))
    assert _data(r)["amocrmWebhookRemoved"] is False
    assert len(world.sb.account(HOST).webhooks) == 1
    status = _data(await world.client.get("/api/amo-crm/status", headers=bearer(staying)))
    assert status["connected"] is True
    assert await _count(world.services, AmoConnection) == 1


async def test_deletion_goes_ahead_when_amocrm_cannot_be_reached(world: World) -> None:
    admin = await admin_token(world.client, world.services)
    token = await connect(world, AGENT)
    user_id = _data(await me(world.client, token))["id"]
    await world.sandbox.post(
        "/_sandbox/faults", json={"endpoint": "webhooks", "kind": "500", "count": 10}
    )
    r = await world.client.delete(f"/api/admin/users/{user_id}", headers=bearer(admin))
    assert _data(r) == {"id": user_id, "connectionRemoved": True, "amocrmWebhookRemoved": False}
    assert await _count(world.services, AmoConnection) == 0
