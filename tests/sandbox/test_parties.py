"""Contacts and companies: lists (filters, order, query, with), single reads, writes,
validation, the 250 limit, 204 on empty results."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import AGENT, AMO, Amo, Tokens


@pytest.fixture
async def contacts(amo: Amo, admin: Tokens) -> list[dict[str, Any]]:
    return await amo.every(admin, "/api/v4/contacts", "with=leads")


def _ids(items: list[dict[str, Any]]) -> list[int]:
    return [x["id"] for x in items]


def _field(entity: dict[str, Any], code: str) -> list[dict[str, Any]]:
    for f in entity["custom_fields_values"] or []:
        if f["field_code"] == code:
            values: list[dict[str, Any]] = f["values"]
            return values
    return []


async def test_contacts_look_like_a_kyiv_agencys(contacts: list[dict[str, Any]]) -> None:
    assert len(contacts) == 150  # leads // 2
    assert _ids(contacts) == sorted(_ids(contacts))
    phones = [v for c in contacts for v in _field(c, "PHONE")]
    assert len(phones) >= len(contacts)
    assert all(p["value"].startswith("+380") and len(p["value"]) == 13 for p in phones)
    assert {p["enum_code"] for p in phones} <= {"WORK", "WORKDD", "MOB", "FAX", "HOME", "OTHER"}
    emails = [v for c in contacts for v in _field(c, "EMAIL")]
    assert emails and all("@" in e["value"] and e["enum_code"] in {"WORK", "PRIV"} for e in emails)
    assert any(_field(c, "POSITION") for c in contacts)
    assert all(c["first_name"] and c["last_name"] and c["name"] for c in contacts)
    assert any(c["_embedded"]["companies"] for c in contacts)
    assert any(c["_embedded"]["leads"] for c in contacts)


async def test_contact_leads_match_the_leads_contacts(
    amo: Amo, admin: Tokens, contacts: list[dict[str, Any]]
) -> None:
    by_contact: dict[int, set[int]] = {}
    for lead in await amo.leads(admin, "with=contacts"):
        for c in lead["_embedded"]["contacts"]:
            by_contact.setdefault(c["id"], set()).add(lead["id"])
    for c in contacts:
        assert {x["id"] for x in c["_embedded"]["leads"]} == by_contact.get(c["id"], set())


async def test_contact_filters_order_and_query(
    amo: Amo, admin: Tokens, contacts: list[dict[str, Any]]
) -> None:
    owner = contacts[0]["responsible_user_id"]
    mine = await amo.every(admin, "/api/v4/contacts", f"filter[responsible_user_id][]={owner}")
    assert _ids(mine) == [c["id"] for c in contacts if c["responsible_user_id"] == owner]
    low, high = (
        sorted(c["updated_at"] for c in contacts)[40],
        sorted(c["updated_at"] for c in contacts)[90],
    )
    ranged = await amo.every(
        admin, "/api/v4/contacts", f"filter[updated_at][from]={low}&filter[updated_at][to]={high}"
    )
    assert _ids(ranged) == [c["id"] for c in contacts if low <= c["updated_at"] <= high]
    newest = await amo.every(admin, "/api/v4/contacts", "order[updated_at]=desc")
    assert [c["updated_at"] for c in newest] == sorted(
        (c["updated_at"] for c in contacts), reverse=True
    )
    by_id = await amo.every(admin, "/api/v4/contacts", "order[id]=desc")
    assert _ids(by_id) == sorted(_ids(contacts), reverse=True)
    bad = await amo.get(admin, "/api/v4/contacts", {"order[name]": "asc"})
    assert bad.status_code == 400
    phone = _field(contacts[5], "PHONE")[0]["value"]
    found = await amo.every(admin, "/api/v4/contacts", f"query={phone[-7:]}")
    assert contacts[5]["id"] in _ids(found)
    surname = contacts[7]["last_name"]
    by_name = await amo.every(admin, "/api/v4/contacts", f"query={surname}")
    assert by_name and all(surname.lower() in c["name"].lower() for c in by_name)


async def test_custom_field_filter_on_contacts(
    amo: Amo, admin: Tokens, contacts: list[dict[str, Any]]
) -> None:
    fields = (await amo.get(admin, "/api/v4/contacts/custom_fields")).json()
    language = next(f for f in fields["_embedded"]["custom_fields"] if f["type"] == "select")
    enum_id = language["enums"][0]["id"]
    found = await amo.every(
        admin, "/api/v4/contacts", f"filter[custom_fields_values][{language['id']}][]={enum_id}"
    )
    expected = [
        c["id"]
        for c in contacts
        for f in c["custom_fields_values"] or []
        if f["field_id"] == language["id"] and f["values"][0]["enum_id"] == enum_id
    ]
    assert found and _ids(found) == expected


async def test_empty_results_are_204(amo: Amo, admin: Tokens) -> None:
    for path, query in (
        ("/api/v4/contacts", {"filter[id][]": 5}),
        ("/api/v4/companies", {"query": "нема такої компанії"}),
        ("/api/v4/contacts/5", None),
        ("/api/v4/companies/5", None),
        ("/api/v4/contacts", {"page": 99}),
    ):
        response = await amo.get(admin, path, query)
        assert response.status_code == 204, path
        assert response.content == b""


async def test_companies_with_contacts_and_leads(amo: Amo, admin: Tokens) -> None:
    companies = await amo.every(admin, "/api/v4/companies", "with=contacts,leads")
    assert companies and all(c["name"] for c in companies)
    assert any(c["_embedded"]["contacts"] for c in companies)
    assert any(c["_embedded"]["leads"] for c in companies)
    assert all(_field(c, "PHONE")[0]["value"].startswith("+38044") for c in companies)
    leads = {x["id"]: x for x in await amo.leads(admin)}
    for company in companies:
        for ref in company["_embedded"]["leads"]:
            assert leads[ref["id"]]["_embedded"]["companies"][0]["id"] == company["id"]


async def test_create_and_edit_a_contact(amo: Amo, admin: Tokens) -> None:
    created = await amo.post(
        admin,
        "/api/v4/contacts",
        [
            {
                "first_name": "Петро",
                "last_name": "Смирнов",
                "custom_fields_values": [
                    {"field_code": "PHONE", "values": [{"value": "+380501234567"}]},
                    {
                        "field_code": "EMAIL",
                        "values": [{"value": "p@example.ua", "enum_code": "PRIV"}],
                    },
                    {"field_code": "POSITION", "values": [{"value": "Директор"}]},
                ],
                "tags_to_add": [{"name": "Новий клієнт"}],
                "request_id": "mine",
            }
        ],
    )
    assert created.status_code == 200, created.text
    item = created.json()["_embedded"]["contacts"][0]
    assert item["request_id"] == "mine"
    contact = (await amo.get(admin, f"/api/v4/contacts/{item['id']}")).json()
    assert contact["name"] == "Петро Смирнов"
    assert _field(contact, "PHONE") == [
        {
            "value": "+380501234567",
            "enum_id": _field(contact, "PHONE")[0]["enum_id"],
            "enum_code": "WORK",
        }
    ]
    assert _field(contact, "EMAIL")[0]["enum_code"] == "PRIV"
    assert [t["name"] for t in contact["_embedded"]["tags"]] == ["Новий клієнт"]
    before = contact["updated_at"]
    edited = await amo.patch(
        admin,
        f"/api/v4/contacts/{contact['id']}",
        {
            "custom_fields_values": [
                {"field_code": "PHONE", "values": [{"value": "+380671111111", "enum_code": "MOB"}]}
            ]
        },
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["updated_at"] > before
    again = (await amo.get(admin, f"/api/v4/contacts/{contact['id']}")).json()
    assert [v["value"] for v in _field(again, "PHONE")] == ["+380671111111"]
    assert _field(again, "EMAIL") == _field(contact, "EMAIL")  # untouched fields stay
    cleared = await amo.patch(
        admin,
        "/api/v4/contacts",
        [
            {
                "id": contact["id"],
                "custom_fields_values": [{"field_code": "POSITION", "values": None}],
            }
        ],
    )
    assert cleared.status_code == 200
    assert not _field(
        (await amo.get(admin, f"/api/v4/contacts/{contact['id']}")).json(), "POSITION"
    )


async def test_rename_a_company(amo: Amo, admin: Tokens) -> None:
    company = (await amo.every(admin, "/api/v4/companies"))[0]
    renamed = await amo.patch(
        admin, "/api/v4/companies", [{"id": company["id"], "name": "ТОВ «Нова назва»"}]
    )
    assert renamed.status_code == 200
    answer = renamed.json()["_embedded"]["companies"][0]
    assert answer["name"] == "ТОВ «Нова назва»" and answer["updated_at"] > company["updated_at"]


async def test_write_validation(amo: Amo, admin: Tokens) -> None:
    cases: list[tuple[Any, str]] = [
        ([{"first_name": 5}], "first_name"),
        ([{"responsible_user_id": 1}], "responsible_user_id"),
        (
            [{"custom_fields_values": [{"field_code": "NOPE", "values": [{"value": "x"}]}]}],
            "custom_fields_values.0.field_code",
        ),
        (
            [{"custom_fields_values": [{"field_code": "PHONE", "values": [{"value": ""}]}]}],
            "custom_fields_values.0.values.0.value",
        ),
        (
            [
                {
                    "custom_fields_values": [
                        {"field_code": "EMAIL", "values": [{"value": "a@b.c", "enum_code": "HOME"}]}
                    ]
                }
            ],
            "custom_fields_values.0.values.0.enum_code",
        ),
    ]
    for body, path in cases:
        response = await amo.post(admin, "/api/v4/contacts", body)
        assert response.status_code == 400, body
        errors = response.json()["validation-errors"][0]["errors"]
        assert errors[0]["path"] == path
    missing = await amo.patch(admin, "/api/v4/contacts", [{"id": 1, "name": "x"}])
    assert missing.status_code == 400
    assert missing.json()["validation-errors"][0]["errors"][0]["code"] == "NotFound"
    not_a_list = await amo.post(admin, "/api/v4/companies", {"name": "x"})
    assert not_a_list.status_code == 400


async def test_batch_limit_is_250(amo: Amo, admin: Tokens) -> None:
    too_many = await amo.post(admin, "/api/v4/contacts", [{"name": "x"}] * 251)
    assert too_many.status_code == 422
    assert too_many.json()["detail"] == "Limit 250 per page"
    ok = await amo.post(admin, "/api/v4/companies", [{"name": "x"}] * 250)
    assert ok.status_code == 200
    assert len(ok.json()["_embedded"]["companies"]) == 250


async def test_agents_see_every_contact(amo: Amo, admin: Tokens) -> None:
    agent = await amo.login(AGENT)
    assert len(await amo.every(agent, "/api/v4/contacts")) == len(
        await amo.every(admin, "/api/v4/contacts")
    )
    response = await amo.http.get(
        f"/accounts/{AMO}/api/v4/contacts?filter[id]=abc", headers=agent.headers
    )
    assert response.status_code == 400
