"""Custom fields: definitions per entity (paging, filter[type], order), values on leads,
writing them (by id, code, enum id/code/value), filtering leads by them."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import AMO, Amo, Tokens

KYIV_DISTRICTS = {
    "Голосіївський",
    "Дарницький",
    "Деснянський",
    "Дніпровський",
    "Оболонський",
    "Печерський",
    "Подільський",
    "Святошинський",
    "Солом'янський",
    "Шевченківський",
}


async def _fields(amo: Amo, tokens: Tokens, entity: str) -> dict[str, dict[str, Any]]:
    body = (await amo.get(tokens, f"/api/v4/{entity}/custom_fields", {"limit": 250})).json()
    return {f["name"]: f for f in body["_embedded"]["custom_fields"]}


def _values(lead: dict[str, Any], field_id: int) -> list[dict[str, Any]]:
    for f in lead["custom_fields_values"] or []:
        if f["field_id"] == field_id:
            values: list[dict[str, Any]] = f["values"]
            return values
    return []


async def test_definitions(amo: Amo, admin: Tokens) -> None:
    leads = await _fields(amo, admin, "leads")
    district = leads["Район"]
    assert (
        district["type"] == "select" and {e["value"] for e in district["enums"]} == KYIV_DISTRICTS
    )
    kinds = {e["value"] for e in leads["Тип нерухомості"]["enums"]}
    assert {"Квартира", "Будинок", "Комерція", "Ділянка"} <= kinds
    assert leads["Кількість кімнат"]["type"] == "numeric"
    assert leads["Переваги"]["type"] == "multiselect"
    assert all(f["entity_type"] == "leads" for f in leads.values())
    contacts = await _fields(amo, admin, "contacts")
    phone = contacts["Телефон"]
    assert (phone["type"], phone["code"], phone["is_predefined"]) == ("multitext", "PHONE", True)
    assert [e["value"] for e in phone["enums"]] == ["WORK", "WORKDD", "MOB", "FAX", "HOME", "OTHER"]
    assert [e["value"] for e in contacts["Email"]["enums"]] == ["WORK", "PRIV", "OTHER"]
    assert contacts["Посада"]["code"] == "POSITION"
    companies = await _fields(amo, admin, "companies")
    assert {f["code"] for f in companies.values()} >= {"PHONE", "EMAIL", "WEB", "ADDRESS"}


async def test_definition_paging_type_filter_and_order(amo: Amo, admin: Tokens) -> None:
    first = (await amo.get(admin, "/api/v4/leads/custom_fields", {"limit": 3})).json()
    assert (first["_page"], first["_page_count"], first["_total_items"]) == (1, 4, 3)
    assert set(first["_links"]) == {"self", "next", "last"}
    last = await amo.http.get(first["_links"]["last"]["href"], headers=admin.headers)
    assert last.json()["_page"] == 4 and "next" not in last.json()["_links"]
    beyond = await amo.get(admin, "/api/v4/leads/custom_fields", {"limit": 3, "page": 5})
    assert beyond.status_code == 204
    default = (await amo.get(admin, "/api/v4/leads/custom_fields")).json()
    assert len(default["_embedded"]["custom_fields"]) == 10  # all of them fit the 50 default
    selects = (
        await amo.http.get(
            f"/accounts/{AMO}/api/v4/leads/custom_fields?filter[type][0]=select",
            headers=admin.headers,
        )
    ).json()
    assert {f["type"] for f in selects["_embedded"]["custom_fields"]} == {"select"}
    desc = (await amo.get(admin, "/api/v4/leads/custom_fields", {"order[sort]": "desc"})).json()
    sorts = [f["sort"] for f in desc["_embedded"]["custom_fields"]]
    assert sorts == sorted(sorts, reverse=True)
    assert (await amo.get(admin, "/api/v4/leads/custom_fields/1")).status_code == 204


async def test_most_leads_carry_consistent_values(amo: Amo, admin: Tokens) -> None:
    fields = await _fields(amo, admin, "leads")
    district, kind, rooms = fields["Район"], fields["Тип нерухомості"], fields["Кількість кімнат"]
    leads = await amo.leads(admin)
    filled = [x for x in leads if x["custom_fields_values"]]
    assert len(filled) > 0.75 * len(leads)
    for lead in filled:
        for f in lead["custom_fields_values"]:
            assert set(f) == {"field_id", "field_name", "field_code", "field_type", "values"}
        if lead["name"].startswith("Квартира"):
            # "Квартира 2к, Поділ": the fields say the same as the name.
            assert _values(lead, kind["id"])[0]["value"] == "Квартира"
            assert _values(lead, rooms["id"])[0]["value"] == lead["name"].split()[1][0]
            assert _values(lead, district["id"])[0]["value"] in KYIV_DISTRICTS


async def test_write_values_by_id_code_and_enum(amo: Amo, admin: Tokens) -> None:
    fields = await _fields(amo, admin, "leads")
    district, features = fields["Район"], fields["Переваги"]
    podil = next(e for e in district["enums"] if e["value"] == "Подільський")
    lead = (await amo.leads(admin))[0]
    response = await amo.patch(
        admin,
        f"/api/v4/leads/{lead['id']}",
        {
            "custom_fields_values": [
                {"field_id": district["id"], "values": [{"enum_id": podil["id"]}]},
                {"field_id": features["id"], "values": [{"value": "Паркінг"}, {"value": "Балкон"}]},
                {"field_id": fields["Площа, м²"]["id"], "values": [{"value": "64.5"}]},
                {"field_id": fields["Іпотека"]["id"], "values": [{"value": True}]},
                {
                    "field_id": fields["Дата перегляду"]["id"],
                    "values": [{"value": "2026-03-01T12:00:00+02:00"}],
                },
            ]
        },
    )
    assert response.status_code == 200, response.text
    after = (await amo.get(admin, f"/api/v4/leads/{lead['id']}")).json()
    assert _values(after, district["id"]) == [
        {"value": "Подільський", "enum_id": podil["id"], "enum_code": None}
    ]
    assert [v["value"] for v in _values(after, features["id"])] == ["Паркінг", "Балкон"]
    assert _values(after, fields["Площа, м²"]["id"]) == [{"value": "64.5"}]
    assert _values(after, fields["Іпотека"]["id"]) == [{"value": True}]
    assert _values(after, fields["Дата перегляду"]["id"]) == [{"value": 1772359200}]
    events = (
        await amo.get(
            admin,
            "/api/v4/events",
            {"filter[type]": f"custom_field_{district['id']}_value_changed"},
        )
    ).json()["_embedded"]["events"]
    assert events[0]["entity_id"] == lead["id"]
    assert events[0]["value_after"] == [
        {
            "custom_field_value": {
                "field_id": district["id"],
                "field_type": 4,
                "enum_id": podil["id"],
                "text": "Подільський",
            }
        }
    ]


@pytest.mark.parametrize(
    "values,path",
    [
        ([{"enum_id": 1}], "custom_fields_values.0.values.0.enum_id"),
        ([{"value": "Марс"}], "custom_fields_values.0.values.0.value"),
        ([{"enum_code": "X"}], "custom_fields_values.0.values.0.enum_code"),
        ("Поділ", "custom_fields_values.0.values"),
    ],
)
async def test_bad_values_are_refused(amo: Amo, admin: Tokens, values: Any, path: str) -> None:
    district = (await _fields(amo, admin, "leads"))["Район"]
    lead = (await amo.leads(admin))[0]
    body = [
        {"id": lead["id"], "custom_fields_values": [{"field_id": district["id"], "values": values}]}
    ]
    response = await amo.patch(admin, "/api/v4/leads", body)
    assert response.status_code == 400
    assert response.json()["validation-errors"][0]["errors"][0]["path"] == path
    assert (await amo.get(admin, f"/api/v4/leads/{lead['id']}")).json() == lead


async def test_filter_leads_by_custom_fields(amo: Amo, admin: Tokens) -> None:
    fields = await _fields(amo, admin, "leads")
    district, area = fields["Район"], fields["Площа, м²"]
    leads = await amo.leads(admin)
    pecherskyi = next(e for e in district["enums"] if e["value"] == "Печерський")
    query = f"filter[custom_fields_values][{district['id']}][]={pecherskyi['id']}"
    found = await amo.leads(admin, query)
    expected = [
        x["id"]
        for x in leads
        if _values(x, district["id"])[:1]
        and _values(x, district["id"])[0]["enum_id"] == pecherskyi["id"]
    ]
    assert found and [x["id"] for x in found] == expected
    ranged = await amo.leads(
        admin,
        f"filter[custom_fields_values][{area['id']}][from]=50"
        f"&filter[custom_fields_values][{area['id']}][to]=80",
    )
    assert ranged and all(50 <= float(_values(x, area["id"])[0]["value"]) <= 80 for x in ranged)
    unknown = await amo.http.get(
        f"/accounts/{AMO}/api/v4/leads?filter[custom_fields_values][1][]=2", headers=admin.headers
    )
    assert unknown.status_code == 400
