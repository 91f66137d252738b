"""Every new endpoint's answer has the structure of amoCRM's published example (fixtures/).

Differences from a sample are listed per test with the reason (a key the docs' own field
table lists but that example omits, a real response that differs from the example…).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from .conftest import AMO, Amo, Tokens
from .shapes import assert_shape, load

# Keys the field tables list for contacts/companies although the list examples omit them;
# `is_unsorted` is in live amoCRM contact answers (see docs/sandbox.md, "Sources").
PARTY_EXTRA = frozenset({"is_deleted", "is_unsorted"})


async def _ok(amo: Amo, tokens: Tokens, path: str, params: Any = None) -> Any:
    response = await amo.get(tokens, path, params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/hal+json"
    return response.json()


async def test_leads_list_page_two(amo: Amo, admin: Tokens) -> None:
    body = await _ok(amo, admin, "/api/v4/leads", {"limit": 2, "page": 2})
    assert_shape(load("amocrm/leads_list"), body)


async def test_lead_with_every_documented_with(amo: Amo, admin: Tokens) -> None:
    leads = await amo.leads(admin, "with=contacts,source_id")
    lost = next(x for x in leads if x["loss_reason_id"] and x["_embedded"]["companies"])
    sourced = next(x for x in leads if x["source_id"] and x["_embedded"]["contacts"])
    with_all = "contacts,loss_reason,is_price_modified_by_robot,catalog_elements,source_id,source"
    sample = load("amocrm/lead")
    one = await _ok(amo, admin, f"/api/v4/leads/{lost['id']}", {"with": with_all})
    assert_shape(sample, one, missing=frozenset({"source"}))
    assert one["_embedded"]["loss_reason"][0]["id"] == lost["loss_reason_id"]
    two = await _ok(amo, admin, f"/api/v4/leads/{sourced['id']}", {"with": with_all})
    assert_shape(sample, two, missing=frozenset({"loss_reason"}))
    assert two["_embedded"]["source"]["id"] == sourced["source_id"]


async def test_contacts_list(amo: Amo, admin: Tokens) -> None:
    body = await _ok(amo, admin, "/api/v4/contacts", {"limit": 2})
    assert_shape(load("amocrm/contacts_list"), body, extra=PARTY_EXTRA)


def _phone_field(entity: dict[str, Any]) -> dict[str, Any]:
    return next(f for f in entity["custom_fields_values"] if f["field_code"] == "PHONE")


async def test_contact_with_leads_customers_catalog_elements(amo: Amo, admin: Tokens) -> None:
    contacts = await amo.every(admin, "/api/v4/contacts", "with=leads")
    linked = next(c for c in contacts if c["_embedded"]["leads"] and c["_embedded"]["companies"])
    body = await _ok(
        amo, admin, f"/api/v4/contacts/{linked['id']}", {"with": "leads,customers,catalog_elements"}
    )
    sample = load("amocrm/contact")
    assert_shape(sample, body, extra=PARTY_EXTRA, loose=frozenset({"custom_fields_values"}))
    # The example's phone value says "enum"; live answers and the official PHP library
    # (MultitextCustomFieldValueModel::fromArray) use "enum_code".
    assert_shape(
        sample["custom_fields_values"][0],
        _phone_field(body),
        extra=frozenset({"enum_code"}),
        missing=frozenset({"enum"}),
    )


async def test_companies_list_and_one(amo: Amo, admin: Tokens) -> None:
    listed = await _ok(amo, admin, "/api/v4/companies", {"limit": 2})
    assert_shape(load("amocrm/companies_list"), listed, extra=PARTY_EXTRA)
    company = listed["_embedded"]["companies"][0]
    one = await _ok(amo, admin, f"/api/v4/companies/{company['id']}")
    sample = load("amocrm/company")
    assert_shape(sample, one, extra=PARTY_EXTRA, loose=frozenset({"custom_fields_values"}))
    assert_shape(
        sample["custom_fields_values"][0],
        _phone_field(one),
        extra=frozenset({"enum_code"}),
        missing=frozenset({"enum"}),
    )


@pytest.mark.parametrize("entity", ["leads", "contacts", "companies"])
async def test_custom_fields(amo: Amo, admin: Tokens, entity: str) -> None:
    body = await _ok(amo, admin, f"/api/v4/{entity}/custom_fields", {"limit": 2})
    assert_shape(load("amocrm/custom_fields_list"), body, loose=frozenset({"custom_fields"}))
    one_sample = load("amocrm/custom_field")
    # Leads-only keys of the field table (computed fields, hidden statuses, chained lists),
    # `currency` (monetary) and the enums' `code` (table: enums[0][code]).
    extra = frozenset({"is_computed", "hidden_statuses", "chained_lists", "currency", "code"})
    for f in body["_embedded"]["custom_fields"]:
        assert_shape(one_sample, f, extra=extra)
        one = await _ok(amo, admin, f"/api/v4/{entity}/custom_fields/{f['id']}")
        assert one == f


async def test_writes_answer_like_the_examples(amo: Amo, admin: Tokens) -> None:
    lead = (await amo.leads(admin))[0]
    contact = (await amo.every(admin, "/api/v4/contacts"))[0]
    company = (await amo.every(admin, "/api/v4/companies"))[0]
    calls = [
        ("leads_added", "post", "/api/v4/leads", [{"name": "A"}, {"name": "B"}]),
        ("leads_updated", "patch", "/api/v4/leads", [{"id": lead["id"], "price": 7}]),
        ("contacts_added", "post", "/api/v4/contacts", [{"first_name": "Ян"}, {"name": "Б"}]),
        ("contacts_updated", "patch", "/api/v4/contacts", [{"id": contact["id"], "name": "Х"}]),
        ("companies_added", "post", "/api/v4/companies", [{"name": "ТОВ «Нова»"}]),
        ("companies_updated", "patch", "/api/v4/companies", [{"id": company["id"], "name": "Y"}]),
        (
            "notes_added",
            "post",
            "/api/v4/leads/notes",
            [{"entity_id": lead["id"], "note_type": "common", "params": {"text": "x"}}],
        ),
        (
            "tasks_added",
            "post",
            "/api/v4/tasks",
            [
                {
                    "text": "Передзвонити",
                    "complete_till": 1_900_000_000,
                    "entity_type": "leads",
                    "entity_id": lead["id"],
                    "request_id": "example",
                }
            ],
        ),
    ]
    for fixture, method, path, body in calls:
        response = await getattr(amo, method)(admin, path, body)
        assert response.status_code == 200, (fixture, response.text)
        assert_shape(load(f"amocrm/{fixture}"), response.json())


async def test_note_and_task_edits_answer_like_the_examples(amo: Amo, admin: Tokens) -> None:
    note = (await amo.every(admin, "/api/v4/leads/notes", "filter[note_type]=common"))[0]
    edit = [{"id": note["id"], "note_type": "common", "params": {"text": "нове"}}]
    patched = await amo.patch(admin, "/api/v4/leads/notes", edit)
    assert_shape(load("amocrm/notes_updated"), patched.json())
    tasks = await amo.every(admin, "/api/v4/tasks", "filter[is_completed]=0")
    updated = await amo.patch(admin, "/api/v4/tasks", [{"id": tasks[0]["id"], "text": "Інакше"}])
    assert_shape(load("amocrm/tasks_updated"), updated.json())
    done = await amo.patch(
        admin,
        f"/api/v4/tasks/{tasks[1]['id']}",
        {"is_completed": True, "result": {"text": "Удалось связаться с клиентом"}},
    )
    assert_shape(load("amocrm/task_completed"), done.json())


async def test_notes(amo: Amo, admin: Tokens) -> None:
    listed = await _ok(amo, admin, "/api/v4/leads/notes", {"limit": 2})
    assert_shape(load("amocrm/notes_list"), listed, loose=frozenset({"params"}))
    every = Counter(n["entity_id"] for n in await amo.every(admin, "/api/v4/leads/notes"))
    lead_id = next(lead for lead, count in every.items() if count > 1)
    # limit=1 on a lead with several notes: page 1 has a `next`, like the example.
    own = await _ok(amo, admin, f"/api/v4/leads/{lead_id}/notes", {"limit": 1})
    note = own["_embedded"]["notes"][0]
    assert_shape(load("amocrm/entity_notes_list"), own, loose=frozenset({"params"}))
    one = await _ok(amo, admin, f"/api/v4/leads/{lead_id}/notes/{note['id']}")
    assert_shape(load("amocrm/note"), one, loose=frozenset({"params"}))
    assert one == await _ok(amo, admin, f"/api/v4/leads/notes/{note['id']}")


async def test_note_params_match_the_php_library_fixtures(amo: Amo, admin: Tokens) -> None:
    for kind, fixture in (("call_in", "php/call_in_note"), ("common", "php/common_note")):
        notes = await amo.every(admin, "/api/v4/leads/notes", f"filter[note_type]={kind}")
        assert notes, kind
        for note in notes[:20]:
            assert_shape(load(fixture), note, extra=frozenset({"_links"}))


async def test_tasks(amo: Amo, admin: Tokens) -> None:
    open_ = await _ok(amo, admin, "/api/v4/tasks", {"limit": 2, "filter[is_completed]": 0})
    assert_shape(load("amocrm/tasks_list"), open_)
    done = await amo.every(admin, "/api/v4/tasks", "filter[is_completed]=1")
    with_result = next(t for t in done if t["result"])
    one = await _ok(amo, admin, f"/api/v4/tasks/{with_result['id']}")
    assert_shape(load("amocrm/task"), one)


async def test_events(amo: Amo, admin: Tokens) -> None:
    listed = await _ok(amo, admin, "/api/v4/events", {"limit": 1})
    loose = frozenset({"value_after", "value_before"})
    assert_shape(load("amocrm/events_list"), listed, loose=loose)
    event = listed["_embedded"]["events"][0]
    one = await _ok(amo, admin, f"/api/v4/events/{event['id']}")
    assert_shape(load("amocrm/event"), one, loose=loose)


async def test_links(amo: Amo, admin: Tokens) -> None:
    leads = await amo.leads(admin, "with=contacts")
    linked = [x for x in leads if x["_embedded"]["contacts"] and x["_embedded"]["companies"]]
    loose = frozenset({"metadata"})  # catalog element / contact / company metadata differ
    one = await _ok(amo, admin, f"/api/v4/leads/{linked[0]['id']}/links")
    assert_shape(load("amocrm/links_list"), one, loose=loose)
    ids = "&".join(f"filter[entity_id][]={x['id']}" for x in linked[:2])
    mass = await amo.http.get(f"/accounts/{AMO}/api/v4/leads/links?{ids}", headers=admin.headers)
    assert_shape(load("amocrm/links_mass_list"), mass.json(), loose=loose)
    contact = (await amo.every(admin, "/api/v4/contacts"))[-1]
    made = await amo.link_main_contact(admin, linked[0]["id"], contact["id"])
    assert made.status_code == 200, made.text
    assert_shape(load("amocrm/links_added"), made.json(), loose=loose)


async def test_complex(amo: Amo, admin: Tokens) -> None:
    sample_request = [
        {
            "name": "Квартира 2к, Поділ",
            "price": 98000,
            "_embedded": {
                "contacts": [
                    {
                        "first_name": "Ірина",
                        "custom_fields_values": [
                            {
                                "field_code": "PHONE",
                                "values": [{"value": "+380671112233", "enum_code": "MOB"}],
                            }
                        ],
                    }
                ],
                "companies": [{"name": "ТОВ «Ріелті»"}],
            },
            "request_id": "qweasd",
        },
        {"name": "Заявка з сайту", "_embedded": {"metadata": {"category": "forms"}}},
    ]
    response = await amo.post(admin, "/api/v4/leads/complex", sample_request)
    assert response.status_code == 200, response.text
    assert_shape(load("amocrm/leads_complex"), response.json())


async def test_account_with_everything(amo: Amo, admin: Tokens) -> None:
    everything = (
        "amojo_id,amojo_rights,users_groups,task_types,version,entity_names,"
        "datetime_settings,drive_url,is_api_filter_enabled"
    )
    body = await _ok(amo, admin, "/api/v4/account", {"with": everything})
    # Kommo's example and the PHP AccountModel add created/updated and currency keys;
    # "uuid" sits in amoCRM's example but is no documented `with` value.
    extra = frozenset(
        {"created_at", "created_by", "updated_at", "updated_by", "currency", "currency_symbol"}
    )
    assert_shape(load("amocrm/account"), body, extra=extra, missing=frozenset({"uuid"}))


async def test_validation_error(amo: Amo, admin: Tokens) -> None:
    bad = [{"custom_fields_values": [{"field_id": 1, "values": [{"value": "x"}]}]}]
    response = await amo.post(admin, "/api/v4/leads", bad)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == load("amocrm/validation_error")
