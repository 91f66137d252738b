"""The text query runs on each engine's trigram index (migration 0003), and that index follows
every write: a new lead, a rename, a deletion, a disconnect."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from foryou_crm.core.migrate import alembic_config
from foryou_crm.leads.dialects import PostgreSQL
from foryou_crm.leads.filter import LeadFilter
from foryou_crm.leads.matches import MAX_MATCHES
from foryou_crm.leads.models import AmoLead
from foryou_crm.leads.queries import Parameters, page_query
from foryou_crm.leads.search import FTS_TABLE, TRIGRAM_INDEX
from tests.conftest import bearer
from tests.leads.conftest import HOST, all_lead_ids, api_leads, connect
from tests.support import World


async def _scalar_list(world: World, sql: str, **params: Any) -> list[Any]:
    async with world.services.engine.connect() as conn:
        return list((await conn.execute(text(sql), params)).scalars())


async def _indexed_ids(world: World, needle: str) -> list[int]:
    """Lead ids the SQLite FTS index itself holds for ``needle`` (not joined to amo_leads)."""
    return await _scalar_list(
        world, f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q", q=f'"{needle}"'
    )


def _dialect(world: World) -> str:
    return str(world.services.engine.dialect.name)


async def test_the_migrations_build_the_index(world: World) -> None:
    if _dialect(world) == "sqlite":
        names = await _scalar_list(
            world, "SELECT name FROM sqlite_master WHERE name LIKE 'amo_leads_fts%'"
        )
        assert {
            FTS_TABLE,
            "amo_leads_fts_insert",
            "amo_leads_fts_update",
            "amo_leads_fts_delete",
        } <= set(names)
    else:
        names = await _scalar_list(
            world, "SELECT indexname FROM pg_indexes WHERE tablename = 'amo_leads'"
        )
        assert TRIGRAM_INDEX in names


async def test_postgres_can_answer_the_text_query_from_the_trigram_index(world: World) -> None:
    if _dialect(world) != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's; SQLite's FTS table is queried by name")
    token = await connect(world, "agent-a@foryou.example")
    # The predicate the API builds, explained with table scans discouraged and no other filter:
    # one the GIN index cannot serve (strpos, a lowercasing call) would still be a scan.
    bind = Parameters()
    stmt = select(AmoLead.id).where(PostgreSQL().text_match("печерськ", bind)()).params(bind.values)
    sql = str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    async with world.services.engine.connect() as conn:
        await conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join((await conn.execute(text(f"EXPLAIN {sql}"))).scalars())
    assert TRIGRAM_INDEX in plan, plan
    assert await all_lead_ids(world, token, [("query", "Печерськ")])


async def test_the_index_follows_renames_deletions_and_disconnects(world: World) -> None:
    token = await connect(world, "agent-a@foryou.example")
    account = world.sb.account(HOST)
    first, second = account.leads[0], account.leads[1]
    old_name = first.name.lower()
    assert first.id in await all_lead_ids(world, token, [("query", old_name)])

    r = await world.sandbox.patch(
        f"/_sandbox/accounts/{HOST}/leads",
        json={"leads": [{"id": first.id, "name": "Ексклюзив: мансарда з терасою"}]},
    )
    assert r.is_success, r.text
    r = await world.sandbox.delete(f"/_sandbox/accounts/{HOST}/leads/{second.id}")
    assert r.is_success, r.text
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202, r.text
    await world.services.queue.run_until_idle()

    assert await all_lead_ids(world, token, [("query", "мансарда з терасою")]) == [first.id]
    assert first.id not in await all_lead_ids(world, token, [("query", old_name)])
    assert second.id not in await all_lead_ids(world, token, [("query", second.name.lower())])
    if _dialect(world) == "sqlite":
        assert await _indexed_ids(world, "мансарда з терасою") == [await _row_id(world, first.id)]
        assert await _indexed_ids(world, "ексклюзив") != []

    r = await world.client.post("/api/amo-crm/disconnect", headers=bearer(token))
    assert r.status_code == 200, r.text
    if _dialect(world) == "sqlite":
        # ON DELETE CASCADE fires the delete trigger too: nothing of the mirror stays indexed.
        assert await _indexed_ids(world, "ексклюзив") == []
        assert await _indexed_ids(world, "печерськ") == []


async def _row_id(world: World, amo_id: int) -> int:
    ids = await _scalar_list(world, "SELECT id FROM amo_leads WHERE amo_id = :a", a=amo_id)
    assert len(ids) == 1
    return int(ids[0])


async def test_both_page_plans_return_the_same_pages(world: World) -> None:
    """SQLite reads a page either through a filter's index and a sort, or by walking the sort's
    index (chosen by the count; see ``dialects.walks_sort_index``); a text query's pages come
    from its kept matches (``leads.matches``) — or, with more matches than are kept, by the
    same two plans. Small pages of a common match take the walk, one big page the other plan:
    the rows and their order must agree."""
    token = await connect(world, "agent-a@foryou.example")
    account = world.sb.account(HOST)
    sample = account.leads[len(account.leads) // 2]
    word = sample.name.split(",")[0].split()[0].lower()
    filters: list[list[tuple[str, str]]] = [
        [("query", word)],
        [("query", "dubai"), ("sort", "price")],
        [("pipelineId", str(sample.pipeline_id)), ("sort", "-updatedAt")],
        [("priceFrom", str(sorted(lead.price for lead in account.leads)[150])), ("sort", "-price")],
        [("responsibleUserId", str(sample.responsible_user_id)), ("sort", "createdAt")],
    ]
    statements: list[str] = []

    def record(statement: str) -> None:
        if "FROM amo_leads" in statement and "LIMIT" in statement:
            statements.append(statement)

    watchers = world.services.direct.watchers  # the lead list reads with them
    kept = world.services.lead_matches
    watchers.append(record)
    try:
        walked = 0
        for params in filters:
            whole = await _pages(world, token, params, limit=250)
            assert whole, params
            kept.max_matches = 0  # text queries too: none kept, so through the two plans
            try:
                statements.clear()
                paged = await _pages(world, token, params, limit=7)
            finally:
                kept.max_matches = MAX_MATCHES
            assert paged == whole, params
            # The router really chose the walk for the first small page (SQLite only): filter
            # columns as `column + 0`, the text tested row by row instead of through MATCH.
            page_1 = statements[0]
            walked += "+ ?" in page_1 or "instr(amo_leads.search_text" in page_1
    finally:
        watchers.remove(record)
    if _dialect(world) == "sqlite":
        assert walked >= 3, walked  # the small pages really took the other plan
    else:
        assert walked == 0  # PostgreSQL's planner has the statistics; no hint is given


async def test_a_text_querys_pages_read_its_kept_matches(world: World) -> None:
    """A text query's keys are read once per mirror version (``leads.matches``); every later
    page, by ``page`` or by ``cursor``, reads only its rows by id — and lists exactly what the
    query lists without kept matches. A write to the mirror reads them again."""
    token = await connect(world, "agent-a@foryou.example")
    sample = world.sb.account(HOST).leads[0]
    word = sample.name.split(",")[0].split()[0].lower()
    params = [("query", word), ("sort", "-price")]
    kept = world.services.lead_matches
    kept.max_matches = 0
    try:
        reference = await _pages(world, token, params, limit=250)
    finally:
        kept.max_matches = MAX_MATCHES
    assert len(reference) > 7, reference

    statements: list[str] = []
    world.services.direct.watchers.append(statements.append)
    try:
        assert await _pages(world, token, params, limit=7) == reference
        keys_read = [s for s in statements if "ORDER BY" in s and "LIMIT" not in s]
        assert len(keys_read) == 1, statements  # once, for the first page; none walked
        assert not [s for s in statements if "LIMIT" in s and "FROM amo_leads" in s]
        statements.clear()
        by_cursor: list[int] = []
        cursor: str | None = None
        while True:
            extra = [("cursor", cursor)] if cursor else []
            data = await api_leads(world, token, [*params, ("limit", "7"), *extra])
            by_cursor += [item["id"] for item in data["items"]]
            assert data["total"] == len(reference)
            if not data["hasMore"]:
                break
            cursor = data["nextCursor"]
        assert by_cursor == reference
        assert not [s for s in statements if "ORDER BY" in s and "LIMIT" not in s]  # kept
    finally:
        world.services.direct.watchers.remove(statements.append)


async def test_a_text_query_walks_while_a_sync_writes(world: World) -> None:
    """A running sync moves the mirror's version with every batch: its matches are not read
    and kept for each request meanwhile — the pages walk, and list the same leads."""
    token = await connect(world, "agent-a@foryou.example")
    word = world.sb.account(HOST).leads[0].name.split(",")[0].split()[0].lower()
    params = [("query", word)]
    idle = await _pages(world, token, params, limit=250)
    async with world.services.engine.begin() as conn:
        await conn.execute(text("UPDATE amo_sync_states SET state = 'running'"))
    statements: list[str] = []
    world.services.direct.watchers.append(statements.append)
    try:
        assert await _pages(world, token, params, limit=7) == idle
    finally:
        world.services.direct.watchers.remove(statements.append)
    assert not [s for s in statements if "ORDER BY" in s and "LIMIT" not in s]  # no keys read
    assert [s for s in statements if "LIMIT" in s]  # the pages themselves


async def test_a_walked_page_tests_its_filters_in_the_walk_index(world: World) -> None:
    """On SQLite a walked page reads the sort's ``walk_by`` index (migration 0010), which holds
    every filter column and the search text: the filters are tested in the index and only the
    page's rows are read from the (wide) table. (Text queries read their kept matches.)"""
    if _dialect(world) != "sqlite":
        pytest.skip("SQLite's walk; PostgreSQL's planner chooses by its statistics")
    token = await connect(world, "agent-a@foryou.example")
    sample = world.sb.account(HOST).leads[0]
    statements: list[str] = []

    def record(statement: str) -> None:
        if "FROM amo_leads" in statement and "LIMIT" in statement:
            statements.append(statement)

    world.services.direct.watchers.append(record)
    try:
        for params, index in (
            ([("pipelineId", str(sample.pipeline_id))], "ix_amo_leads_walk_by_created"),
            (
                [("pipelineId", str(sample.pipeline_id)), ("sort", "-price")],
                "ix_amo_leads_walk_by_price",
            ),
            (
                [("responsibleUserId", str(sample.responsible_user_id)), ("sort", "updatedAt")],
                "ix_amo_leads_walk_by_updated",
            ),
        ):
            statements.clear()
            await api_leads(world, token, [*params, ("limit", "3")])
            (page,) = statements
            assert "+ ?" in page or "instr(amo_leads.search_text" in page, page  # walked
            async with world.services.engine.connect() as conn:
                plan = await conn.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN {page}", (None,) * page.count("?")
                )
                details = " ".join(str(row[3]) for row in plan)
            assert f"USING INDEX {index} " in details, (params, details)
    finally:
        world.services.direct.watchers.remove(record)


