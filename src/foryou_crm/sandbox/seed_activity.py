"""Seeded activity: notes (comments, calls, system messages), tasks (open, overdue, done)
and the last month of the events feed — consistent with the leads they belong to
(`closest_task_at` is the earliest open task's `complete_till`).

A real account holds several notes and tasks per lead; drawing 350 000 of them would
double the start-up time at 100 000 leads, so they are drawn when first needed: one
entity's when it is read or changed (`ensure`), all notes or all tasks when a list spans
the account (`ensure_all`). An entity draws its notes and its tasks from two streams of
its own (seed, account, id) and they get ids derived from its id, so the result does not
depend on when, or in which order, things are drawn. Whatever changes an entity calls
`ensure` first, so drawing always sees the seeded values.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .dice import Stream
from .events import new_event
from .fields import values_of
from .models import CLOSED_STATUS_IDS, Account, Contact, Lead, Note, Task
from .profiles import Profile
from .seed_people import contact_values

DAY = 86_400
HOUR = 3_600
EVENTS_HISTORY = 30 * DAY  # how far back the seeded events feed reaches
NOTES_OFFSET = 60_000_000  # seeded note ids: base + offset + 5 × (lead id − base) + k
TASKS_OFFSET = 90_000_000  # seeded task ids: base + offset + 3 × (lead id − base) + k
CONTACT_NOTES_OFFSET = 94_000_000
ACTIVITY_END = 95_000_000  # ids above base + this are free for runtime entities
# CallInterface::CALL_STATUS_* of the official PHP library: 4 = conversation took place,
# 6 = not phoned through, 7 = busy, 2 = call back.
CALL_STATUSES = (4, 4, 4, 4, 4, 4, 4, 6, 6, 7, 2)


def _phone(account: Account, contact: Contact) -> str | None:
    values = contact_values(account, contact)
    phones: Any = values[0] if values else None  # PHONE: ((value, enum index), …)
    return str(phones[0][0]) if phones else None


def _lead_notes(account: Account, profile: Profile, lead: Lead) -> list[Note]:
    r = Stream(account.seed, account.id, lead.id, 1).random
    main = account.contacts.get(lead.contact_ids[0]) if lead.contact_ids else None
    phone = _phone(account, main) if main is not None else None
    admin, owner = account.admin.id, lead.responsible_user_id
    start, span = lead.created_at, max(HOUR, lead.updated_at - lead.created_at)
    times = sorted(start + int(r() * span) for _ in range(1 + int(r() * 4)))
    first_id = account.id_base + NOTES_OFFSET + 5 * (lead.id - account.id_base)
    texts, services = profile.notes, profile.service_notes
    notes: list[Note] = []
    for k, at in enumerate(times):
        author = admin if r() < 0.15 else owner
        roll = r()
        seeded: tuple[object, ...]
        if roll < 0.35 and phone:
            note_type = "call_out" if r() < 0.6 else "call_in"
            status = CALL_STATUSES[int(r() * len(CALL_STATUSES))]
            duration = 20 + int(r() * 880) if status == 4 else 0
            result = profile.call_results[0 if status == 4 else 1 + int(r() * 2)]
            seeded = (duration, profile.call_source, phone, result, status)
        elif roll < 0.45:
            note_type = "service_message"
            seeded = services[int(r() * len(services))]
        else:
            note_type = "common"
            seeded = (texts[int(r() * len(texts))],)
        note = Note(first_id + k, "leads", lead.id, note_type, author, author, at, at, author)
        note.seeded = seeded
        notes.append(note)
    return notes


def _lead_tasks(account: Account, profile: Profile, lead: Lead) -> list[Task]:
    """An open task at `closest_task_at` (sometimes a second, later one) for leads that
    have one, and a done task for half of all leads."""
    r = Stream(account.seed, account.id, lead.id, 2).random
    anchor, custom = account.anchor, account.task_types[-1].id
    owner, start = lead.responsible_user_id, lead.created_at
    next_id = account.id_base + TASKS_OFFSET + 3 * (lead.id - account.id_base)
    tasks: list[Task] = []

    def task(type_id: int, till: int, created: int, done: bool) -> None:
        texts = profile.task_texts[3 if type_id == custom else type_id]
        updated = min(anchor, till + int(r() * 6 * HOUR)) if done else created
        results = profile.task_results
        result = results[int(r() * len(results))] if done and r() < 0.8 else None
        text = texts[int(r() * len(texts))]
        duration = HOUR if type_id == 2 else 0
        tasks.append(
            Task(next_id + len(tasks), "leads", lead.id, owner, owner, created,
                 max(created, updated), owner, type_id, text, till, duration, done, result)
        )  # fmt: skip

    if r() < 0.5:
        end = max(start + HOUR, min(anchor, lead.updated_at))
        till = start + int(r() * (end - start))
        kind = (1, 1, custom, 2)[int(r() * 4)]
        task(kind, till, max(start, till - int(r() * 7 * DAY)), True)
    if lead.closest_task_at is not None:
        till = lead.closest_task_at
        low, high = max(start, till - 30 * DAY), min(anchor, till)
        created = max(start, low + int(r() * max(0, high - low)))
        task((1, 1, 1, 1, custom, custom, 2)[int(r() * 7)], till, created, False)
        if r() < 0.2:
            task(1, till + DAY + int(r() * 9 * DAY), min(anchor, till), False)
    return tasks


def _contact_note(account: Account, profile: Profile, contact_id: int) -> Note | None:
    contact = account.contacts.get(contact_id)
    r = Stream(account.seed, account.id, contact_id, 1).random
    if contact is None or r() >= 0.1:
        return None
    at = contact.created_at + int(r() * max(HOUR, contact.updated_at - contact.created_at))
    by = contact.responsible_user_id
    # Contact ids are base + 20 000 000 + 3i (seed_people.py): one note id per contact.
    note_id = account.id_base + CONTACT_NOTES_OFFSET + contact_id - account.id_base - 20_000_000
    note = Note(note_id, "contacts", contact_id, "common", by, by, at, at, by)
    note.seeded = (profile.notes[int(r() * len(profile.notes))],)
    return note


def _draw_notes(account: Account, entity_id: int) -> None:
    profile: Profile = account.profile
    lead = account.leads_by_id.get(entity_id)
    if lead is not None:
        notes = _lead_notes(account, profile, lead)
    else:
        note = _contact_note(account, profile, entity_id)
        notes = [note] if note is not None else []
    if notes:
        for note in notes:
            account.notes[note.id] = note
        account.notes_by_entity.setdefault(entity_id, []).extend(notes)
        account.notes_in_order = False


def _draw_tasks(account: Account, entity_id: int) -> None:
    lead = account.leads_by_id.get(entity_id)
    tasks = _lead_tasks(account, account.profile, lead) if lead is not None else []
    if tasks:
        for task in tasks:
            account.tasks[task.id] = task
        account.tasks_by_entity.setdefault(entity_id, []).extend(tasks)
        account.tasks_in_order = False


def ensure(account: Account, entity_id: int | None) -> None:
    """Draw the seeded notes and tasks of one lead or contact, if not drawn yet."""
    if entity_id is None:
        return
    if entity_id in account.notes_todo:
        account.notes_todo.discard(entity_id)
        _draw_notes(account, entity_id)
    if entity_id in account.tasks_todo:
        account.tasks_todo.discard(entity_id)
        _draw_tasks(account, entity_id)


def before_change(account: Account, entity_id: int) -> None:
    """Call before changing a lead or contact: draws its notes and tasks, and freezes a
    seeded lead's custom field values (they are drawn from its seeded price, stage and
    dates, which the change may move)."""
    ensure(account, entity_id)
    lead = account.leads_by_id.get(entity_id)
    if lead is not None and lead.values is None and isinstance(lead.seeded, int):
        lead.values = dict(values_of(account, "leads", lead))


def owner_of(account: Account, kind: str, item_id: int) -> int | None:
    """The lead/contact whose seeded note or task would carry this id (ids encode it)."""
    offset = item_id - account.id_base
    if kind == "notes" and NOTES_OFFSET <= offset < TASKS_OFFSET:
        return account.id_base + (offset - NOTES_OFFSET) // 5
    if kind == "notes" and CONTACT_NOTES_OFFSET <= offset < ACTIVITY_END:
        return account.id_base + 20_000_000 + offset - CONTACT_NOTES_OFFSET
    if kind == "tasks" and TASKS_OFFSET <= offset < CONTACT_NOTES_OFFSET:
        return account.id_base + (offset - TASKS_OFFSET) // 3
    return None


def ensure_owner(account: Account, kind: str, item_id: Any) -> None:
    """Before looking up a note/task by id: draw the activity it may belong to."""
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        ensure(account, owner_of(account, kind, item_id))


def ensure_all(account: Account, kind: str) -> None:
    """Draw every seeded note (kind "notes") or task ("tasks") still waiting, and keep
    the dict in id order (lists page through them by id; ids drawn late land out of
    order). A no-op once everything is drawn and in order."""
    if kind == "notes" and (account.notes_todo or not account.notes_in_order):
        for entity_id in sorted(account.notes_todo):
            _draw_notes(account, entity_id)
        account.notes_todo.clear()
        account.notes = dict(sorted(account.notes.items()))
        account.notes_in_order = True
    if kind == "tasks" and (account.tasks_todo or not account.tasks_in_order):
        for entity_id in sorted(account.tasks_todo):
            _draw_tasks(account, entity_id)
        account.tasks_todo.clear()
        account.tasks = dict(sorted(account.tasks.items()))
        account.tasks_in_order = True


async def draw_in_background(account: Account, chunk: int = 1_000) -> None:
    """Draw everything a little at a time on the event loop (requests are served between
    chunks and never see half-drawn state), so account-wide lists are usually ready by
    the time anyone asks; the result is the same as drawing on demand."""
    for kind, todo, draw in (
        ("tasks", account.tasks_todo, _draw_tasks),  # fewer, and open tasks are asked first
        ("notes", account.notes_todo, _draw_notes),
    ):
        pending = sorted(todo)
        drew = False
        for i in range(0, len(pending), chunk):
            for entity_id in pending[i : i + chunk]:
                if entity_id in todo:
                    todo.discard(entity_id)
                    draw(account, entity_id)
                    drew = True
            await asyncio.sleep(0)
        if drew:
            ensure_all(account, kind)  # nothing left to draw: puts the dict in id order


def seed_activity(account: Account, anchor: int, base: int) -> None:
    """Arm the lazy notes/tasks and write the last month of the events feed."""
    account.notes_todo = {lead.id for lead in account.leads} | set(account.contacts)
    account.tasks_todo = {lead.id for lead in account.leads}
    account.next_id = max(account.next_id, base + ACTIVITY_END)
    _seed_events(account, anchor)


def _seed_events(account: Account, anchor: int) -> None:
    """The last month of the feed: leads added and leads closed (events-and-notes.md)."""
    since = anchor - EVENTS_HISTORY
    drafts: list[tuple[int, str, Lead]] = []
    for lead in account.leads:
        if lead.created_at >= since:
            drafts.append((lead.created_at, "lead_added", lead))
        if lead.closed_at is not None and lead.closed_at >= since:
            drafts.append((lead.closed_at, "lead_status_changed", lead))
    drafts.sort(key=lambda x: (x[0], x[2].id))
    first_stage = {p.id: p.statuses[1].id for p in account.pipelines}
    for at, kind, lead in drafts:
        before: list[dict[str, object]] = []
        if kind == "lead_added":
            # lead_added carries the id of the "lead created" system note (not listed).
            after: list[dict[str, object]] = [{"note": {"id": account.new_id()}}]
        else:
            assert lead.status_id in CLOSED_STATUS_IDS
            after = [{"lead_status": {"id": lead.status_id, "pipeline_id": lead.pipeline_id}}]
            stage = first_stage[lead.pipeline_id]
            before = [{"lead_status": {"id": stage, "pipeline_id": lead.pipeline_id}}]
        account.events.append(
            new_event(account, kind, "lead", lead.id, lead.updated_by, at, at * 1000, after, before)
        )


def index_links(account: Account) -> None:
    """Reverse links (contact → leads, company → leads and contacts) for `with=` and links."""
    for lead in account.leads_by_id.values():
        for cid in lead.contact_ids:
            account.leads_by_contact.setdefault(cid, []).append(lead.id)
        if lead.company_id is not None:
            account.leads_by_company.setdefault(lead.company_id, []).append(lead.id)
    for contact in account.contacts.values():
        if contact.company_id is not None:
            account.contacts_by_company.setdefault(contact.company_id, []).append(contact.id)
