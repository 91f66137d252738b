"""Webhooks for contacts, companies, notes and tasks, in the v2 form format of the
documented examples (webhooks-format.md) and of live note webhooks."""

from __future__ import annotations

import asyncio
from typing import Any

from foryou_crm.sandbox.params import as_list, parse_nested

from .conftest import ADMIN, AMO, Amo, Receiver, Tokens
from .shapes import load

DESTINATION = "https://crm.example/hooks/amo?token=s3cret"


async def subscribe(amo: Amo, tokens: Tokens, settings: list[str]) -> None:
    response = await amo.post(
        tokens, "/api/v4/webhooks", {"destination": DESTINATION, "settings": settings}
    )
    assert response.status_code == 201, response.text


async def delivered(amo: Amo, receiver: Receiver) -> list[dict[str, Any]]:
    await asyncio.wait_for(amo.sandbox.drain_webhooks(), 5)
    bodies = [parse_nested(r["body"]) for r in receiver.requests]
    receiver.requests.clear()
    return bodies


def first(body: dict[str, Any], section: str, action: str) -> dict[str, Any]:
    item: dict[str, Any] = as_list(body[section][action])[0]
    return item


async def test_contact_and_company_webhooks(amo: Amo, receiver: Receiver) -> None:
    admin = await amo.login(ADMIN)
    await subscribe(
        amo,
        admin,
        [
            "add_contact",
            "update_contact",
            "add_company",
            "update_company",
            "delete_contact",
            "responsible_contact",
        ],
    )
    company = await amo.post(admin, "/api/v4/companies", [{"name": "ТОВ «Граніт»"}])
    company_id = company.json()["_embedded"]["companies"][0]["id"]
    [made] = await delivered(amo, receiver)
    added_company = first(made, "contacts", "add")
    assert added_company["type"] == "company" and added_company["id"] == str(company_id)
    sample = first(load("amocrm/webhook_company_add"), "contacts", "add")
    assert set(added_company) == set(sample) - {"linked_leads_id"}  # no leads yet
    created = await amo.post(
        admin,
        "/api/v4/contacts",
        [
            {
                "first_name": "Оксана",
                "last_name": "Мороз",
                "custom_fields_values": [
                    {
                        "field_code": "PHONE",
                        "values": [{"value": "+380661234567", "enum_code": "MOB"}],
                    }
                ],
            }
        ],
    )
    contact_id = created.json()["_embedded"]["contacts"][0]["id"]
    lead = (await amo.leads(admin))[0]
    await amo.post(
        admin,
        f"/api/v4/leads/{lead['id']}/link",
        [{"to_entity_id": contact_id, "to_entity_type": "contacts"}],
    )
    await amo.post(
        admin,
        f"/api/v4/contacts/{contact_id}/link",
        [{"to_entity_id": company_id, "to_entity_type": "companies"}],
    )
    bodies = await delivered(amo, receiver)
    added = first(bodies[0], "contacts", "add")
    assert added["type"] == "contact" and added["name"] == "Оксана Мороз"
    phone = added["custom_fields"]["0"]
    assert phone["code"] == "PHONE" and phone["values"]["0"]["value"] == "+380661234567"
    assert phone["values"]["0"]["enum"].isdigit()
    updated = first(bodies[-1], "contacts", "update")
    sample = first(load("amocrm/webhook_contact_add"), "contacts", "add")
    assert set(updated) == set(sample)
    assert updated["linked_leads_id"] == {str(lead["id"]): {"ID": str(lead["id"])}}
    assert updated["linked_company_id"] == str(company_id)
    assert updated["company_name"] == "ТОВ «Граніт»"
    assert all(
        isinstance(v, str)
        for k, v in updated.items()
        if k not in ("custom_fields", "linked_leads_id")
    )
    await amo.patch(admin, "/api/v4/contacts", [{"id": contact_id, "responsible_user_id": 9001103}])
    changed = await delivered(amo, receiver)
    assert set(changed[0]["contacts"]) == {"update", "responsible"}
    await amo.control("DELETE", f"/accounts/{AMO}/contacts/{contact_id}")
    [gone] = await delivered(amo, receiver)
    assert first(gone, "contacts", "delete") == {"id": str(contact_id), "type": "contact"}


