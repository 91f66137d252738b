"""A lead, whole: the mirror holds what amoCRM (the sandbox) holds for every detail the API
serves — contacts with phones and e-mails, company, custom fields, the latest notes, the open
tasks — after the first sync and after each kind of change, by polling and by webhooks; and
only for the caller's own leads."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import parse_qsl

import pytest
from sqlalchemy import func, select

from foryou_crm.connections.models import SyncState
from foryou_crm.leads.models import AmoNote
from foryou_crm.leads.sync import schedule
from tests.conftest import bearer
from tests.leads.conftest import HOST, api_leads, connect
from tests.leads.test_resilience import connect_without_waiting
from tests.support import AMO_AGENT, World

AGENT_ID = 9001102


async def _card(world: World, lead_id: int) -> dict[str, Any]:
    """The lead as amoCRM serves it, with its contacts, company, notes and tasks (the
    sandbox's own view, not through the service)."""
    r = await world.sandbox.get(f"/_sandbox/accounts/{HOST}/leads/{lead_id}/card")
    assert r.status_code == 200, r.text
    card: dict[str, Any] = r.json()
    return card


def _typed(contact: dict[str, Any], code: str) -> list[dict[str, Any]]:
    for field in contact.get("custom_fields_values") or []:
        if field["field_code"] == code:
            return [{"value": v["value"], "type": v.get("enum_code")} for v in field["values"]]
    return []


def _expected(card: dict[str, Any]) -> dict[str, Any]:
    """What GET /leads/{id} must answer for this card."""
    lead = card["lead"]
    links = sorted(lead["_embedded"]["contacts"], key=lambda c: not c["is_main"])
    contacts = {c["id"]: c for c in card["contacts"]}
    notes = sorted(card["notes"], key=lambda n: (n["created_at"], n["id"]), reverse=True)
    tasks = sorted(
        (t for t in card["tasks"] if not t["is_completed"]),
        key=lambda t: (t["complete_till"], t["id"]),
    )
    company = card["company"]
    return {
        "contacts": [
            {
                "id": link["id"],
                "name": contacts[link["id"]]["name"],
                "phones": _typed(contacts[link["id"]], "PHONE"),
                "emails": _typed(contacts[link["id"]], "EMAIL"),
                "position": next(
                    (p["value"] for p in _typed(contacts[link["id"]], "POSITION")), None
                ),
                "isMain": i == 0,
            }
            for i, link in enumerate(links)
        ],
        "company": {"id": company["id"], "name": company["name"]} if company else None,
        "customFields": [
            {
                "id": f["field_id"],
                "name": f["field_name"],
                "type": f["field_type"],
                "values": [{"value": v["value"], "enumId": v.get("enum_id")} for v in f["values"]],
            }
            for f in lead["custom_fields_values"] or []
        ],
        "notes": [{"id": n["id"], "type": n["note_type"], "params": n["params"]} for n in notes][
            :20
        ],
        "tasks": [{"id": t["id"], "text": t["text"]} for t in tasks],
        "name": lead["name"],
        "price": lead["price"],
    }


async def _detail(world: World, token: str, lead_id: int) -> dict[str, Any]:
    r = await world.client.get(f"/api/amo-crm/leads/{lead_id}", headers=bearer(token))
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()["data"]
    return data


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "contacts": [
            {k: c[k] for k in ("id", "name", "phones", "emails", "position", "isMain")}
            for c in data["contacts"]
        ],
        "company": data["company"],
        "customFields": [
            {
                "id": f["id"],
                "name": f["name"],
                "type": f["type"],
                "values": [{"value": v["value"], "enumId": v["enumId"]} for v in f["values"]],
            }
            for f in data["customFields"]
        ],
        "notes": [{"id": n["id"], "type": n["type"], "params": n["params"]} for n in data["notes"]],
        "tasks": [{"id": t["id"], "text": t["text"]} for t in data["tasks"]],
        "name": data["name"],
        "price": data["price"],
    }


async def _assert_mirrored(world: World, token: str, lead_ids: list[int]) -> None:
    for lead_id in lead_ids:
        expected = _expected(await _card(world, lead_id))
        assert _comparable(await _detail(world, token, lead_id)) == expected, lead_id


