"""After the first sync, changes reach the mirror: by polling (the periodic scheduler and
``POST /sync``) and by amoCRM's webhooks, which only say *which* leads changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete

from foryou_crm.leads.models import AmoLead
from foryou_crm.leads.sync import schedule
from tests.conftest import bearer
from tests.leads.conftest import HOST, api_leads, connect, status
from tests.support import AMO_ADMIN, AMO_AGENT, World

AGENT_ID = 9001102


async def _items(world: World, token: str) -> dict[int, dict[str, Any]]:
    items: dict[int, dict[str, Any]] = {}
    page = 1
    while True:
        data = await api_leads(world, token, {"limit": 250, "page": page})
        items.update({item["id"]: item for item in data["items"]})
        if not data["hasMore"]:
            return items
        page += 1


async def _change_four_leads(world: World, owner: int) -> dict[str, int]:
    """Create one, rename one, move one to "won", delete one — as the account's admin."""
    account = world.sb.account(HOST)
    own = [lead for lead in account.leads if lead.responsible_user_id == owner]
    renamed, moved, deleted = own[0].id, own[1].id, own[2].id
    r = await world.sandbox.post(
        f"/_sandbox/accounts/{HOST}/leads",
        json={
            "leads": [{"name": "Нова угода: пентхаус", "price": 777, "responsible_user_id": owner}]
        },
    )
    assert r.status_code == 201, r.text
    created = int(r.json()["leads"][0]["id"])
    r = await world.sandbox.patch(
        f"/_sandbox/accounts/{HOST}/leads",
        json={
            "leads": [
                {"id": renamed, "name": "Перейменована угода"},
                {"id": moved, "status_id": 142},
            ]
        },
    )
    assert r.is_success, r.text
    r = await world.sandbox.delete(f"/_sandbox/accounts/{HOST}/leads/{deleted}")
    assert r.is_success, r.text
    return {"created": created, "renamed": renamed, "moved": moved, "deleted": deleted}


def _check(items: dict[int, dict[str, Any]], ids: dict[str, int], before: int) -> None:
    assert items[ids["created"]]["name"] == "Нова угода: пентхаус"
    assert items[ids["created"]]["price"] == 777
    assert items[ids["renamed"]]["name"] == "Перейменована угода"
    assert items[ids["moved"]]["statusId"] == 142
    assert items[ids["moved"]]["statusName"]
    assert ids["deleted"] not in items
    assert len(items) == before


async def test_polling_picks_up_created_updated_moved_and_deleted(world: World, clock: Any) -> None:
    # An agent's token may not subscribe webhooks: polling alone keeps this mirror fresh.
    token = await connect(world, "agent@foryou.example", login=AMO_AGENT)
    assert world.sb.account(HOST).webhooks == []
    before = len(await _items(world, token))
    ids = await _change_four_leads(world, AGENT_ID)

    # The periodic scheduler: nothing is due yet; after the interval, an incremental sync runs.
    interval = timedelta(seconds=world.services.settings.amocrm_sync_interval_seconds)
    queue = world.services.queue
    assert await schedule.tick(queue.deps, queue) == 0
    clock.advance(interval.total_seconds() + 1)
    world.sb.log.clear()
    assert await schedule.tick(queue.deps, queue) == 1
    await world.services.queue.run_until_idle()
    _check(await _items(world, token), ids, before)
    # Incremental: newest changes first, not every page again.
    pages = [e for e in world.sb.log.as_json()["entries"] if e["endpoint"] == "leads"]
    assert pages and all("order" in e["query"] for e in pages)
    st = await status(world, token)
    assert st["sync"]["state"] == "idle" and st["sync"]["leads"] == before

    # On demand: POST /sync answers at once with the state (queued), the job runs after.
    more = await _change_four_leads(world, AGENT_ID)
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202, r.text
    assert r.json()["data"]["state"] == "queued"
    await world.services.queue.run_until_idle()
    _check(await _items(world, token), more, before)


async def test_webhooks_trigger_a_refetch_of_the_named_leads(world: World) -> None:
    token = await connect(world, "admin@foryou.example")
    hooks = world.sb.account(HOST).webhooks
    assert len(hooks) == 1 and "/api/amo-crm/webhooks/leads/" in hooks[0].destination
    before = len(await _items(world, token))
    world.sb.log.clear()
    ids = await _change_four_leads(world, 9001101)
    await world.sb.drain_webhooks()
    await world.services.queue.run_until_idle()
    deliveries = [d for d in world.sb.outbox.deliveries if d.kind == "webhook"]
    assert deliveries and all(d.status == 200 for d in deliveries)
    _check(await _items(world, token), ids, before)
    # No sync ran: each named lead was read back on its own (the payload is not trusted).
    endpoints = {e["endpoint"] for e in world.sb.log.as_json()["entries"]}
    assert "leads" not in endpoints and "lead" in endpoints


async def test_webhook_payload_data_is_not_trusted(world: World) -> None:
    token = await connect(world, "admin@foryou.example")
    destination = world.sb.account(HOST).webhooks[0].destination
    path = destination.removeprefix("http://testserver")
    lead = world.sb.account(HOST).leads[0]
    forged = {
        "leads[update][0][id]": str(lead.id),
        "leads[update][0][name]": "Forged name",
        "leads[update][0][price]": "1",
        "account[id]": "31920194",
    }
    r = await world.client.post(path, data=forged)
    assert r.status_code == 200, r.text
    await world.services.queue.run_until_idle()
    items = await _items(world, token)
    assert items[lead.id]["name"] == lead.name and items[lead.id]["price"] == lead.price


