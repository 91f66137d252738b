"""The control API changes the world "in amoCRM" — contacts, companies, notes, tasks,
custom fields, links, deletions — exactly as the API would (events, webhooks, stamps)."""

from __future__ import annotations

import asyncio
from typing import Any

from .conftest import AGENT, AMO, Amo, Receiver, Tokens


async def _card(amo: Amo, lead_id: int) -> dict[str, Any]:
    response = await amo.control("GET", f"/accounts/{AMO}/leads/{lead_id}/card")
    assert response.status_code == 200, response.text
    card: dict[str, Any] = response.json()
    return card


async def test_lead_card_matches_the_api(amo: Amo, admin: Tokens) -> None:
    lead = next(x for x in await amo.leads(admin, "with=contacts") if x["_embedded"]["companies"])
    card = await _card(amo, lead["id"])
    assert card["lead"] == lead
    contacts = [
        (await amo.get(admin, f"/api/v4/contacts/{c['id']}")).json()
        for c in lead["_embedded"]["contacts"]
    ]
    assert card["contacts"] == contacts
    company = lead["_embedded"]["companies"][0]["id"]
    assert card["company"] == (await amo.get(admin, f"/api/v4/companies/{company}")).json()
    notes = await amo.every(admin, f"/api/v4/leads/{lead['id']}/notes")
    assert sorted(n["id"] for n in card["notes"]) == sorted(n["id"] for n in notes)
    assert [n["created_at"] for n in card["notes"]] == sorted(
        (n["created_at"] for n in notes), reverse=True
    )
    tasks = await amo.every(
        admin, "/api/v4/tasks", f"filter[entity_type]=leads&filter[entity_id]={lead['id']}"
    )
    assert sorted(t["id"] for t in card["tasks"]) == sorted(t["id"] for t in tasks)


async def test_edit_a_contacts_phone(amo: Amo, admin: Tokens, receiver: Receiver) -> None:
    await amo.post(
        admin,
        "/api/v4/webhooks",
        {"destination": "https://crm.example/h", "settings": ["update_contact"]},
    )
    contact = (await amo.every(admin, "/api/v4/contacts"))[3]
    response = await amo.control(
        "PATCH",
        f"/accounts/{AMO}/contacts",
        json={
            "asUser": AGENT,
            "contacts": [
                {
                    "id": contact["id"],
                    "custom_fields_values": [
                        {
                            "field_code": "PHONE",
                            "values": [{"value": "+380991234567", "enum_code": "MOB"}],
                        }
                    ],
                }
            ],
        },
    )
    assert response.status_code == 200, response.text
    after = (await amo.get(admin, f"/api/v4/contacts/{contact['id']}")).json()
    phones = next(f for f in after["custom_fields_values"] if f["field_code"] == "PHONE")
    assert [v["value"] for v in phones["values"]] == ["+380991234567"]
    assert after["updated_at"] > contact["updated_at"] and after["updated_by"] == 9001102
    await asyncio.wait_for(amo.sandbox.drain_webhooks(), 5)
    assert "contacts%5Bupdate%5D" in receiver.requests[0]["body"]
    events = await amo.every(
        admin, "/api/v4/events", f"filter[entity]=contact&filter[entity_id]={contact['id']}"
    )
    assert events[0]["type"] == "custom_field_value_changed"


