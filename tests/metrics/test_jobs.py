"""Queue depth from the job queue's table, read when scraped (PostgreSQL only: Procrastinate
keeps its jobs there)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text

from foryou_crm.core.db import make_engine
from tests.metrics.conftest import scrape

pytestmark = pytest.mark.skipif(
    not os.environ.get("FORYOU_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the job queue lives in PostgreSQL; this runs in the PostgreSQL suite",
)
JOBS = [("sync", "todo"), ("sync", "todo"), ("sync", "doing"), ("control", "failed")]


@pytest.fixture
async def queued_jobs(database_url: str) -> AsyncIterator[None]:
    """Jobs in ``procrastinate_jobs``: the real table once the queue's migration made it,
    else a stand-in with the columns the scrape reads (dropped afterwards)."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            exists = await conn.scalar(text("SELECT to_regclass('procrastinate_jobs') IS NOT NULL"))
            if not exists:
                await conn.execute(
                    text(
                        "CREATE TABLE procrastinate_jobs (id bigserial PRIMARY KEY, "
                        "queue_name text NOT NULL, task_name text NOT NULL, status text NOT NULL)"
                    )
                )
            for queue, status in JOBS:
                await conn.execute(
                    text(
                        "INSERT INTO procrastinate_jobs (queue_name, task_name, status) "
                        "VALUES (:queue, 'metrics_test', :status)"
                    ),
                    {"queue": queue, "status": status},
                )
        yield
        async with engine.begin() as conn:
            if exists:
                await conn.execute(
                    text("DELETE FROM procrastinate_jobs WHERE task_name = 'metrics_test'")
                )
            else:
                await conn.execute(text("DROP TABLE procrastinate_jobs"))
    finally:
        await engine.dispose()


async def test_jobs_are_counted_by_queue_and_status(
    queued_jobs: None, client: httpx.AsyncClient
) -> None:
    page = await scrape(client)
    assert page.value("foryou_jobs", queue="sync", status="todo") == 2
    assert page.value("foryou_jobs", queue="sync", status="doing") == 1
    assert page.value("foryou_jobs", queue="control", status="failed") == 1