async def test_postgres_walk_indexes_test_the_filters_in_the_index(world: World) -> None:
    """On PostgreSQL a filtered page may walk the sort's ``walk_by`` index (migration 0012)
    with the filter columns as its ``Index Cond``: only the page's own rows are fetched from
    the heap. (Which plan the planner takes depends on the mirror's size and statistics: the
    sandbox's few hundred leads would take none, so the other ways are switched off.)"""
    if _dialect(world) != "postgresql":
        pytest.skip("PostgreSQL's indexes; SQLite's walk is tested above")
    await connect(world, "agent-a@foryou.example")
    sample = world.sb.account(HOST).leads[0]
    async with world.services.engine.connect() as conn:
        connection_id = (await conn.execute(text("SELECT id FROM amocrm_connections"))).scalar()
        for off in ("seqscan", "bitmapscan", "sort"):
            await conn.exec_driver_sql(f"SET enable_{off} = off")
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None
        for asked, index, tested in (
            (
                {"pipelineId": sample.pipeline_id, "statusId": [sample.status_id]},
                "ix_amo_leads_walk_by_created",
                "status_id",
            ),
            (
                {"pipelineId": sample.pipeline_id, "sort": "-price"},
                "ix_amo_leads_walk_by_price",
                "pipeline_id",
            ),
            (
                {"responsibleUserId": [sample.responsible_user_id], "sort": "updatedAt"},
                "ix_amo_leads_walk_by_updated",
                "responsible_user_id",
            ),
        ):
            query, values = page_query(
                int(connection_id), LeadFilter.model_validate(asked), PostgreSQL()
            )
            compiled = query.compiled(world.services.engine.dialect)
            plan = await driver.fetchval(
                "EXPLAIN (FORMAT JSON) " + compiled.sql, *compiled.arguments(values)
            )
            scan = _scan_of((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
            assert scan["Index Name"] == index, (asked, scan)
            assert tested in scan["Index Cond"], (asked, scan)
            assert "Filter" not in scan, (asked, scan)


def _scan_of(plan: dict[str, Any]) -> dict[str, Any]:
    while "Index Name" not in plan:
        (plan,) = plan["Plans"]
    return plan


async def test_odd_text_queries_get_answers_not_errors(world: World) -> None:
    token = await connect(world, "agent-a@foryou.example")
    for query in ("²", "9" * 25, "12", 'say "hi"', "100%", "a_b", "'; DROP TABLE x; --", "ab"):
        r = await world.client.get(
            "/api/amo-crm/leads", params={"query": query}, headers=bearer(token)
        )
        assert r.status_code == 200, (query, r.text)
    # LIKE's wildcards are literal characters here, not patterns.
    assert await all_lead_ids(world, token, [("query", "%")]) == []
    assert await all_lead_ids(world, token, [("query", "_")]) == []


async def _pages(
    world: World, token: str, params: list[tuple[str, str]], *, limit: int
) -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        data = await api_leads(world, token, [*params, ("limit", str(limit)), ("page", str(page))])
        ids += [item["id"] for item in data["items"]]
        if not data["hasMore"]:
            return ids
        page += 1


async def test_upgrading_a_populated_mirror_indexes_every_lead(
    world: World, database_url: str
) -> None:
    """Deployments from before migration 0003 already hold mirrors: the upgrade indexes the
    leads that are there (and the downgrade takes the index away cleanly)."""
    token = await connect(world, "agent-a@foryou.example")
    before = sorted(await all_lead_ids(world, token, [("query", "печерськ")]))
    assert before
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "0002")
    try:
        if _dialect(world) == "sqlite":
            tables = await _scalar_list(world, "SELECT name FROM sqlite_master")
            assert FTS_TABLE not in tables
    finally:
        await asyncio.to_thread(command.upgrade, config, "head")
    assert sorted(await all_lead_ids(world, token, [("query", "печерськ")])) == before
    if _dialect(world) == "sqlite":
        assert len(await _indexed_ids(world, "печерськ")) == len(before)
