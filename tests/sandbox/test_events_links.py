"""The events feed (deletions above all), links between entities, and leads/complex."""

from __future__ import annotations

from typing import Any

from .conftest import AGENT, AMO, Amo, Tokens


async def _events(amo: Amo, tokens: Tokens, query: str) -> list[dict[str, Any]]:
    return await amo.every(tokens, "/api/v4/events", query, limit=100)


async def test_deletions_are_found_in_the_feed(amo: Amo, admin: Tokens) -> None:
    leads = await amo.leads(admin)
    await amo.control("POST", "/clock", json={"seconds": 5})
    since = amo.sandbox.clock.now_int()
    victims = [leads[3]["id"], leads[40]["id"], leads[41]["id"]]
    for victim in victims:
        assert (await amo.control("DELETE", f"/accounts/{AMO}/leads/{victim}")).status_code == 200
        await amo.control("POST", "/clock", json={"seconds": 1})
    found = await _events(
        amo, admin, f"filter[type][]=lead_deleted&filter[created_at][from]={since}"
    )
    assert [e["entity_id"] for e in found] == victims[::-1]  # newest first
    assert all(e["entity_type"] == "lead" and e["value_after"] == [] for e in found)
    assert [e["created_at"] for e in found] == sorted(
        (e["created_at"] for e in found), reverse=True
    )
    # The PHP library's spellings: comma lists and "from,to".
    stamps = f"{since},{since + 100}"
    comma = await _events(
        amo, admin, f"filter[type]=lead_deleted,lead_added&filter[created_at]={stamps}"
    )
    assert [e["id"] for e in comma] == [e["id"] for e in found]
    # A bare timestamp means "after it".
    later = await _events(amo, admin, f"filter[type][]=lead_deleted&filter[created_at]={since}")
    assert [e["entity_id"] for e in later] == victims[:0:-1]
    # The trash shows them with updated_at moved to the deletion.
    trash = await amo.leads(admin, "with=only_deleted&order[updated_at]=asc")
    assert [x["id"] for x in trash] == victims
    restored = await amo.control("POST", f"/accounts/{AMO}/leads/{victims[0]}/restore")
    assert restored.status_code == 200
    back = await _events(amo, admin, "filter[type][]=lead_restored")
    assert [e["entity_id"] for e in back] == [victims[0]]
    assert (await amo.get(admin, f"/api/v4/leads/{victims[0]}")).status_code == 200


async def test_lead_changes_record_documented_events(amo: Amo, admin: Tokens) -> None:
    created = await amo.post(admin, "/api/v4/leads", [{"name": "Будинок, Ірпінь"}])
    lead_id = created.json()["_embedded"]["leads"][0]["id"]
    await amo.patch(
        admin,
        f"/api/v4/leads/{lead_id}",
        {"status_id": 142, "responsible_user_id": 9001102, "tags_to_add": [{"name": "VIP"}]},
    )
    own = await _events(amo, admin, f"filter[entity]=lead&filter[entity_id][]={lead_id}")
    by_type = {e["type"]: e for e in own}
    assert set(by_type) >= {
        "lead_added",
        "lead_status_changed",
        "entity_responsible_changed",
        "entity_tag_added",
    }
    assert by_type["lead_added"]["value_after"][0]["note"]["id"] > 0
    assert by_type["lead_status_changed"]["value_after"] == [
        {"lead_status": {"id": 142, "pipeline_id": 7710001}}
    ]
    assert (
        by_type["lead_status_changed"]["value_before"][0]["lead_status"]["pipeline_id"] == 7710001
    )
    assert by_type["entity_responsible_changed"]["value_after"] == [
        {"responsible_user": {"id": 9001102}}
    ]
    assert by_type["entity_tag_added"]["value_after"] == [{"tag": {"name": "VIP"}}]
    statuses = await _events(
        amo,
        admin,
        "filter[value_after][leads_statuses][0][pipeline_id]=7710001"
        "&filter[value_after][leads_statuses][0][status_id]=142&filter[type]=lead_status_changed",
    )
    assert lead_id in [e["entity_id"] for e in statuses]
    named = await amo.get(
        admin,
        "/api/v4/events",
        {"with": "lead_name", "filter[entity]": "lead", "filter[entity_id]": lead_id},
    )
    assert (
        named.json()["_embedded"]["events"][0]["_embedded"]["entity"]["name"] == "Будинок, Ірпінь"
    )