async def test_every_lead_matches_the_sandbox_after_the_first_sync(world: World) -> None:
    token = await connect(world, "admin@foryou.example")
    ids = [lead.id for lead in world.sb.account(HOST).leads]
    await _assert_mirrored(world, token, ids)
    # The seed has every kind of detail; the comparison above saw them.
    details = [await _detail(world, token, i) for i in ids[:60]]
    assert any(d["company"] for d in details)
    assert any(d["tasks"] for d in details) and any(d["notes"] for d in details)
    assert any(d["customFields"] for d in details)
    assert any(p["type"] for d in details for c in d["contacts"] for p in c["phones"])
    # List items: the main contact's name and phone, the account's currency.
    data = await api_leads(world, token, {"limit": 250})
    item = next(i for i in data["items"] if i["contacts"])
    main = item["contacts"][0]
    assert main["isMain"] and main["name"] and main["phone"].startswith("+380")
    account = world.sb.account(HOST)
    assert {i["currency"] for i in data["items"]} == {account.currency}
    r = await world.client.get("/api/amo-crm/status", headers=bearer(token))
    assert r.json()["data"]["currency"] == account.currency
    assert r.json()["data"]["currencySymbol"] == account.currency_symbol


def _pick(world: World, cards: list[dict[str, Any]]) -> dict[str, Any]:
    """A lead with a contact that has a phone, an open task and custom fields."""
    for card in cards:
        open_tasks = [t for t in card["tasks"] if not t["is_completed"]]
        if open_tasks and card["contacts"] and card["lead"]["custom_fields_values"]:
            return card
    raise AssertionError("the seed has no lead with a contact, an open task and custom fields")


async def _change_everything(world: World, token: str, owner: int) -> dict[str, Any]:
    """Edit a contact's phone, add a note, close a task, change a custom field, rename a
    company — through the sandbox's own admin endpoints (each sends its webhooks)."""
    own = [lead.id for lead in world.sb.account(HOST).leads if lead.responsible_user_id == owner]
    cards = [await _card(world, i) for i in own[:40]]
    card = _pick(world, cards)
    lead_id = card["lead"]["id"]
    with_company = next(c for c in cards if c["company"])
    contact = card["contacts"][0]["id"]
    task = next(t["id"] for t in card["tasks"] if not t["is_completed"])
    fields = (await world.client.get("/api/amo-crm/custom-fields", headers=bearer(token))).json()
    field = fields["data"]["fields"][0]
    chosen = {
        v["enum_id"]
        for f in card["lead"]["custom_fields_values"]
        if f["field_id"] == field["id"]
        for v in f["values"]
    }
    enum = next(e["id"] for e in field["enums"] if e["id"] not in chosen)
    base = f"/_sandbox/accounts/{HOST}"
    changes = [
        world.sandbox.patch(
            f"{base}/contacts",
            json={
                "contacts": [
                    {
                        "id": contact,
                        "custom_fields_values": [
                            {"field_code": "PHONE", "values": [{"value": "+380501112233"}]}
                        ],
                    }
                ]
            },
        ),
        world.sandbox.post(
            f"{base}/notes",
            json={
                "entityType": "leads",
                "notes": [
                    {
                        "entity_id": lead_id,
                        "note_type": "common",
                        "params": {"text": "Нова нотатка"},
                    }
                ],
            },
        ),
        world.sandbox.patch(
            f"{base}/tasks",
            json={"tasks": [{"id": task, "is_completed": True, "result": {"text": "Готово"}}]},
        ),
        world.sandbox.patch(
            f"{base}/leads",
            json={
                "leads": [
                    {
                        "id": lead_id,
                        "custom_fields_values": [
                            {"field_id": field["id"], "values": [{"enum_id": enum}]}
                        ],
                    }
                ]
            },
        ),
        world.sandbox.patch(
            f"{base}/companies",
            json={"companies": [{"id": with_company["company"]["id"], "name": "ТОВ «Нова назва»"}]},
        ),
    ]
    for change in changes:
        r = await change
        assert r.is_success, r.text
    return {
        "leads": [lead_id, with_company["lead"]["id"]],
        "lead": lead_id,
        "contact": contact,
        "task": task,
        "field": field["id"],
        "enum": enum,
        "company_lead": with_company["lead"]["id"],
    }