async def test_unknown_webhook_secret_is_404(world: World) -> None:
    await connect(world, "admin@foryou.example")
    for secret in ("0" * 64, "not-a-secret"):
        r = await world.client.post(
            f"/api/amo-crm/webhooks/leads/{secret}", data={"leads[add][0][id]": "1"}
        )
        assert r.status_code == 404
        assert r.json() == {
            "success": False,
            "error": {"code": "NOT_FOUND", "message": "No such webhook."},
        }


@pytest.mark.parametrize("refetched_first", [False, True], ids=["polling", "webhook-raced"])
async def test_a_deletion_during_a_multi_page_pass_hides_no_change(
    world: World, refetched_first: bool
) -> None:
    """amoCRM pages by offset. A lead deleted after page 1 was read moves every later lead up
    one place, so the first lead of page 2 slips into page 1 unread. The pass notices the
    deletion and keeps its old high-water mark: the next pass reads the range again — also
    when a webhook's re-fetch has already removed the deleted lead from the mirror."""
    token = await connect(world, "agent@foryou.example", login=AMO_AGENT)
    created: list[int] = []
    # More than one page of changes: 60 older ones, then 200 newer, ten seconds apart, so the
    # lead that slips from page 2 into page 1 is older than the newest change.
    for batch in (range(0, 60), range(60, 260)):
        if batch.start:
            world.sb.advance_clock(10)
        r = await world.sandbox.post(
            f"/_sandbox/accounts/{HOST}/leads",
            json={
                "leads": [
                    {"name": f"Новобудова {i}", "price": 1000 + i, "responsible_user_id": AGENT_ID}
                    for i in batch
                ]
            },
        )
        assert r.status_code == 201, r.text
        created += [int(lead["id"]) for lead in r.json()["leads"]]
    deleted: list[int] = []

    async def delete_a_lead_of_page_1(request: httpx.Request, response: httpx.Response) -> None:
        params = request.url.params
        changes_page_1 = (
            request.url.path.endswith("/api/v4/leads")
            and params.get("page") == "1"
            and "order[updated_at]" in params
            and "only_deleted" not in params.get("with", "")
        )
        if changes_page_1 and not deleted and response.status_code == 200:
            page = [int(lead["id"]) for lead in response.json()["_embedded"]["leads"]]
            assert len(page) == 250
            deleted.append(page[0])
            r = await world.sandbox.delete(f"/_sandbox/accounts/{HOST}/leads/{page[0]}")
            assert r.is_success, r.text
            if refetched_first:  # what a webhook's re-fetch of that lead does meanwhile
                async with world.services.sessionmaker() as session, session.begin():
                    await session.execute(delete(AmoLead).where(AmoLead.amo_id == page[0]))

    world.network.after = delete_a_lead_of_page_1
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202, r.text
    await world.services.queue.run_until_idle()
    world.network.after = None
    assert deleted, "the pass never read a full first page"

    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202, r.text
    await world.services.queue.run_until_idle()
    items = await _items(world, token)
    assert deleted[0] not in items
    alive = set(created) - set(deleted)
    assert alive <= set(items), sorted(alive - set(items))


async def _last_synced(world: World, admin: str) -> dict[str, Any]:
    r = await world.client.get("/api/admin/users", headers=bearer(admin))
    assert r.status_code == 200, r.text
    return {
        u["email"]: u["amocrm"]["sync"]["lastSyncedAt"]
        for u in r.json()["data"]["items"]
        if u["amocrm"]["connected"]
    }


async def test_a_disabled_agent_is_not_polled_until_enabled_again(world: World, clock: Any) -> None:
    """An agent who left: the administrator disables them (`users disable`, the admin API),
    and the scheduler stops spending the shared account budget on a mirror nobody can read."""
    from tests.admin.conftest import admin_token, me

    admin = await admin_token(world.client, world.services)
    await connect(world, "stays@foryou.example", login=AMO_ADMIN)
    leaving = await connect(world, "leaves@foryou.example", login=AMO_AGENT)
    leaving_id = (await me(world.client, leaving)).json()["data"]["id"]
    r = await world.client.post(f"/api/admin/users/{leaving_id}/disable", headers=bearer(admin))
    assert r.status_code == 200, r.text
    first = await _last_synced(world, admin)

    queue = world.services.queue
    clock.advance(world.services.settings.amocrm_sync_interval_seconds + 1)
    assert await schedule.tick(queue.deps, queue) == 1  # the agent still working
    await queue.run_until_idle()
    polled = await _last_synced(world, admin)
    assert polled["stays@foryou.example"] != first["stays@foryou.example"]
    assert polled["leaves@foryou.example"] == first["leaves@foryou.example"]
    assert await schedule.tick(queue.deps, queue) == 0

    r = await world.client.post(f"/api/admin/users/{leaving_id}/enable", headers=bearer(admin))
    assert r.status_code == 200, r.text
    assert await schedule.tick(queue.deps, queue) == 1  # due: its interval passed meanwhile
    await queue.run_until_idle()
    again = await _last_synced(world, admin)
    assert again["leaves@foryou.example"] != first["leaves@foryou.example"]
