"""Administrators for the admin tests: made as `foryou-crm users promote` makes them, through
the users service on the app's own database."""

from __future__ import annotations

import httpx

from foryou_crm.services import Services
from foryou_crm.users import service
from tests.conftest import bearer, register

ADMIN_EMAIL = "office-admin@foryou-agents.com"


async def promote(services: Services, email: str) -> None:
    async with services.sessionmaker() as session, session.begin():
        user = await service.get_by_email(session, email)
        assert user is not None
        service.set_admin(user, admin=True)


async def admin_token(client: httpx.AsyncClient, services: Services) -> str:
    """An administrator's JWT. The role is read from the database on every request, so the
    JWT from before the promotion already carries it."""
    token = str((await register(client, ADMIN_EMAIL))["accessToken"])
    await promote(services, ADMIN_EMAIL)
    return token


async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/auth/me", headers=bearer(token))