async def test_event_filter_rules(amo: Amo, admin: Tokens) -> None:
    two_entities = await amo.get(
        admin, "/api/v4/events", {"filter[entity]": "lead,contact", "filter[entity_id]": 1}
    )
    assert two_entities.status_code == 400
    eleven = ",".join(str(i) for i in range(11))
    too_many = await amo.get(
        admin, "/api/v4/events", {"filter[entity]": "lead", "filter[entity_id]": eleven}
    )
    assert too_many.status_code == 400
    mixed = await amo.get(
        admin, "/api/v4/events", {"filter[type]": "custom_field_1_value_changed,lead_added"}
    )
    assert mixed.status_code == 400
    page = (await amo.get(admin, "/api/v4/events", {"limit": 100})).json()
    assert len(page["_embedded"]["events"]) <= 100
    over = (await amo.get(admin, "/api/v4/events", {"limit": 250})).json()
    assert len(over["_embedded"]["events"]) <= 50  # above the maximum: the default page
    nothing = await amo.get(admin, "/api/v4/events", {"filter[type]": "transaction_added"})
    assert nothing.status_code == 204 and nothing.content == b""
    assert (await amo.get(admin, "/api/v4/events/01aaaaaaaaaaaaaaaaaaaaaaaa")).status_code == 204


async def test_event_ids_are_ulids_in_creation_order(amo: Amo, admin: Tokens) -> None:
    events = await _events(amo, admin, "")
    ids = [e["id"] for e in events]
    assert all(len(i) == 26 and i.isalnum() and i == i.lower() for i in ids)
    assert ids == sorted(ids, reverse=True)  # newest first, and ULIDs sort by time


async def test_agents_see_events_of_their_own_leads(amo: Amo, admin: Tokens) -> None:
    agent = await amo.login(AGENT)
    mine = {x["id"] for x in await amo.leads(agent)}
    seen = await _events(amo, agent, "filter[entity][]=lead")
    everything = await _events(amo, admin, "filter[entity][]=lead")
    assert [e["id"] for e in seen] == [e["id"] for e in everything if e["entity_id"] in mine]


async def test_link_and_unlink_a_contact(amo: Amo, admin: Tokens) -> None:
    lead = next(x for x in await amo.leads(admin, "with=contacts") if x["_embedded"]["contacts"])
    contact = (await amo.every(admin, "/api/v4/contacts"))[-1]
    made = await amo.link_main_contact(admin, lead["id"], contact["id"])
    assert made.status_code == 200, made.text
    assert made.json()["_embedded"]["links"][0]["metadata"] == {"main_contact": True}
    after = (await amo.get(admin, f"/api/v4/leads/{lead['id']}", {"with": "contacts"})).json()
    assert after["_embedded"]["contacts"][0] == {
        "id": contact["id"],
        "is_main": True,
        "_links": {
            "self": {"href": f"http://sandbox.test/accounts/{AMO}/api/v4/contacts/{contact['id']}"}
        },
    }
    assert after["updated_at"] > lead["updated_at"]
    links = (await amo.get(admin, f"/api/v4/leads/{lead['id']}/links")).json()["_embedded"]["links"]
    assert links[0] == {
        "to_entity_id": contact["id"],
        "to_entity_type": "contacts",
        "metadata": {"main_contact": True},
    }
    only = await amo.get(
        admin,
        f"/api/v4/leads/{lead['id']}/links",
        {"filter[to_entity_id]": contact["id"], "filter[to_entity_type]": "contacts"},
    )
    assert len(only.json()["_embedded"]["links"]) == 1
    half = await amo.get(admin, f"/api/v4/leads/{lead['id']}/links", {"filter[to_entity_id]": 1})
    assert half.status_code == 400
    gone = await amo.post(
        admin,
        f"/api/v4/leads/{lead['id']}/unlink",
        [{"to_entity_id": contact["id"], "to_entity_type": "contacts"}],
    )
    assert gone.status_code == 204 and gone.content == b""
    final = (await amo.get(admin, f"/api/v4/leads/{lead['id']}", {"with": "contacts"})).json()
    assert [c["id"] for c in final["_embedded"]["contacts"]] == [
        c["id"] for c in lead["_embedded"]["contacts"]
    ]
    kinds = [
        e["type"]
        for e in await _events(amo, admin, f"filter[entity]=lead&filter[entity_id]={lead['id']}")
    ]
    assert kinds[:2] == ["entity_unlinked", "entity_linked"]


