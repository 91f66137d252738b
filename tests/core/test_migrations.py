"""The database built by migrations is exactly what the models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from foryou_crm.core.db import Base, make_engine
from foryou_crm.leads.search import is_search_index_object
from foryou_crm.leads.sync.queue import is_queue_object


async def test_models_and_migrations_agree(database_url: str) -> None:
    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, *_: (
                    not (is_search_index_object(name) or is_queue_object(name))
                ),
            },
        )
        return list(compare_metadata(context, Base.metadata))

    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            changes = await conn.run_sync(diff)
    finally:
        await engine.dispose()
    assert changes == []