async def test_note_webhooks(amo: Amo, receiver: Receiver) -> None:
    admin = await amo.login(ADMIN)
    await subscribe(amo, admin, ["note_lead", "note_contact"])
    lead = (await amo.leads(admin))[0]
    await amo.post(
        admin,
        f"/api/v4/leads/{lead['id']}/notes",
        [
            {"note_type": "common", "params": {"text": "Передзвонити завтра"}},
            {
                "note_type": "call_in",
                "params": {
                    "uniq": "u-1",
                    "duration": 42,
                    "source": "Binotel",
                    "phone": "+380501112233",
                    "link": "https://r/1.mp3",
                },
            },
        ],
    )
    [body] = await delivered(amo, receiver)
    common, call = (n["note"] for n in as_list(body["leads"]["note"]))
    assert set(common) == {
        "element_type",
        "element_id",
        "note_type",
        "text",
        "account_id",
        "date_create",
        "timestamp_x",
        "created_by",
        "modified_by",
        "main_user_id",
        "group_id",
        "id",
        "created_at",
        "updated_at",
    }
    assert (common["element_type"], common["element_id"]) == ("2", str(lead["id"]))
    assert (common["note_type"], common["text"]) == ("4", "Передзвонити завтра")
    assert len(common["date_create"]) == 19  # "2020-09-28 00:26:51"
    assert call["note_type"] == "10"
    assert '"PHONE": "+380501112233"' in call["text"] and '"UNIQ": "u-1"' in call["text"]
    assert body["account"] == {
        "subdomain": "reforyou",
        "id": "31920194",
        "_links": {"self": "https://reforyou.amocrm.ru"},
    }
    contact = (await amo.every(admin, "/api/v4/contacts"))[0]
    await amo.post(
        admin,
        "/api/v4/contacts/notes",
        [{"entity_id": contact["id"], "note_type": "common", "params": {"text": "Привіт"}}],
    )
    [body] = await delivered(amo, receiver)
    note = as_list(body["contacts"]["note"])[0]["note"]
    assert note["element_type"] == "1" and note["element_id"] == str(contact["id"])


async def test_task_webhooks(amo: Amo, receiver: Receiver) -> None:
    admin = await amo.login(ADMIN)
    await subscribe(amo, admin, ["add_task", "update_task", "delete_task"])
    lead = (await amo.leads(admin))[0]
    made = await amo.post(
        admin,
        "/api/v4/tasks",
        [
            {
                "text": "Показ квартири",
                "complete_till": 1_900_000_000,
                "entity_type": "leads",
                "entity_id": lead["id"],
                "task_type_id": 2,
            }
        ],
    )
    task_id = made.json()["_embedded"]["tasks"][0]["id"]
    [added] = await delivered(amo, receiver)
    task = first(added, "task", "add")
    assert (task["status"], task["element_type"], task["task_type"]) == ("0", "2", "2")
    assert "action_close" not in task
    await amo.patch(
        admin,
        f"/api/v4/tasks/{task_id}",
        {"is_completed": True, "result": {"text": "Клієнт у захваті"}},
    )
    [closed] = await delivered(amo, receiver)
    task = first(closed, "task", "update")
    sample = load("amocrm/webhook_task_update")["task"]["update"][0]["0"]
    assert set(task) == set(sample)
    assert (task["status"], task["action_close"]) == ("1", "1")
    assert task["result"] == {"text": "Клієнт у захваті"}
    assert task["complete_till"].count(":") == 2  # "2017-07-22 23:59:00"
    await amo.control("DELETE", f"/accounts/{AMO}/tasks/{task_id}")
    [deleted] = await delivered(amo, receiver)
    assert first(deleted, "task", "delete") == {"id": str(task_id)}


async def test_lead_webhooks_carry_custom_fields(amo: Amo, receiver: Receiver) -> None:
    admin = await amo.login(ADMIN)
    await subscribe(amo, admin, ["update_lead"])
    lead = next(x for x in await amo.leads(admin) if x["custom_fields_values"])
    await amo.patch(admin, "/api/v4/leads", [{"id": lead["id"], "price": 1}])
    [body] = await delivered(amo, receiver)
    fields = as_list(first(body, "leads", "update")["custom_fields"])
    assert [f["id"] for f in fields] == [str(f["field_id"]) for f in lead["custom_fields_values"]]
    sample = first(load("amocrm/webhook_lead_status"), "leads", "status")["custom_fields"][0]
    assert set(fields[0]) <= set(sample) | {"code"}