async def _check_changed(world: World, token: str, changed: dict[str, Any]) -> None:
    await _assert_mirrored(world, token, changed["leads"])
    detail = await _detail(world, token, changed["lead"])
    contact = next(c for c in detail["contacts"] if c["id"] == changed["contact"])
    assert contact["phones"][0]["value"] == "+380501112233"
    assert detail["notes"][0]["text"] == "Нова нотатка"
    assert changed["task"] not in {t["id"] for t in detail["tasks"]}
    values = next(f for f in detail["customFields"] if f["id"] == changed["field"])["values"]
    assert [v["enumId"] for v in values] == [changed["enum"]]
    company = (await _detail(world, token, changed["company_lead"]))["company"]
    assert company["name"] == "ТОВ «Нова назва»"
    # The list carries the new phone when the edited contact is a lead's main one.
    data = await api_leads(world, token, {"query": str(changed["lead"])})
    listed = {c["id"]: c for c in data["items"][0]["contacts"]}
    assert listed[changed["contact"]]["phone"] == "+380501112233"
    # …and the new enum filters it in.
    found = await api_leads(
        world, token, [("customField", f"{changed['field']}:{changed['enum']}"), ("limit", "250")]
    )
    assert changed["lead"] in {i["id"] for i in found["items"]}


async def test_changes_reach_the_mirror_by_polling(world: World) -> None:
    # An agent's token may not subscribe webhooks: the incremental pass alone keeps it fresh.
    token = await connect(world, "agent@foryou.example", login=AMO_AGENT)
    changed = await _change_everything(world, token, AGENT_ID)
    world.sb.log.clear()
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202, r.text
    await world.services.queue.run_until_idle()
    await _check_changed(world, token, changed)
    # An incremental pass: no page of every lead, no request per lead.
    endpoints = [e["endpoint"] for e in world.sb.log.as_json()["entries"]]
    assert "lead" not in endpoints
    assert endpoints.count("notes") == 1 and endpoints.count("tasks") == 1, endpoints


async def test_changes_reach_the_mirror_by_webhooks(world: World) -> None:
    token = await connect(world, "admin@foryou.example")
    world.sb.log.clear()
    changed = await _change_everything(world, token, 9001101)
    await world.sb.drain_webhooks()
    await world.services.queue.run_until_idle()
    await _check_changed(world, token, changed)
    # No sync ran: the named leads were read back, their details in bulk.
    entries = world.sb.log.as_json()["entries"]
    assert "leads" not in {e["endpoint"] for e in entries}
    assert sum(e["endpoint"] == "notes" for e in entries) <= 3


async def test_another_agents_lead_is_not_found(world: World) -> None:
    agent = await connect(world, "agent@foryou.example", login=AMO_AGENT)
    admin = await connect(world, "admin@foryou.example")
    others = [
        lead.id for lead in world.sb.account(HOST).leads if lead.responsible_user_id != AGENT_ID
    ]
    assert (
        await world.client.get(f"/api/amo-crm/leads/{others[0]}", headers=bearer(admin))
    ).status_code == 200
    for lead_id in (others[0], 999_999_999):
        r = await world.client.get(f"/api/amo-crm/leads/{lead_id}", headers=bearer(agent))
        assert r.status_code == 404, r.text
        assert r.json() == {
            "success": False,
            "error": {"code": "LEAD_NOT_FOUND", "message": "No such lead in your amoCRM mirror."},
        }
    for bad in ("0", "-1", "abc", str(2**63)):
        r = await world.client.get(f"/api/amo-crm/leads/{bad}", headers=bearer(agent))
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["success"] is False
    r = await world.client.get(f"/api/amo-crm/leads/{others[0]}")
    assert r.status_code == 401


async def test_custom_field_filter_matches_amocrm(world: World) -> None:
    from tests.leads.conftest import sandbox_lead_ids, sandbox_token

    token = await connect(world, "admin@foryou.example")
    fields = (await world.client.get("/api/amo-crm/custom-fields", headers=bearer(token))).json()
    listed = fields["data"]["fields"]
    assert listed and all(f["type"] in ("select", "multiselect", "radiobutton") for f in listed)
    assert all(f["enums"] for f in listed)
    direct = await sandbox_token(world)
    first, second = listed[0], listed[1]
    cases = [
        [(first["id"], first["enums"][0]["id"])],
        [(first["id"], first["enums"][0]["id"]), (first["id"], first["enums"][1]["id"])],
        [(first["id"], first["enums"][0]["id"]), (second["id"], second["enums"][0]["id"])],
    ]
    for case in cases:
        ours = [("customField", f"{f}:{e}") for f, e in case]
        theirs = [(f"filter[custom_fields_values][{f}][]", str(e)) for f, e in case]
        mirrored = await api_leads(world, token, [*ours, ("limit", "250")])
        expected = await sandbox_lead_ids(world, direct, theirs)
        assert mirrored["total"] == len(expected) > 0, case
        assert {i["id"] for i in mirrored["items"]} == set(expected)


