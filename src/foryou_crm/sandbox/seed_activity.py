"""Seeded activity: notes (comments, calls, system messages), tasks (open, overdue, done)
and the last month of the events feed — consistent with the leads they belong to
(`closest_task_at` is the earliest open task's `complete_till`).

A real account holds several notes and tasks per lead; drawing 250 000 of them would
double the start-up time at 100 000 leads, so they are drawn when first needed: one
entity's when it is read or changed (`ensure`), everything when a list spans the account
(`ensure_all`). Each entity draws from its own stream (seed, id) and its notes/tasks get
ids derived from its own id, so the result does not depend on when it is drawn. Whatever
changes an entity calls `ensure` first, so drawing always sees the seeded values.
"""

from __future__ import annotations

from typing import Any

from .dice import Dice, Stream
from .events import new_event
from .models import CLOSED_STATUS_IDS, Account, Lead, Note, Task
from .profiles import Profile

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


def _dice(account: Account, entity_id: int) -> Dice:
    return Dice(Stream(account.seed, account.id, entity_id))


def _lead_notes(account: Account, profile: Profile, d: Dice, lead: Lead) -> list[Note]:
    main = account.contacts.get(lead.contact_ids[0]) if lead.contact_ids else None
    phone = main.seeded[0][0][0] if main is not None and main.seeded else None
    admin = account.admin.id
    span = max(HOUR, lead.updated_at - lead.created_at)
    times = sorted(lead.created_at + d.below(span) for _ in range(1 + d.below(4)))
    first_id = account.id_base + NOTES_OFFSET + 5 * (lead.id - account.id_base)
    notes: list[Note] = []
    for k, at in enumerate(times):
        author = admin if d.chance(0.15) else lead.responsible_user_id
        roll = d.random()
        seeded: tuple[object, ...]
        if roll < 0.35 and phone:
            note_type = "call_out" if d.chance(0.6) else "call_in"
            status = d.pick(CALL_STATUSES)
            duration = d.between(20, 900) if status == 4 else 0
            result = profile.call_results[0 if status == 4 else 1 + d.below(2)]
            seeded = (duration, profile.call_source, phone, result, status)
        elif roll < 0.45:
            note_type = "service_message"
            seeded = d.pick(profile.service_notes)
        else:
            note_type = "common"
            seeded = (d.pick(profile.notes),)
        notes.append(
            Note(
                first_id + k,
                "leads",
                lead.id,
                note_type,
                author,
                author,
                at,
                at,
                author,
                seeded=seeded,
            )
        )
    return notes


def _lead_tasks(account: Account, profile: Profile, d: Dice, lead: Lead, anchor: int) -> list[Task]:
    custom = account.task_types[-1].id
    owner = lead.responsible_user_id
    next_id = account.id_base + TASKS_OFFSET + 3 * (lead.id - account.id_base)
    tasks: list[Task] = []

    def task(type_id: int, till: int, created: int, done: bool) -> None:
        texts = profile.task_texts[3 if type_id == custom else type_id]
        updated = min(anchor, till + d.below(6 * HOUR)) if done else created
        result = d.pick(profile.task_results) if done and d.chance(0.8) else None
        tasks.append(
            Task(
                next_id + len(tasks),
                "leads",
                lead.id,
                owner,
                owner,
                created,
                max(created, updated),
                owner,
                type_id,
                d.pick(texts),
                till,
                HOUR if type_id == 2 else 0,
                done,
                result,
            )
        )

    if d.chance(0.5):
        end = max(lead.created_at + HOUR, min(anchor, lead.updated_at))
        till = d.between(lead.created_at, end)
        task(d.pick((1, 1, custom, 2)), till, max(lead.created_at, till - d.below(7 * DAY)), True)
    if lead.closest_task_at is not None:
        till = lead.closest_task_at
        created = d.between(max(lead.created_at, till - 30 * DAY), min(anchor, till))
        task(d.pick((1, 1, 1, 1, custom, custom, 2)), till, max(lead.created_at, created), False)
        if d.chance(0.2):
            task(1, till + d.between(DAY, 10 * DAY), min(anchor, till), False)
    return tasks


def _contact_note(account: Account, profile: Profile, entity_id: int) -> Note | None:
    contact = account.contacts.get(entity_id)
    if contact is None:
        return None
    d = _dice(account, entity_id)
    if not d.chance(0.1):
        return None
    at = contact.created_at + d.below(max(HOUR, contact.updated_at - contact.created_at))
    by = contact.responsible_user_id
    # Contact ids are base + 20 000 000 + 3i (seed_people.py): one note id per contact.
    note_id = account.id_base + CONTACT_NOTES_OFFSET + entity_id - account.id_base - 20_000_000
    return Note(
        note_id,
        "contacts",
        entity_id,
        "common",
        by,
        by,
        at,
        at,
        by,
        seeded=(d.pick(profile.notes),),
    )


def ensure(account: Account, entity_id: int | None) -> None:
    """Draw the seeded notes and tasks of one lead or contact, if not drawn yet."""
    if entity_id is None or entity_id not in account.activity_todo:
        return
    account.activity_todo.discard(entity_id)
    profile: Profile = account.profile
    lead = account.leads_by_id.get(entity_id)
    if lead is None:
        note = _contact_note(account, profile, entity_id)
        if note is not None:
            account.notes[note.id] = note
            account.notes_by_entity.setdefault(entity_id, []).append(note)
        return
    d = _dice(account, entity_id)
    notes = _lead_notes(account, profile, d, lead)
    tasks = _lead_tasks(account, profile, d, lead, account.anchor)
    for note in notes:
        account.notes[note.id] = note
    account.notes_by_entity.setdefault(entity_id, []).extend(notes)
    for task in tasks:
        account.tasks[task.id] = task
    account.tasks_by_entity.setdefault(entity_id, []).extend(tasks)


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


def ensure_all(account: Account) -> None:
    """Draw everything still waiting, then put notes and tasks back in id order (lists
    page through them by id)."""
    if not account.activity_todo:
        return
    for entity_id in sorted(account.activity_todo):
        ensure(account, entity_id)
    account.notes = dict(sorted(account.notes.items()))
    account.tasks = dict(sorted(account.tasks.items()))


def seed_activity(account: Account, profile: Profile, seed: int, anchor: int, base: int) -> None:
    """Arm the lazy notes/tasks and write the last month of the events feed."""
    account.seed, account.id_base, account.profile, account.anchor = seed, base, profile, anchor
    account.activity_todo = {lead.id for lead in account.leads} | set(account.contacts)
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
