from __future__ import annotations

from tests.leads.conftest import api_leads, connect, status
from tests.support import World


async def test_first_sync_mirrors_the_account(world: World) -> None:
    token = await connect(world, "agent-a@foryou.example")
    data = await api_leads(world, token)
    st = await status(world, token)
    assert st["sync"]["state"] == "idle", st
    assert data["total"] == 300
    item = data["items"][0]
    assert item["url"].startswith("https://reforyou.amocrm.ru/leads/detail/")
    print(item)