@pytest.mark.parametrize(
    "values",
    [
        ["1"],
        ["1:"],
        [":2"],
        ["0:5"],
        ["a:b"],
        ["1:2:3"],
        [f"{10**18}:1"],
        ["1:2"] * 11,
    ],
)
async def test_bad_custom_field_filters_are_422(world: World, values: list[str]) -> None:
    token = await connect(world, "admin@foryou.example")
    r = await world.client.get(
        "/api/amo-crm/leads", params=[("customField", v) for v in values], headers=bearer(token)
    )
    assert r.status_code == 422, r.text
    assert r.json()["success"] is False


async def _add_notes(world: World, notes: list[tuple[int, str]]) -> None:
    """Common notes added in amoCRM (the sandbox), each (lead id, text)."""
    r = await world.sandbox.post(
        f"/_sandbox/accounts/{HOST}/notes",
        json={
            "entityType": "leads",
            "notes": [
                {"entity_id": lead, "note_type": "common", "params": {"text": text}}
                for lead, text in notes
            ],
        },
    )
    assert r.is_success, r.text


async def test_a_lead_keeps_its_latest_twenty_notes(world: World) -> None:
    token = await connect(world, "admin@foryou.example")
    lead_id = world.sb.account(HOST).leads[0].id
    await _add_notes(world, [(lead_id, f"Нотатка {i}") for i in range(25)])
    await world.sb.drain_webhooks()
    await world.services.queue.run_until_idle()
    await _assert_mirrored(world, token, [lead_id])
    notes = (await _detail(world, token, lead_id))["notes"]
    assert len(notes) == 20 and notes[0]["text"] == "Нотатка 24"
    async with world.services.sessionmaker() as session:
        kept = await session.scalar(
            select(func.count()).select_from(AmoNote).where(AmoNote.lead_id == lead_id)
        )
    assert kept == 20


