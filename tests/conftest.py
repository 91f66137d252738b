"""Shared fixtures: a real database built by migrations (SQLite, or PostgreSQL when
FORYOU_TEST_DATABASE_URL says so), the real app called in-process over httpx, and the real
amoCRM sandbox on the other side of the wire."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from foryou_crm.app import create_app
from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from foryou_crm.core.db import Base, make_engine
from foryou_crm.core.logging import configure_logging
from foryou_crm.core.migrate import upgrade
from foryou_crm.models import load_all_models
from foryou_crm.services import Services

TEST_CLIENT_ID = "0b7e6a2c-3f1d-4e8a-9c5b-1d2e3f4a5b6c"
TEST_CLIENT_SECRET = "test-client-secret-7d1f3b9a"
SERVICE = "http://testserver"
SANDBOX = "http://sandbox.test"

load_all_models()
configure_logging(json=False, level="WARNING")


def pytest_report_header() -> str:
    return f"database: {os.environ.get('FORYOU_TEST_DATABASE_URL') or 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database built by the migrations, once per run: PostgreSQL when
    FORYOU_TEST_DATABASE_URL says so (rebuilt from nothing), else a SQLite template file."""
    url = os.environ.get("FORYOU_TEST_DATABASE_URL")
    if url:
        asyncio.run(_run_on(url, _drop_everything))
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'template.db'}"
    upgrade(url)
    return url


@pytest.fixture
async def database_url(migrated_database: str, tmp_path: Path) -> str:
    """Each test starts on an empty migrated database: on SQLite its own copy of the template
    file, on PostgreSQL the one database with every table emptied by a single TRUNCATE."""
    if not migrated_database.startswith("sqlite"):
        await _run_on(migrated_database, _truncate_everything)
        return migrated_database
    template = migrated_database.removeprefix("sqlite+aiosqlite:///")
    copy = tmp_path / "test.db"
    # The backup API copies a consistent database whatever its WAL holds.
    with sqlite3.connect(template) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return f"sqlite+aiosqlite:///{copy}"


async def _run_on(url: str, work: Callable[[AsyncConnection], Awaitable[None]]) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await work(conn)
    finally:
        await engine.dispose()


async def _drop_everything(conn: AsyncConnection) -> None:
    # Everything in the schema: the models' tables and what migrations made beside them (the
    # job queue's tables, types and functions, the trigram extension).
    await conn.execute(text("DROP SCHEMA public CASCADE"))
    await conn.execute(text("CREATE SCHEMA public"))


# The job queue's tables (migration 0006), emptied with the models' between tests.
QUEUE_TABLES = (
    "procrastinate_events",
    "procrastinate_periodic_defers",
    "procrastinate_jobs",
    "procrastinate_workers",
)


async def _truncate_everything(conn: AsyncConnection) -> None:
    tables = ", ".join([*(t.name for t in Base.metadata.sorted_tables), *QUEUE_TABLES])
    await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def make_settings(database_url: str, data_dir: Path, /, **overrides: Any) -> Settings:
    """The service as the tests run it: development, the in-process sandbox, no .env file."""
    values: dict[str, Any] = {
        "environment": "development",
        "data_dir": data_dir,
        "database_url": database_url,
        "public_base_url": SERVICE,
        "registration_enabled": True,
        "amocrm_client_id": TEST_CLIENT_ID,
        "amocrm_client_secret": TEST_CLIENT_SECRET,
        "amocrm_sandbox_url": SANDBOX,
        "amocrm_http_timeout": 2.0,
        "amocrm_rate_limit_rps": 1000.0,
        "login_max_failures": 3,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings_factory(database_url: str, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        return make_settings(database_url, tmp_path, **overrides)

    return make


@pytest.fixture
def clock() -> Clock:
    return Clock()


@contextlib.asynccontextmanager
async def running_app(services: Services) -> AsyncIterator[FastAPI]:
    """The app over ``services``, started (its shutdown closes them)."""
    application = create_app(services, background_jobs=False, configure_logs=False)
    async with LifespanManager(application):
        yield application


def api_client(app: FastAPI) -> httpx.AsyncClient:
    """The app's API over ASGI, in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SERVICE)


@contextlib.asynccontextmanager
async def serve(settings: Settings, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a started app with these settings (for tests that need other settings)."""
    async with running_app(Services.build(settings, clock=clock)) as app, api_client(app) as c:
        yield c


@pytest.fixture
async def app(settings_factory: Callable[..., Settings], clock: Clock) -> AsyncIterator[FastAPI]:
    async with running_app(Services.build(settings_factory(), clock=clock)) as application:
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(app) as http:
        yield http


async def register(
    client: httpx.AsyncClient, email: str, password: str = "correct-horse-1", name: str = ""
) -> dict[str, Any]:
    response = await client.post(
        "/api/auth/register", json={"email": email, "password": password, "name": name}
    )
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def sandbox_config_overrides() -> dict[str, Any]:
    """Override per module/test to change the sandbox (e.g. its rate limit)."""
    return {}


@pytest.fixture
async def world(
    settings_factory: Callable[..., Settings],
    clock: Clock,
    sandbox_config_overrides: dict[str, Any],
) -> AsyncIterator[Any]:
    """The service and the real sandbox, each calling the other in-process over ASGI."""
    from foryou_crm.sandbox import SandboxConfig, create_sandbox_app
    from tests.support import LazyASGITransport, Network, World

    to_service = LazyASGITransport()
    sandbox_app = create_sandbox_app(
        SandboxConfig(
            **{
                "client_id": TEST_CLIENT_ID,
                "client_secret": TEST_CLIENT_SECRET,
                "redirect_uri": f"{SERVICE}/api/amo-crm/callback",
                "disconnect_hook_url": f"{SERVICE}/api/amo-crm/webhooks/disconnect",
                "outbound_transport": to_service,
                "rate_limit_rps": 10_000.0,
                "webhook_retry_delays": [0.05, 0.05, 0.05, 0.05],
                **sandbox_config_overrides,
            }
        )
    )
    network = Network(sandbox_app)
    services = Services.build(settings_factory(), amocrm_transport=network, clock=clock)
    application = create_app(services, background_jobs=False, configure_logs=False)
    to_service.app = application
    async with (
        LifespanManager(sandbox_app),
        LifespanManager(application),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=application), base_url=SERVICE) as api,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sandbox_app), base_url=SANDBOX
        ) as control,
    ):
        yield World(
            app=application,
            services=services,
            sandbox_app=sandbox_app,
            client=api,
            sandbox=control,
            network=network,
        )
        # Settle before shutting down, so no delivery or sync outlives this test and holds
        # the database (SQLite) while the next one starts.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(5):
                await sandbox_app.state.sandbox.drain_webhooks()
                await services.queue.run_until_idle()
