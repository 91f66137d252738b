"""Notes and tasks: lists with their documented filters and order, rights, writes,
validation, and a lead's `closest_task_at` following its open tasks."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from .conftest import AMO, Amo, Tokens


@pytest.fixture
async def notes(amo: Amo, admin: Tokens) -> list[dict[str, Any]]:
    return await amo.every(admin, "/api/v4/leads/notes")


@pytest.fixture
async def tasks(amo: Amo, admin: Tokens) -> list[dict[str, Any]]:
    return await amo.every(admin, "/api/v4/tasks")


def _ids(items: list[dict[str, Any]]) -> list[int]:
    return [x["id"] for x in items]


async def test_several_notes_per_lead_some_of_them_calls(
    amo: Amo, admin: Tokens, notes: list[dict[str, Any]]
) -> None:
    leads = await amo.leads(admin)
    per_lead = Counter(n["entity_id"] for n in notes)
    assert set(per_lead) == {x["id"] for x in leads}  # every lead has notes
    assert sum(per_lead.values()) / len(leads) >= 2
    kinds = Counter(n["note_type"] for n in notes)
    assert kinds["common"] and kinds["call_in"] and kinds["call_out"] and kinds["service_message"]
    calls = [n for n in notes if n["note_type"] in ("call_in", "call_out")]
    assert all(n["params"]["phone"].startswith("+380") for n in calls)
    assert _ids(notes) == sorted(_ids(notes))
    assert len(set(_ids(notes))) == len(notes)


async def test_note_filters_and_order(amo: Amo, admin: Tokens, notes: list[dict[str, Any]]) -> None:
    lead_ids = sorted({n["entity_id"] for n in notes})[:3]
    query = "&".join(f"filter[entity_id][]={i}" for i in lead_ids)
    some = await amo.every(admin, "/api/v4/leads/notes", query)
    assert _ids(some) == [n["id"] for n in notes if n["entity_id"] in lead_ids]
    calls = await amo.every(admin, "/api/v4/leads/notes", "filter[note_type][]=call_in")
    assert _ids(calls) == [n["id"] for n in notes if n["note_type"] == "call_in"]
    stamps = sorted(n["updated_at"] for n in notes)
    mid = stamps[len(stamps) // 2]
    after = await amo.every(admin, "/api/v4/leads/notes", f"filter[updated_at]={mid}")
    assert _ids(after) == [n["id"] for n in notes if n["updated_at"] > mid]  # strictly after
    ranged = await amo.every(
        admin, "/api/v4/leads/notes", f"filter[updated_at][from]={mid}&filter[updated_at][to]={mid}"
    )
    assert _ids(ranged) == [n["id"] for n in notes if n["updated_at"] == mid]
    desc = await amo.every(admin, "/api/v4/leads/notes", "order[updated_at]=desc")
    assert [(n["updated_at"], n["id"]) for n in desc] == sorted(
        ((n["updated_at"], n["id"]) for n in notes), reverse=True
    )


async def test_agents_see_notes_of_their_own_leads_only(
    amo: Amo, agent: Tokens, notes: list[dict[str, Any]]
) -> None:
    me = (await amo.get(agent, "/api/v4/account")).json()["current_user_id"]
    mine = {x["id"] for x in await amo.leads(agent)}
    seen = await amo.every(agent, "/api/v4/leads/notes")
    assert _ids(seen) == [n["id"] for n in notes if n["entity_id"] in mine]
    other = next(n for n in notes if n["entity_id"] not in mine)
    assert (await amo.get(agent, f"/api/v4/leads/notes/{other['id']}")).status_code == 204
    assert (await amo.get(agent, f"/api/v4/leads/{other['entity_id']}/notes")).status_code == 204
    denied = await amo.post(
        agent,
        f"/api/v4/leads/{other['entity_id']}/notes",
        [{"note_type": "common", "params": {"text": "x"}}],
    )
    assert denied.status_code == 400
    assert me


async def test_add_and_edit_notes(amo: Amo, admin: Tokens) -> None:
    lead = (await amo.leads(admin))[0]
    added = await amo.post(
        admin,
        f"/api/v4/leads/{lead['id']}/notes",
        [
            {"note_type": "common", "params": {"text": "Клієнт погодився на показ"}},
            {
                "note_type": "call_out",
                "params": {
                    "uniq": "8f52d38a-5fb3-406d-93a3-a4832dc28f8b",
                    "duration": 60,
                    "source": "Binotel",
                    "phone": "+380501112233",
                    "link": "https://example.com/rec.mp3",
                },
            },
        ],
    )
    assert added.status_code == 200, added.text
    made = added.json()["_embedded"]["notes"]
    assert [n["entity_id"] for n in made] == [lead["id"]] * 2
    own = await amo.every(admin, f"/api/v4/leads/{lead['id']}/notes")
    assert _ids(own)[-2:] == [n["id"] for n in made]
    assert own[-2]["params"] == {"text": "Клієнт погодився на показ"}
    assert own[-1]["params"]["phone"] == "+380501112233"
    edited = await amo.patch(
        admin,
        f"/api/v4/leads/{lead['id']}/notes/{made[0]['id']}",
        {"note_type": "common", "params": {"text": "Показ перенесено"}},
    )
    assert edited.status_code == 200
    one = (await amo.get(admin, f"/api/v4/leads/notes/{made[0]['id']}")).json()
    assert (
        one["params"] == {"text": "Показ перенесено"} and one["updated_at"] > own[-2]["updated_at"]
    )
    # A note is no change of the lead itself.
    assert (await amo.get(admin, f"/api/v4/leads/{lead['id']}")).json() == lead


@pytest.mark.parametrize(
    "note,path",
    [
        ({"entity_id": 1, "note_type": "common", "params": {"text": "x"}}, "entity_id"),
        ({"note_type": "common", "params": {"text": "x"}}, "entity_id"),
        ({"entity_id": None, "note_type": "fax", "params": {}}, "note_type"),
        ({"entity_id": None, "note_type": "common", "params": {}}, "params.text"),
        (
            {
                "entity_id": None,
                "note_type": "call_in",
                "params": {"uniq": "u", "duration": "60", "source": "s", "phone": "p"},
            },
            "params.duration",
        ),
    ],
)
async def test_note_validation(amo: Amo, admin: Tokens, note: dict[str, Any], path: str) -> None:
    lead = (await amo.leads(admin))[0]
    if "entity_id" in note and note["entity_id"] is None:
        note["entity_id"] = lead["id"]
    response = await amo.post(admin, "/api/v4/leads/notes", [note])
    assert response.status_code == 400, response.text
    paths = [e["path"] for e in response.json()["validation-errors"][0]["errors"]]
    assert path in paths


async def test_contact_notes(amo: Amo, admin: Tokens) -> None:
    contact_notes = await amo.every(admin, "/api/v4/contacts/notes")
    assert contact_notes and all(n["note_type"] == "common" for n in contact_notes)
    contact = contact_notes[0]["entity_id"]
    own = await amo.every(admin, f"/api/v4/contacts/{contact}/notes")
    assert _ids(own) == [n["id"] for n in contact_notes if n["entity_id"] == contact]
    assert (await amo.get(admin, "/api/v4/companies/notes")).status_code == 204


async def test_open_closed_and_overdue_tasks(
    amo: Amo, admin: Tokens, tasks: list[dict[str, Any]]
) -> None:
    now = amo.sandbox.clock.now_int()
    open_ = [t for t in tasks if not t["is_completed"]]
    done = [t for t in tasks if t["is_completed"]]
    assert open_ and done
    assert any(t["complete_till"] < now for t in open_)  # overdue
    assert any(t["complete_till"] > now for t in open_)
    assert any(t["result"] for t in done)
    assert {t["task_type_id"] for t in tasks} >= {1, 2}
    leads = {x["id"]: x for x in await amo.leads(admin)}
    for lead in leads.values():
        deadlines = [t["complete_till"] for t in open_ if t["entity_id"] == lead["id"]]
        assert lead["closest_task_at"] == (min(deadlines) if deadlines else None)


async def test_task_filters_and_order(amo: Amo, admin: Tokens, tasks: list[dict[str, Any]]) -> None:
    cases = {
        "filter[is_completed]=1": [t for t in tasks if t["is_completed"]],
        "filter[is_completed][]=0": [t for t in tasks if not t["is_completed"]],
        "filter[task_type][]=2": [t for t in tasks if t["task_type_id"] == 2],
        f"filter[responsible_user_id]={tasks[0]['responsible_user_id']}": [
            t for t in tasks if t["responsible_user_id"] == tasks[0]["responsible_user_id"]
        ],
        f"filter[entity_type]=leads&filter[entity_id][]={tasks[0]['entity_id']}": [
            t for t in tasks if t["entity_id"] == tasks[0]["entity_id"]
        ],
        f"filter[updated_at][from]={tasks[5]['updated_at']}": [
            t for t in tasks if t["updated_at"] >= tasks[5]["updated_at"]
        ],
    }
    for query, expected in cases.items():
        assert _ids(await amo.every(admin, "/api/v4/tasks", query)) == _ids(expected), query
    for field in ("complete_till", "created_at", "id"):
        asc = await amo.every(admin, "/api/v4/tasks", f"order[{field}]=asc")
        assert [t[field] for t in asc] == sorted(t[field] for t in tasks)
        desc = await amo.every(admin, "/api/v4/tasks", f"order[{field}]=desc")
        assert [t[field] for t in desc] == sorted((t[field] for t in tasks), reverse=True)
    alone = await amo.http.get(
        f"/accounts/{AMO}/api/v4/tasks?filter[entity_id][]=1", headers=admin.headers
    )
    assert alone.status_code == 400
    assert alone.json()["validation-errors"][0]["errors"][0]["path"] == "filter.entity_id"
    none = await amo.get(admin, "/api/v4/tasks", {"filter[id][]": 1})
    assert none.status_code == 204 and none.content == b""


async def test_tasks_move_the_leads_closest_task(amo: Amo, admin: Tokens) -> None:
    lead = next(x for x in await amo.leads(admin) if x["closest_task_at"] is None)
    added = await amo.post(
        admin,
        "/api/v4/tasks",
        [
            {
                "text": "Показ квартири",
                "complete_till": 1_900_000_000,
                "entity_type": "leads",
                "entity_id": lead["id"],
                "task_type_id": 2,
                "duration": 3600,
            },
            {
                "text": "Передзвонити",
                "complete_till": 1_800_000_000,
                "entity_type": "leads",
                "entity_id": lead["id"],
            },
        ],
    )
    assert added.status_code == 200, added.text
    first, second = (t["id"] for t in added.json()["_embedded"]["tasks"])
    after = (await amo.get(admin, f"/api/v4/leads/{lead['id']}")).json()
    assert after["closest_task_at"] == 1_800_000_000
    assert after["updated_at"] == lead["updated_at"]  # the lead itself did not change
    done = await amo.patch(
        admin, f"/api/v4/tasks/{second}", {"is_completed": True, "result": {"text": "Ок"}}
    )
    assert done.status_code == 200
    task = (await amo.get(admin, f"/api/v4/tasks/{second}")).json()
    assert task["is_completed"] is True and task["result"] == {"text": "Ок"}
    assert (await amo.get(admin, f"/api/v4/leads/{lead['id']}")).json()["closest_task_at"] == (
        1_900_000_000
    )
    await amo.patch(admin, "/api/v4/tasks", [{"id": first, "is_completed": True}])
    assert (await amo.get(admin, f"/api/v4/leads/{lead['id']}")).json()["closest_task_at"] is None


async def test_task_validation(amo: Amo, admin: Tokens) -> None:
    lead = (await amo.leads(admin))[0]
    cases: list[tuple[dict[str, Any], str]] = [
        ({"complete_till": 1_900_000_000}, "text"),
        ({"text": "x"}, "complete_till"),
        ({"text": "x", "complete_till": 1, "task_type_id": 999}, "task_type_id"),
        (
            {"text": "x", "complete_till": 1, "entity_type": "deals", "entity_id": lead["id"]},
            "entity_type",
        ),
        ({"text": "x", "complete_till": 1, "entity_type": "leads", "entity_id": 1}, "entity_id"),
        ({"text": "x", "complete_till": 1, "responsible_user_id": 1}, "responsible_user_id"),
    ]
    for body, path in cases:
        response = await amo.post(admin, "/api/v4/tasks", [body])
        assert response.status_code == 400, body
        assert response.json()["validation-errors"][0]["errors"][0]["path"] == path
    too_many = await amo.post(admin, "/api/v4/tasks", [{"text": "x", "complete_till": 1}] * 251)
    assert too_many.status_code == 422


async def test_agent_tasks(amo: Amo, agent: Tokens, tasks: list[dict[str, Any]]) -> None:
    me = (await amo.get(agent, "/api/v4/account")).json()["current_user_id"]
    mine = await amo.every(agent, "/api/v4/tasks")
    assert mine and all(t["responsible_user_id"] == me for t in mine)
    other = next(t for t in tasks if t["responsible_user_id"] != me)
    assert (await amo.get(agent, f"/api/v4/tasks/{other['id']}")).status_code == 204
    refused = await amo.patch(agent, "/api/v4/tasks", [{"id": other["id"], "text": "x"}])
    assert refused.status_code == 400
