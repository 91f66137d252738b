"""Which contacts a sync asks amoCRM for: the ids in the leads' ``contacts`` lists, unnested by
the database (``store.referenced_contact_ids``, ``store.pending_contact_ids``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from foryou_crm.core.db import make_engine, make_sessionmaker
from foryou_crm.leads import store
from foryou_crm.leads.models import AmoLead
from tests.rows import add_connected_user

MOMENT = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


async def _connection(session: AsyncSession, email: str) -> int:
    return (await add_connected_user(session, email, MOMENT))[1].id


def _lead(cid: int, amo_id: int, contacts: list[dict[str, Any]], pending: bool) -> AmoLead:
    return AmoLead(
        connection_id=cid,
        amo_id=amo_id,
        name="",
        price=0,
        status_id=1,
        pipeline_id=1,
        created_at=0,
        updated_at=0,
        contacts=contacts,
        contacts_pending=pending,
    )


async def test_contact_ids_come_from_every_lead_of_the_connection_only(
    engine: AsyncEngine,
) -> None:
    async with make_sessionmaker(engine)() as session:
        mine = await _connection(session, "a@foryou.example")
        theirs = await _connection(session, "b@foryou.example")
        big = 2**62 + 5
        session.add_all(
            [
                # Named, named as JSON null, never named, and a big id; one contact twice.
                _lead(
                    mine,
                    1,
                    [
                        {"id": 10, "name": "Іра", "phone": "+380", "main": True},
                        {"id": 11, "name": None},
                        {"id": 12},
                    ],
                    pending=True,
                ),
                _lead(mine, 2, [{"id": big}, {"id": 10, "name": "Іра"}], pending=True),
                # Unnamed, but the lead is not waiting for names.
                _lead(mine, 3, [{"id": 13}], pending=False),
                _lead(mine, 4, [], pending=True),
                _lead(theirs, 1, [{"id": 99}], pending=True),
            ]
        )
        await session.commit()
        assert await store.referenced_contact_ids(session, mine) == {10, 11, 12, 13, big}
        assert await store.pending_contact_ids(session, mine) == {11, 12, big}
        assert await store.referenced_contact_ids(session, theirs) == {99}
