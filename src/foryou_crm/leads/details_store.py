"""Writes of a lead's details to the mirror: companies, lead custom field definitions, the
latest notes (at most ``NOTES_PER_LEAD`` per lead) and the open tasks. Contacts are in
``store`` with the leads (the list shows their names and phones)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.connections.models import AmoConnection
from foryou_crm.leads import store
from foryou_crm.leads.models import (
    AmoCompany,
    AmoContact,
    AmoCustomField,
    AmoLead,
    AmoNote,
    AmoTask,
)

NOTES_PER_LEAD = 20
_KEYS = ("connection_id", "amo_id")


def _unique(rows: Iterable[dict[str, Any] | None]) -> list[dict[str, Any]]:
    return list(
        {r["amo_id"]: r for r in rows if r is not None and r["amo_id"] is not None}.values()
    )


async def save_companies(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await store.upsert_rows(session, AmoCompany, _unique(rows), _KEYS, ("name", "updated_at"))


async def referenced_company_ids(session: AsyncSession, connection_id: int) -> set[int]:
    """Companies the connection's leads and their contacts name."""
    ids: set[int] = set()
    for column, connection in (
        (AmoLead.company_id, AmoLead.connection_id),
        (AmoContact.company_id, AmoContact.connection_id),
    ):
        found = await session.execute(
            select(column).where(connection == connection_id, column.is_not(None)).distinct()
        )
        ids.update(int(i) for i in found.scalars() if i is not None)
    return ids


async def known_company_ids(
    session: AsyncSession, connection_id: int, ids: Iterable[int]
) -> set[int]:
    """Which of these companies the mirror holds."""
    return await _existing(session, AmoCompany, connection_id, ids)


async def known_contact_ids(
    session: AsyncSession, connection_id: int, ids: Iterable[int]
) -> set[int]:
    """Which of these contacts the mirror holds (looked up by id, not the account's whole
    list: 432,038 ids at 1,000,000 leads, read on every incremental pass before)."""
    return await _existing(session, AmoContact, connection_id, ids)


async def replace_custom_fields(
    session: AsyncSession, connection_id: int, rows: Sequence[dict[str, Any]]
) -> None:
    """The lead custom field definitions as amoCRM has them now."""
    await session.execute(
        delete(AmoCustomField).where(AmoCustomField.connection_id == connection_id)
    )
    unique = _unique(rows)
    if unique:
        await session.execute(store.insert_into(session, AmoCustomField), unique)


async def lead_ids_in(
    session: AsyncSession, connection_id: int, after: int | None, limit: int
) -> list[int]:
    """The mirror's lead ids after ``after``, ascending: the details phase's batches."""
    stmt = select(AmoLead.amo_id).where(AmoLead.connection_id == connection_id)
    if after is not None:
        stmt = stmt.where(AmoLead.amo_id > after)
    found = await session.execute(stmt.order_by(AmoLead.amo_id).limit(limit))
    return [int(i) for i in found.scalars()]


async def existing_lead_ids(
    session: AsyncSession, connection_id: int, ids: Iterable[int]
) -> set[int]:
    """Which of these leads the mirror holds."""
    return await _existing(session, AmoLead, connection_id, ids)


async def _existing(
    session: AsyncSession, model: Any, connection_id: int, ids: Iterable[int]
) -> set[int]:
    wanted, found = sorted(set(ids)), set[int]()
    for start in range(0, len(wanted), 500):
        result = await session.execute(
            select(model.amo_id).where(
                model.connection_id == connection_id,
                model.amo_id.in_(wanted[start : start + 500]),
            )
        )
        found.update(int(i) for i in result.scalars())
    return found


async def replace_activity(
    session: AsyncSession,
    connection_id: int,
    lead_ids: Sequence[int],
    notes: Sequence[dict[str, Any]],
    tasks: Sequence[dict[str, Any]],
) -> None:
    """These leads' notes and open tasks are exactly these (a full read of them)."""
    await store.delete_of_leads(session, AmoNote, connection_id, lead_ids)
    await store.delete_of_leads(session, AmoTask, connection_id, lead_ids)
    await _insert_latest_notes(session, notes)
    open_tasks = _unique(tasks)
    if open_tasks:
        await session.execute(store.insert_into(session, AmoTask), open_tasks)


