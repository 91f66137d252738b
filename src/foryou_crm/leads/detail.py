"""Reads of one lead, whole (``GET /leads/{id}``), and of the fields the list filters by
(``GET /custom-fields``). Only the caller's connection is ever read: another agent's lead is
as absent as a lead that does not exist."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.connections.models import AmoConnection
from foryou_crm.core.errors import NotFound
from foryou_crm.leads import queries
from foryou_crm.leads.amo import ENUM_TYPES
from foryou_crm.leads.models import (
    AmoCompany,
    AmoContact,
    AmoCustomField,
    AmoLead,
    AmoNote,
    AmoTask,
)
from foryou_crm.leads.schemas import (
    CompanyOut,
    ContactDetailOut,
    CustomFieldOut,
    CustomValueOut,
    EnumOut,
    FilterFieldOut,
    FilterFieldsOut,
    LeadDetailOut,
    NoteOut,
    TaskOut,
    TypedValueOut,
)

NOTES_SHOWN = 20


class LeadNotFound(NotFound):
    code = "LEAD_NOT_FOUND"
    message = "No such lead in your amoCRM mirror."


def _ts(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _typed(values: list[dict[str, Any]] | None) -> list[TypedValueOut]:
    return [TypedValueOut(value=str(v["value"]), type=v.get("type")) for v in values or []]


async def _contacts(
    session: AsyncSession, connection_id: int, listed: list[dict[str, Any]]
) -> list[ContactDetailOut]:
    ids = [int(c["id"]) for c in listed]
    rows = {
        int(c.amo_id): c
        for c in (
            await session.execute(
                select(AmoContact).where(
                    AmoContact.connection_id == connection_id, AmoContact.amo_id.in_(ids)
                )
            )
        ).scalars()
    }
    out = []
    for c in listed:
        row = rows.get(int(c["id"]))
        out.append(
            ContactDetailOut(
                id=int(c["id"]),
                name=row.name if row else c.get("name"),
                phone=row.phones[0]["value"] if row and row.phones else c.get("phone"),
                is_main=bool(c.get("main")),
                phones=_typed(row.phones if row else None),
                emails=_typed(row.emails if row else None),
                position=row.position if row else None,
            )
        )
    return out


def _custom_fields(values: list[dict[str, Any]] | None) -> list[CustomFieldOut]:
    return [
        CustomFieldOut(
            id=int(f["field_id"]),
            name=str(f.get("field_name") or ""),
            type=str(f.get("field_type") or ""),
            code=f.get("field_code"),
            values=[
                CustomValueOut(value=v.get("value"), enum_id=v.get("enum_id"))
                for v in f.get("values") or []
            ],
        )
        for f in values or []
    ]


async def lead_detail(
    session: AsyncSession, connection: AmoConnection, lead_id: int
) -> LeadDetailOut:
    """The caller's lead with its contacts, company, custom fields, latest notes and open
    tasks; LeadNotFound when the mirror has no such lead."""
    cid = connection.id
    stmt = queries.page_statement().where(AmoLead.connection_id == cid, AmoLead.amo_id == lead_id)
    row = (
        await session.execute(stmt.add_columns(AmoLead.custom_fields, AmoLead.company_id))
    ).first()
    if row is None:
        raise LeadNotFound()
    listed = queries.lead_out(
        row, queries.joined_names(row), connection.domain, connection.currency
    )
    company = None
    if row.company_id is not None:
        name = await session.scalar(
            select(AmoCompany.name).where(
                AmoCompany.connection_id == cid, AmoCompany.amo_id == row.company_id
            )
        )
        company = CompanyOut(id=int(row.company_id), name=name)
    notes = (
        await session.execute(
            select(AmoNote)
            .where(AmoNote.connection_id == cid, AmoNote.lead_id == lead_id)
            .order_by(AmoNote.created_at.desc(), AmoNote.amo_id.desc())
            .limit(NOTES_SHOWN)
        )
    ).scalars()
    tasks = (
        await session.execute(
            select(AmoTask)
            .where(AmoTask.connection_id == cid, AmoTask.lead_id == lead_id)
            .order_by(AmoTask.complete_till, AmoTask.amo_id)
        )
    ).scalars()
    return LeadDetailOut(
        **{key: value for key, value in listed.items() if key != "contacts"},
        contacts=await _contacts(session, cid, list(row.contacts or [])),
        company=company,
        custom_fields=_custom_fields(row.custom_fields),
        notes=[
            NoteOut(
                id=n.amo_id,
                type=n.note_type,
                text=n.text,
                created_at=_ts(n.created_at),
                created_by=n.created_by,
                params=n.params or {},
            )
            for n in notes
        ],
        tasks=[
            TaskOut(
                id=t.amo_id,
                text=t.text,
                complete_till=_ts(t.complete_till),
                task_type_id=t.task_type_id,
                responsible_user_id=t.responsible_user_id,
            )
            for t in tasks
        ],
    )


async def filter_fields(session: AsyncSession, connection_id: int) -> FilterFieldsOut:
    """The lead custom fields the list can be filtered by: those with enums, in amoCRM's
    order."""
    rows = (
        await session.execute(
            select(AmoCustomField)
            .where(
                AmoCustomField.connection_id == connection_id,
                AmoCustomField.type.in_(sorted(ENUM_TYPES)),
            )
            .order_by(AmoCustomField.sort, AmoCustomField.amo_id)
        )
    ).scalars()
    return FilterFieldsOut(
        fields=[
            FilterFieldOut(
                id=f.amo_id,
                name=f.name,
                type=f.type,
                enums=[
                    EnumOut(id=int(e["id"]), value=str(e["value"]))
                    for e in sorted(f.enums or [], key=lambda e: (e.get("sort", 0), e["id"]))
                ],
            )
            for f in rows
            if f.enums
        ]
    )