async def test_companies_links_and_mass_links(amo: Amo, admin: Tokens) -> None:
    company = (await amo.every(admin, "/api/v4/companies"))[0]
    lead = (await amo.leads(admin))[5]
    linked = await amo.post(
        admin,
        f"/api/v4/companies/{company['id']}/link",
        [{"to_entity_id": lead["id"], "to_entity_type": "leads"}],
    )
    assert linked.status_code == 200, linked.text
    after = (await amo.get(admin, f"/api/v4/leads/{lead['id']}")).json()
    assert [c["id"] for c in after["_embedded"]["companies"]] == [company["id"]]
    mass = await amo.http.get(
        f"/accounts/{AMO}/api/v4/companies/links?filter[entity_id][]={company['id']}",
        headers=admin.headers,
    )
    assert {
        "entity_id": company["id"],
        "entity_type": "companies",
        "to_entity_id": lead["id"],
        "to_entity_type": "leads",
        "metadata": None,
    } in mass.json()["_embedded"]["links"]
    assert (await amo.get(admin, "/api/v4/leads/links")).status_code == 400
    bad = await amo.post(
        admin,
        f"/api/v4/contacts/{(await amo.every(admin, '/api/v4/contacts'))[0]['id']}/link",
        [{"to_entity_id": lead["id"], "to_entity_type": "leads"}],
    )
    assert bad.status_code == 400
    assert bad.json()["validation-errors"][0]["errors"][0]["path"] == "to_entity_type"


async def test_complex(amo: Amo, admin: Tokens) -> None:
    response = await amo.post(
        admin,
        "/api/v4/leads/complex",
        [
            {
                "name": "Квартира 1к, Оболонь",
                "price": 65000,
                "custom_fields_values": [
                    {
                        "field_id": amo.sandbox.account(AMO).fields["leads"][1].id,
                        "values": [{"value": "Квартира"}],
                    }
                ],
                "_embedded": {
                    "contacts": [
                        {
                            "first_name": "Тарас",
                            "last_name": "Гнатюк",
                            "custom_fields_values": [
                                {
                                    "field_code": "PHONE",
                                    "values": [{"value": "+380931234567", "enum_code": "MOB"}],
                                }
                            ],
                        }
                    ],
                    "companies": [{"name": "ТОВ «Гнатюк і партнери»"}],
                },
                "request_id": "site-1",
            },
            {
                "name": "Форма з сайту",
                "_embedded": {
                    "metadata": {"category": "forms"},
                    "contacts": [{"name": "Без імені"}],
                },
            },
        ],
    )
    assert response.status_code == 200, response.text
    first, second = response.json()
    assert first["request_id"] == ["site-1"] and second["request_id"] == ["1"]
    assert first["merged"] is False and second["company_id"] is None
    lead = (await amo.get(admin, f"/api/v4/leads/{first['id']}", {"with": "contacts"})).json()
    assert lead["_embedded"]["contacts"][0]["id"] == first["contact_id"]
    assert lead["_embedded"]["companies"][0]["id"] == first["company_id"]
    contact = (await amo.get(admin, f"/api/v4/contacts/{first['contact_id']}")).json()
    assert contact["_embedded"]["companies"][0]["id"] == first["company_id"]  # linked together
    assert contact["custom_fields_values"][0]["values"][0]["enum_code"] == "MOB"
    unsorted = (await amo.get(admin, f"/api/v4/leads/{second['id']}")).json()
    assert unsorted["status_id"] == 61000011  # the pipeline's "unsorted" stage
    too_many = await amo.post(admin, "/api/v4/leads/complex", [{"name": "x"}] * 51)
    assert too_many.status_code == 422
    two = await amo.post(
        admin,
        "/api/v4/leads/complex",
        [{"_embedded": {"contacts": [{"name": "a"}, {"name": "b"}]}}],
    )
    assert two.status_code == 400
    assert two.json()["validation-errors"][0]["errors"][0]["path"] == "_embedded.contacts"