async def _insert_latest_notes(session: AsyncSession, notes: Sequence[dict[str, Any]]) -> None:
    by_lead: dict[int, list[dict[str, Any]]] = {}
    for note in _unique(notes):
        by_lead.setdefault(note["lead_id"], []).append(note)
    kept = [n for found in by_lead.values() for n in _latest(found)]
    if kept:
        await session.execute(store.insert_into(session, AmoNote), kept)


def _latest(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    notes.sort(key=lambda n: (n["created_at"], n["amo_id"]), reverse=True)
    return notes[:NOTES_PER_LEAD]


_NOTE_UPDATED = ("lead_id", "note_type", "text", "params", "created_by", "created_at", "updated_at")
_TASK_UPDATED = (
    "lead_id",
    "text",
    "task_type_id",
    "complete_till",
    "responsible_user_id",
    "updated_at",
)


async def apply_notes(
    session: AsyncSession, connection_id: int, notes: Sequence[dict[str, Any]]
) -> None:
    """Notes changed since the last look, on leads of the mirror: upserted, then each of
    their leads keeps its latest ``NOTES_PER_LEAD``."""
    rows = _unique(notes)
    if not rows:
        return
    await store.upsert_rows(session, AmoNote, rows, _KEYS, _NOTE_UPDATED)
    for lead in sorted({r["lead_id"] for r in rows}):
        found = await session.execute(
            select(AmoNote.id)
            .where(AmoNote.connection_id == connection_id, AmoNote.lead_id == lead)
            .order_by(AmoNote.created_at.desc(), AmoNote.amo_id.desc())
            .offset(NOTES_PER_LEAD)
        )
        old = [int(i) for i in found.scalars()]
        if old:
            await session.execute(delete(AmoNote).where(AmoNote.id.in_(old)))


async def apply_tasks(
    session: AsyncSession,
    connection_id: int,
    open_tasks: Sequence[dict[str, Any]],
    closed_ids: Iterable[int],
) -> None:
    """Tasks changed since the last look: open ones upserted, completed ones removed."""
    closed = sorted(set(closed_ids))
    for start in range(0, len(closed), 500):
        await session.execute(
            delete(AmoTask).where(
                AmoTask.connection_id == connection_id,
                AmoTask.amo_id.in_(closed[start : start + 500]),
            )
        )
    await store.upsert_rows(session, AmoTask, _unique(open_tasks), _KEYS, _TASK_UPDATED)


async def save_currency(
    session: AsyncSession, connection_id: int, currency: Any, symbol: Any
) -> None:
    """The account's currency as amoCRM names it (``currency``, ``currency_symbol``)."""
    connection = await session.get(AmoConnection, connection_id)
    if connection is not None:
        connection.currency = str(currency)[:8] if currency else None
        connection.currency_symbol = str(symbol)[:8] if symbol else None


async def parties_of(
    session: AsyncSession, connection_id: int, lead_ids: Sequence[int]
) -> tuple[set[int], set[int]]:
    """The contact and company ids these leads (and their known contacts) name."""
    contacts: set[int] = set()
    companies: set[int] = set()
    ids = sorted(set(lead_ids))
    for start in range(0, len(ids), 500):
        found = await session.execute(
            select(AmoLead.contacts, AmoLead.company_id).where(
                AmoLead.connection_id == connection_id, AmoLead.amo_id.in_(ids[start : start + 500])
            )
        )
        for lead_contacts, company in found:
            contacts.update(int(c["id"]) for c in lead_contacts or [])
            if company is not None:
                companies.add(int(company))
    for start in range(0, len(sorted(contacts)), 500):
        chunk = sorted(contacts)[start : start + 500]
        found_companies = await session.execute(
            select(AmoContact.company_id).where(
                AmoContact.connection_id == connection_id,
                AmoContact.amo_id.in_(chunk),
                AmoContact.company_id.is_not(None),
            )
        )
        companies.update(int(i) for i in found_companies.scalars() if i is not None)
    return contacts, companies
