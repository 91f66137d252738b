"""The names the list shows beside a lead's ids (pipeline, status and colour, responsible user)
are kept per mirror version (``leads.kept``): they follow amoCRM once a sync brings a change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from foryou_crm.connections.models import SyncState
from foryou_crm.leads import store
from tests.conftest import bearer
from tests.leads.conftest import HOST, api_leads, connect
from tests.support import World


async def _version(world: World) -> int:
    async with world.services.sessionmaker() as session:
        return int((await session.execute(select(SyncState.mirror_version))).scalar_one())


async def _sync(world: World, token: str) -> None:
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202, r.text
    await world.services.queue.run_until_idle()


async def _first(world: World, token: str) -> dict[str, Any]:
    item: dict[str, Any] = (await api_leads(world, token, {"limit": 1}))["items"][0]
    return item


async def test_the_list_shows_the_names_amocrm_has_after_the_sync_that_brought_them(
    world: World,
) -> None:
    token = await connect(world, "agent-a@foryou.example")
    before = await _first(world, token)
    assert before["statusName"] and before["pipelineName"] and before["responsibleUserName"]

    version = await _version(world)
    account = world.sb.account(HOST)
    pipeline = next(p for p in account.pipelines if p.id == before["pipelineId"])
    status = next(s for s in pipeline.statuses if s.id == before["statusId"])
    user = account.users[before["responsibleUserId"]]
    pipeline.name, status.name, status.color = "Оренда", "Огляд квартири", "#99ccff"
    user.name = "Олена Коваль"

    # Read before the sync: the mirror's names, as kept.
    assert await _first(world, token) == before
    await _sync(world, token)
    assert await _version(world) > version
    after = await _first(world, token)
    assert (
        after["pipelineName"],
        after["statusName"],
        after["statusColor"],
        after["responsibleUserName"],
    ) == ("Оренда", "Огляд квартири", "#99ccff", "Олена Коваль")
    assert {k: v for k, v in after.items() if not k.endswith(("Name", "Color"))} == {
        k: v for k, v in before.items() if not k.endswith(("Name", "Color"))
    }

    # The detail view joins the same names.
    r = await world.client.get(f"/api/amo-crm/leads/{after['id']}", headers=bearer(token))
    assert r.status_code == 200, r.text
    detail = r.json()["data"]
    assert (detail["statusName"], detail["pipelineName"], detail["responsibleUserName"]) == (
        "Огляд квартири",
        "Оренда",
        "Олена Коваль",
    )


async def test_writing_the_pipelines_moves_the_mirror_version_on(world: World) -> None:
    # (A sync also rewrites the leads it reads again, which moves the version by itself: here
    # the pipelines alone are written.)
    await connect(world, "agent-a@foryou.example")
    version = await _version(world)
    async with world.services.sessionmaker() as session:
        cid = (await session.execute(select(SyncState.connection_id))).scalar_one()
        pipeline = {
            "id": 1,
            "name": "Оренда",
            "_embedded": {"statuses": [{"id": 2, "name": "Нова"}]},
        }
        await store.replace_reference(session, cid, [pipeline], None)
        await session.commit()
    assert await _version(world) == version + 1
