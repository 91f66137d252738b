"""The seeded world: deterministic per seed, the same whichever order it is read in (notes
and tasks are drawn on demand), and shaped like the two agencies it stands for."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from foryou_crm.sandbox import SandboxConfig, create_sandbox_app

from .conftest import ADMIN, AMO, BASE, KOMMO_ADMIN, Amo, Tokens

ANCHOR = 1_767_225_600  # 2026-01-01: a fixed end of history, so two sandboxes agree


async def _world(sb_config: SandboxConfig, **changes: Any) -> AsyncIterator[Amo]:
    config = SandboxConfig(**{**sb_config.__dict__, "anchor": ANCHOR, **changes})
    app = create_sandbox_app(config)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        yield Amo(http, app)
    await app.state.sandbox.aclose()


@pytest.fixture
async def one(sb_config: SandboxConfig) -> AsyncIterator[Amo]:
    async for amo in _world(sb_config):
        yield amo


@pytest.fixture
async def two(sb_config: SandboxConfig) -> AsyncIterator[Amo]:
    async for amo in _world(sb_config):
        yield amo


async def _snapshot(amo: Amo, tokens: Tokens) -> dict[str, Any]:
    return {
        "leads": await amo.leads(tokens, "with=contacts"),
        "contacts": await amo.every(tokens, "/api/v4/contacts"),
        "companies": await amo.every(tokens, "/api/v4/companies"),
        "notes": await amo.every(tokens, "/api/v4/leads/notes"),
        "tasks": await amo.every(tokens, "/api/v4/tasks"),
        "events": await amo.every(tokens, "/api/v4/events", limit=100),
    }


async def test_same_seed_same_world(one: Amo, two: Amo) -> None:
    a = await _snapshot(one, await one.login(ADMIN))
    b = await _snapshot(two, await two.login(ADMIN))
    assert a == b


async def test_another_seed_another_world(sb_config: SandboxConfig, one: Amo) -> None:
    async for other in _world(sb_config, seed=8):
        a = await one.leads(await one.login(ADMIN))
        b = await other.leads(await other.login(ADMIN))
        assert [x["name"] for x in a] != [x["name"] for x in b]


async def test_reading_order_does_not_change_the_world(one: Amo, two: Amo) -> None:
    """One sandbox reads a lead's notes and tasks first, edits the lead, then lists the
    whole account; the other lists everything first. Both must tell the same story."""
    a_tokens, b_tokens = await one.login(ADMIN), await two.login(ADMIN)
    lead = (await one.leads(a_tokens))[17]
    early_notes = await one.every(a_tokens, f"/api/v4/leads/{lead['id']}/notes")
    await one.patch(a_tokens, f"/api/v4/leads/{lead['id']}", {"responsible_user_id": 9001103})
    everything_b = await two.every(b_tokens, "/api/v4/leads/notes")
    assert early_notes == [n for n in everything_b if n["entity_id"] == lead["id"]]
    assert await one.every(a_tokens, "/api/v4/leads/notes") == everything_b
    tasks_a = await one.every(a_tokens, "/api/v4/tasks")
    tasks_b = await two.every(b_tokens, "/api/v4/tasks")
    assert tasks_a == tasks_b
    another = (await two.leads(b_tokens))[40]
    assert (await two.get(b_tokens, f"/api/v4/leads/{another['id']}/notes")).json() == (
        await one.get(a_tokens, f"/api/v4/leads/{another['id']}/notes")
    ).json()


async def test_notes_and_tasks_by_id_before_any_list(one: Amo, two: Amo) -> None:
    a_tokens, b_tokens = await one.login(ADMIN), await two.login(ADMIN)
    notes = await two.every(b_tokens, "/api/v4/leads/notes")
    tasks = await two.every(b_tokens, "/api/v4/tasks")
    for note in notes[::37]:
        got = await one.get(a_tokens, f"/api/v4/leads/notes/{note['id']}")
        assert got.json() == note
    for task in tasks[::23]:
        assert (await one.get(a_tokens, f"/api/v4/tasks/{task['id']}")).json() == task


async def test_ids_grow_with_creation_and_new_ids_come_last(one: Amo) -> None:
    tokens = await one.login(ADMIN)
    leads = await one.leads(tokens)
    assert [x["created_at"] for x in leads] == sorted(x["created_at"] for x in leads)
    contacts = await one.every(tokens, "/api/v4/contacts")
    assert [c["created_at"] for c in contacts] == sorted(c["created_at"] for c in contacts)
    highest = max(
        [x["id"] for x in leads]
        + [n["id"] for n in await one.every(tokens, "/api/v4/leads/notes")]
        + [t["id"] for t in await one.every(tokens, "/api/v4/tasks")]
    )
    made = await one.post(tokens, "/api/v4/leads", [{"name": "x"}])
    assert made.json()["_embedded"]["leads"][0]["id"] > highest


async def test_the_kommo_agency_is_in_dubai(one: Amo) -> None:
    tokens = await one.login(KOMMO_ADMIN)
    contacts = await one.every(tokens, "/api/v4/contacts")
    phones = [
        v["value"]
        for c in contacts
        for f in c["custom_fields_values"] or []
        if f["field_code"] == "PHONE"
        for v in f["values"]
    ]
    assert phones and all(p.startswith("+971") for p in phones)
    fields = (await one.get(tokens, "/api/v4/leads/custom_fields")).json()
    names = [f["name"] for f in fields["_embedded"]["custom_fields"]]
    assert "Community" in names and "Bedrooms" in names
    leads = await one.leads(tokens)
    assert len(leads) == 40 and all(
        "Dubai" in x["name"]
        or "JVC" in x["name"]
        or "JBR" in x["name"]
        or "Palm" in x["name"]
        or "Bay" in x["name"]
        or "Ranches" in x["name"]
        or "Hills" in x["name"]
        or "Marina" in x["name"]
        for x in leads
    )
    account = (await one.get(tokens, "/api/v4/account", {"with": "task_types"})).json()
    assert [t["name"] for t in account["_embedded"]["task_types"]][:2] == ["Follow-up", "Meeting"]
    assert AMO not in account["subdomain"]


async def test_drawing_in_the_background_draws_the_same_world(one: Amo, two: Amo) -> None:
    """The standalone sandbox draws notes and tasks in the background (its lifespan); a
    sandbox without lifespan draws them on demand. Same world either way."""
    pending = (await one.control("GET", "/accounts")).json()["accounts"][0]["activityPending"]
    assert pending == 300 + 300 + 150  # leads' notes, leads' tasks, contacts' notes
    assert (await one.control("GET", "")).json()["drawing"] is False
    one.sandbox.start_drawing()
    # The overview says so until the drawing ends (a benchmark waits for that).
    assert (await one.control("GET", "")).json()["drawing"] is True
    await one.sandbox.drawn()
    assert (await one.control("GET", "")).json()["drawing"] is False
    drawn = (await one.control("GET", "/accounts")).json()["accounts"]
    assert [a["activityPending"] for a in drawn] == [0, 0]
    a = await _snapshot(one, await one.login(ADMIN))
    b = await _snapshot(two, await two.login(ADMIN))
    assert a == b


async def test_a_leads_values_do_not_move_when_the_lead_does(one: Amo, two: Amo) -> None:
    """Seeded values are drawn from the seeded price, stage and dates: a change of those
    must not redraw them."""
    a_tokens, b_tokens = await one.login(ADMIN), await two.login(ADMIN)
    before = [x for x in await two.leads(b_tokens) if x["custom_fields_values"]][:25]
    edits = [{"id": x["id"], "price": x["price"] * 3 + 1, "status_id": 143} for x in before]
    assert (await one.patch(a_tokens, "/api/v4/leads", edits)).status_code == 200
    await one.control("DELETE", f"/accounts/{AMO}/leads/{before[0]['id']}")
    after = {x["id"]: x for x in await one.leads(a_tokens, "with=only_deleted")}
    after |= {x["id"]: x for x in await one.leads(a_tokens)}
    for lead in before:
        assert after[lead["id"]]["custom_fields_values"] == lead["custom_fields_values"]


def test_more_agencies_for_loads_leave_the_two_accounts_as_they_were() -> None:
    """`agencies`: more amoCRM accounts, each with its own host, admin and leads; the two
    seeded accounts are drawn first and stay the same."""
    from foryou_crm.sandbox.seed import agency_host, agency_login, build_world

    plain = build_world(1, 120, 1_796_000_000)
    more = build_world(1, 120, 1_796_000_000, agencies=3, agency_leads=50)
    assert list(more)[:2] == list(plain)
    for host in plain:
        assert [lead.id for lead in more[host].leads] == [lead.id for lead in plain[host].leads]
    for number in (1, 2, 3):
        agency = more[agency_host(number)]
        assert len(agency.leads) == 50
        assert agency.admin.email == agency_login(number)
        owners = {lead.responsible_user_id for lead in agency.leads}
        assert owners <= set(agency.users)
    assert len({more[agency_host(n)].id for n in (1, 2, 3)}) == 3


async def test_the_server_freezes_the_drawn_world_and_lets_it_go_on_a_reset() -> None:
    """``foryou-crm sandbox`` moves the drawn world out of the collector's reach (full
    collections of a 100,000-lead world paused its loop ~0.4 s and stamped arrivals late);
    a reset thaws it, so the old world can be freed; a sandbox inside a test process (the
    default) leaves the collector alone."""
    plain = create_sandbox_app(SandboxConfig(leads=20)).state.sandbox
    plain.start_drawing()
    await plain.drawn()
    assert gc.get_freeze_count() == 0

    sb = create_sandbox_app(SandboxConfig(leads=50, freeze_world=True)).state.sandbox
    try:
        sb.start_drawing()
        await sb.drawn()
        assert gc.get_freeze_count() > 0
        await sb.reset(leads=60)
        # Thawed: the old world can be collected (the new one is still being drawn).
        assert gc.get_freeze_count() == 0
        await sb.drawn()
        assert gc.get_freeze_count() > 0  # the new world, frozen once drawn
        assert len(sb.account(AMO).leads) == 60
    finally:
        gc.unfreeze()