async def test_add_a_note_close_a_task_rename_a_company(amo: Amo, admin: Tokens) -> None:
    lead = next(x for x in await amo.leads(admin) if x["closest_task_at"])
    note = await amo.control(
        "POST",
        f"/accounts/{AMO}/notes",
        json={
            "entityType": "leads",
            "notes": [
                {"entity_id": lead["id"], "note_type": "common", "params": {"text": "Дзвонив сам"}}
            ],
        },
    )
    assert note.status_code == 201, note.text
    card = await _card(amo, lead["id"])
    assert card["notes"][0]["params"] == {"text": "Дзвонив сам"}
    open_task = next(t for t in card["tasks"] if not t["is_completed"])
    closed = await amo.control(
        "PATCH",
        f"/accounts/{AMO}/tasks",
        json={"tasks": [{"id": open_task["id"], "is_completed": True, "result": {"text": "Ок"}}]},
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["tasks"][0]["is_completed"] is True
    company = (await amo.every(admin, "/api/v4/companies"))[0]
    renamed = await amo.control(
        "PATCH",
        f"/accounts/{AMO}/companies",
        json={"companies": [{"id": company["id"], "name": "ТОВ «Перейменована»"}]},
    )
    assert renamed.json()["companies"][0]["name"] == "ТОВ «Перейменована»"
    assert (await amo.get(admin, f"/api/v4/companies/{company['id']}")).json()["name"] == (
        "ТОВ «Перейменована»"
    )


async def test_change_a_custom_field_and_delete_a_lead(amo: Amo, admin: Tokens) -> None:
    lead = (await amo.leads(admin))[1]
    rooms = amo.sandbox.account(AMO).fields["leads"][2]
    patched = await amo.control(
        "PATCH",
        f"/accounts/{AMO}/leads",
        json={
            "leads": [
                {
                    "id": lead["id"],
                    "custom_fields_values": [{"field_id": rooms.id, "values": [{"value": "5"}]}],
                }
            ]
        },
    )
    assert patched.status_code == 200, patched.text
    values = (await amo.get(admin, f"/api/v4/leads/{lead['id']}")).json()["custom_fields_values"]
    assert {"value": "5"} in next(f["values"] for f in values if f["field_id"] == rooms.id)
    created = await amo.control(
        "POST", f"/accounts/{AMO}/leads", json={"leads": [{"name": "Нова заявка"}]}
    )
    new_id = created.json()["leads"][0]["id"]
    assert (await amo.control("DELETE", f"/accounts/{AMO}/leads/{new_id}")).status_code == 200
    assert (await amo.get(admin, f"/api/v4/leads/{new_id}")).status_code == 204


async def test_links_and_deleting_parties(amo: Amo, admin: Tokens) -> None:
    lead = next(x for x in await amo.leads(admin, "with=contacts") if x["_embedded"]["contacts"])
    contact_id = lead["_embedded"]["contacts"][0]["id"]
    unlinked = await amo.control(
        "POST",
        f"/accounts/{AMO}/links",
        json={
            "entityType": "leads",
            "entityId": lead["id"],
            "unlink": [{"to_entity_id": contact_id, "to_entity_type": "contacts"}],
        },
    )
    assert unlinked.status_code == 200, unlinked.text
    after = (await amo.get(admin, f"/api/v4/leads/{lead['id']}", {"with": "contacts"})).json()
    assert contact_id not in [c["id"] for c in after["_embedded"]["contacts"]]
    other = next(x for x in await amo.leads(admin, "with=contacts") if x["_embedded"]["contacts"])
    victim = other["_embedded"]["contacts"][0]["id"]
    assert (await amo.control("DELETE", f"/accounts/{AMO}/contacts/{victim}")).status_code == 200
    assert (await amo.get(admin, f"/api/v4/contacts/{victim}")).status_code == 204
    lead_after = (await amo.get(admin, f"/api/v4/leads/{other['id']}", {"with": "contacts"})).json()
    assert victim not in [c["id"] for c in lead_after["_embedded"]["contacts"]]
    assert lead_after["updated_at"] > other["updated_at"]
    deleted = await amo.every(admin, "/api/v4/events", "filter[type]=contact_deleted")
    assert [e["entity_id"] for e in deleted] == [victim]


async def test_control_errors(amo: Amo) -> None:
    assert (await amo.control("GET", "/accounts/nope.amocrm.ru/leads/1/card")).status_code == 404
    assert (await amo.control("GET", f"/accounts/{AMO}/leads/1/card")).status_code == 404
    bad = await amo.control("POST", f"/accounts/{AMO}/notes", json={"notes": "x"})
    assert bad.status_code == 400
    invalid = await amo.control(
        "POST", f"/accounts/{AMO}/tasks", json={"tasks": [{"text": "без дати"}]}
    )
    assert invalid.status_code == 400
    assert invalid.json()["error"] == "validation failed"
    missing = await amo.control("DELETE", f"/accounts/{AMO}/tasks/1")
    assert missing.status_code == 404
    overview = (await amo.control("GET", f"/accounts/{AMO}")).json()
    assert overview["contacts"] == 150 and overview["notes"] > 0 and overview["tasks"] > 0