@pytest.mark.parametrize("sandbox_config_overrides", [{"leads": 3000}])
async def test_a_worker_stopped_mid_details_goes_on_after_its_last_batch(world: World) -> None:
    """SIGTERM during phase DETAILS: the job saved the last batch of leads whose notes and
    tasks it wrote; its continuation reads only the leads after it."""
    # Slow enough that the stop lands with batches still to read (several are in flight).
    world.sb.inject_fault("notes", "latency", count=10_000, ms=100)
    token = await connect_without_waiting(world, "a@foryou.example")
    queue = world.services.queue
    stopping = asyncio.Event()
    working = asyncio.create_task(queue.run_worker(concurrency=1, stopping=stopping))
    async with asyncio.timeout(60):
        while True:
            async with world.services.sessionmaker() as session:
                state = (await session.execute(select(SyncState))).scalar_one_or_none()
            if state is not None and state.phase == "details" and state.cursor_id is not None:
                break
            await asyncio.sleep(0.005)
    stopping.set()
    working.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await working
    async with world.services.sessionmaker() as session:
        state = (await session.execute(select(SyncState))).scalar_one()
    assert state.phase == "details" and state.cursor_id is not None
    cursor = state.cursor_id
    world.sb.faults.clear()
    world.sb.log.clear()
    await queue.run_until_idle()
    entries = [e for e in world.sb.log.as_json()["entries"] if e["endpoint"] == "notes"]
    asked = [
        int(v) for e in entries for k, v in parse_qsl(e["query"]) if k == "filter[entity_id][]"
    ]
    assert asked and min(asked) > cursor  # the batches before the cursor were not read again
    ids = [lead.id for lead in world.sb.account(HOST).leads]
    sample = ids[:: len(ids) // 30]
    await _assert_mirrored(world, token, sample)


async def test_an_incremental_pass_applies_pages_of_changes_one_after_another(
    world: World,
) -> None:
    """More changed notes and tasks than one page holds (250): every page is applied, the
    completed tasks leave, each lead keeps its latest notes — as amoCRM has them. (An agent's
    token: no webhooks, so the incremental pass alone brings the changes.)"""
    token = await connect(world, "agent@foryou.example", login=AMO_AGENT)
    base = f"/_sandbox/accounts/{HOST}"
    account = world.sb.account(HOST)
    leads = [lead.id for lead in account.leads if lead.responsible_user_id == AGENT_ID][:150]
    per_lead = -(-300 // len(leads))  # changes spread so that each kind needs two pages
    created: list[int] = []
    half = len(leads) // 2
    for chunk in (leads[:half], leads[half:]):
        r = await world.sandbox.post(
            f"{base}/tasks",
            json={
                "tasks": [
                    {
                        "entity_id": lead,
                        "entity_type": "leads",
                        "text": f"Передзвонити {n}",
                        "complete_till": 1_900_000_000 + n,
                    }
                    for lead in chunk
                    for n in range(per_lead)
                ]
            },
        )
        assert r.is_success, r.text
        created += [t["id"] for t in r.json()["tasks"]]
        await _add_notes(world, [(lead, f"Огляд {n}") for lead in chunk for n in range(per_lead)])
    completed = created[::5]
    r = await world.sandbox.patch(
        f"{base}/tasks", json={"tasks": [{"id": t, "is_completed": True} for t in completed]}
    )
    assert r.is_success, r.text
    world.sb.log.clear()
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202, r.text
    await world.services.queue.run_until_idle()
    endpoints = [e["endpoint"] for e in world.sb.log.as_json()["entries"]]
    assert endpoints.count("notes") >= 2 and endpoints.count("tasks") >= 2, endpoints
    await _assert_mirrored(world, token, leads[::7] + leads[-3:])
    mirrored = {
        t["id"] for lead in leads[:30] for t in (await _detail(world, token, lead))["tasks"]
    }
    assert set(created[:60]) - set(completed) <= mirrored
    assert not mirrored & set(completed)


async def test_a_task_deleted_in_amocrm_leaves_the_mirror_by_polling(world: World) -> None:
    # amoCRM lists no deleted tasks: the incremental pass finds them in the events feed.
    token = await connect(world, "agent@foryou.example", login=AMO_AGENT)
    own = [lead.id for lead in world.sb.account(HOST).leads if lead.responsible_user_id == AGENT_ID]
    card = next(c for c in [await _card(world, i) for i in own[:40]] if _open_tasks(c))
    task = _open_tasks(card)[0]["id"]
    assert task in {t["id"] for t in (await _detail(world, token, card["lead"]["id"]))["tasks"]}
    r = await world.sandbox.delete(f"/_sandbox/accounts/{HOST}/tasks/{task}")
    assert r.is_success, r.text
    world.sb.log.clear()
    r = await world.client.post("/api/amo-crm/sync", headers=bearer(token))
    assert r.status_code == 202, r.text
    await world.services.queue.run_until_idle()
    await _assert_mirrored(world, token, [card["lead"]["id"]])
    assert task not in {t["id"] for t in (await _detail(world, token, card["lead"]["id"]))["tasks"]}
    endpoints = [e["endpoint"] for e in world.sb.log.as_json()["entries"]]
    assert endpoints.count("events") == 1


def _open_tasks(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in card["tasks"] if not t["is_completed"]]


async def test_every_full_pass_subscribes_the_webhook_again(world: World, clock: Any) -> None:
    """A connection made before the webhook named notes, tasks and contacts (or whose webhook
    was deleted in amoCRM) gets the current subscription with its next full pass."""
    await connect(world, "admin@foryou.example")
    account = world.sb.account(HOST)
    assert "note_lead" in account.webhooks[0].settings
    account.webhooks.clear()
    clock.advance(world.services.settings.amocrm_full_sync_hours * 3600 + 1)
    queue = world.services.queue
    assert await schedule.tick(queue.deps, queue) == 1
    await queue.run_until_idle()
    assert len(account.webhooks) == 1
    assert {"note_lead", "update_task", "update_contact"} <= set(account.webhooks[0].settings)
