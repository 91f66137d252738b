"""Reads of the mirror: the filtered, sorted, paged lead list and the filter UI's pipelines.

Everything runs in our database, whatever the account's amoCRM filtering add-on says. The lead
list is built once here (``_conditions``: what a ``LeadFilter`` means, in the terms of the
database's hooks from ``dialects``). A page is one query: after the ``cursor``'s position
(keyset) or at ``page``'s offset, ``limit + 1`` rows to know whether more follow; its total
comes from ``counts`` while the mirror is unchanged. The rows go straight into the response's
JSON (no ORM objects, no pydantic models: for 50–250 rows those cost more than the query);
``schemas.LeadsEnvelope`` documents the same shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.hosts import lead_url
from foryou_crm.connections.models import AmoConnection, SyncState
from foryou_crm.connections.status import sync_out
from foryou_crm.leads.amo import TAG_SEP
from foryou_crm.leads.counts import LeadCounts
from foryou_crm.leads.cursor import Position
from foryou_crm.leads.dialects import PostgreSQL, SQLite, dialect_named
from foryou_crm.leads.filter import LeadFilter
from foryou_crm.leads.models import AmoLead, AmoLeadEnum, AmoPipeline, AmoStatus, AmoUser
from foryou_crm.leads.schemas import (
    PipelineOut,
    PipelinesOut,
    StatusOut,
    UserOut,
)

Reference = TypeVar("Reference", AmoPipeline, AmoStatus)

_SORTS: dict[str, tuple[Any, bool]] = {
    "createdAt": (AmoLead.created_at, False),
    "-createdAt": (AmoLead.created_at, True),
    "updatedAt": (AmoLead.updated_at, False),
    "-updatedAt": (AmoLead.updated_at, True),
    "price": (AmoLead.price, False),
    "-price": (AmoLead.price, True),
}


def _conditions(
    connection_id: int, f: LeadFilter, db: PostgreSQL | SQLite
) -> list[ColumnElement[bool]]:
    """What the filter selects: the connection's leads, narrowed by every parameter given."""
    col = db.filter_column
    found: list[ColumnElement[bool]] = [AmoLead.connection_id == connection_id]
    if f.text:
        match = db.text_match(f.text)
        if (number := f.number) is not None:
            match = or_(match, col(AmoLead.amo_id) == number, col(AmoLead.price) == number)
        found.append(match)
    if f.pipeline_id is not None:
        found.append(col(AmoLead.pipeline_id) == f.pipeline_id)
    if f.status_id:
        found.append(col(AmoLead.status_id).in_(f.status_id))
    if f.responsible_user_id:
        found.append(col(AmoLead.responsible_user_id).in_(f.responsible_user_id))
    if f.tag:
        found.append(db.contains(AmoLead.tags_key, f"{TAG_SEP}{f.tag.lower()}{TAG_SEP}"))
    for field_id, enum_ids in f.custom_enums.items():
        # Any of a field's enums; every field given (AND). An index lookup in amo_lead_enums.
        chosen = select(AmoLeadEnum.lead_id).where(
            AmoLeadEnum.connection_id == connection_id,
            AmoLeadEnum.field_id == field_id,
            AmoLeadEnum.enum_id.in_(enum_ids),
        )
        found.append(AmoLead.amo_id.in_(chosen))
    for column, (low, high) in (
        (AmoLead.price, f.price),
        (AmoLead.created_at, f.created),
        (AmoLead.updated_at, f.updated),
    ):
        if low is not None:
            found.append(col(column) >= low)
        if high is not None:
            found.append(col(column) <= high)
    return found


_EPOCH = datetime.fromtimestamp(0, UTC)

# Only the columns the list shows (not custom fields, not the search text), with the names
# joined in the same query: a page is at most 250 rows and the joins are by key. Built once:
# statements are immutable, and building this one costs about as much as running it.
_PAGE = (
    select(
        AmoLead.amo_id,
        AmoLead.name,
        AmoLead.price,
        AmoLead.status_id,
        AmoLead.pipeline_id,
        AmoLead.responsible_user_id,
        AmoLead.created_at,
        AmoLead.updated_at,
        AmoLead.closed_at,
        AmoLead.tags,
        AmoLead.contacts,
        AmoStatus.name.label("status_name"),
        AmoStatus.color.label("status_color"),
        AmoPipeline.name.label("pipeline_name"),
        AmoUser.name.label("user_name"),
    )
    .outerjoin(
        AmoStatus,
        (AmoStatus.connection_id == AmoLead.connection_id)
        & (AmoStatus.pipeline_amo_id == AmoLead.pipeline_id)
        & (AmoStatus.amo_id == AmoLead.status_id),
    )
    .outerjoin(
        AmoPipeline,
        (AmoPipeline.connection_id == AmoLead.connection_id)
        & (AmoPipeline.amo_id == AmoLead.pipeline_id),
    )
    .outerjoin(
        AmoUser,
        (AmoUser.connection_id == AmoLead.connection_id)
        & (AmoUser.amo_id == AmoLead.responsible_user_id),
    )
)


def _ts(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _contact_out(contact: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": int(contact["id"]),
        "name": contact.get("name"),
        "phone": contact.get("phone"),
        "isMain": bool(contact.get("main")),
    }


def page_statement() -> Select[*tuple[Any, ...]]:
    """The list's row (one lead, its names joined), for the detail view too."""
    return _PAGE


def lead_out(row: Row[*tuple[Any, ...]], domain: str, currency: str | None) -> dict[str, Any]:
    """One item of ``data.items`` (``schemas.LeadOut``), camelCase as on the wire."""
    return {
        "id": row.amo_id,
        "name": row.name,
        "price": row.price,
        "statusId": row.status_id,
        "statusName": row.status_name,
        "statusColor": row.status_color,
        "pipelineId": row.pipeline_id,
        "pipelineName": row.pipeline_name,
        "responsibleUserId": row.responsible_user_id,
        "responsibleUserName": row.user_name,
        "createdAt": _ts(row.created_at) or _EPOCH,
        "updatedAt": _ts(row.updated_at) or _EPOCH,
        "closedAt": _ts(row.closed_at),
        "tags": list(row.tags or []),
        "contacts": [_contact_out(c) for c in row.contacts or []],
        "currency": currency,
        "url": lead_url(domain, row.amo_id),
    }


async def _total(
    session: AsyncSession,
    connection_id: int,
    state: SyncState | None,
    f: LeadFilter,
    db: PostgreSQL | SQLite,
    counts: LeadCounts,
) -> int:
    """How many leads ``f`` selects: the mirror's size for an idle mirror without filters,
    else a count kept for this mirror version, else counted now (and kept)."""
    if f.unfiltered and state is not None and state.state == "idle":
        return state.leads_count
    version = state.mirror_version if state is not None else None
    selection = f.selection
    if version is not None and (kept := counts.get(connection_id, selection, version)) is not None:
        return kept
    counted = select(func.count()).select_from(AmoLead).where(*_conditions(connection_id, f, db))
    total = int(await session.scalar(counted) or 0)
    if version is not None:
        counts.put(connection_id, selection, version, total)
    return total


def _after(column: Any, descending: bool, position: Position) -> ColumnElement[bool]:
    """The rows after ``position`` in the list's order (sort value, then lead id): one range
    over the sort's index, which carries the id for exactly this."""
    row, last = tuple_(column, AmoLead.amo_id), tuple_(position.value, position.lead_id)
    return row < last if descending else row > last


async def leads_page(
    session: AsyncSession,
    connection: AmoConnection,
    state: SyncState | None,
    f: LeadFilter,
    counts: LeadCounts,
) -> dict[str, Any]:
    """``data`` of one page of the connection's leads matching ``f``: the rows, the total,
    whether more follow (and the cursor to them) and the sync state."""
    db = dialect_named(session.get_bind().dialect.name)
    total = await _total(session, connection.id, state, f, db, counts)
    position = f.position
    column, descending = _SORTS[f.sort]
    rows: list[Row[*tuple[Any, ...]]] = []
    if position is not None or total > f.offset:
        depth = f.limit if position is not None else f.page * f.limit
        mirror_size = state.leads_count if state is not None else None
        page_db = db.for_page(
            f, total=total, depth=depth, mirror_size=mirror_size, sort_column=column
        )
        # The lead id breaks ties, so pages never overlap or skip rows.
        order = (column.desc(), AmoLead.amo_id.desc()) if descending else (column, AmoLead.amo_id)
        stmt = _PAGE.where(*_conditions(connection.id, f, page_db)).order_by(*order)
        if position is not None:
            stmt = stmt.where(_after(column, descending, position))
        elif f.offset:
            stmt = stmt.offset(f.offset)
        rows = list((await session.execute(stmt.limit(f.limit + 1))).all())
    has_more = len(rows) > f.limit
    del rows[f.limit :]
    last = rows[-1] if rows else None
    return {
        "items": [lead_out(row, connection.domain, connection.currency) for row in rows],
        "page": f.page,
        "limit": f.limit,
        "total": total,
        "hasMore": has_more,
        "nextCursor": (
            f.next_cursor(getattr(last, column.key), last.amo_id) if has_more and last else None
        ),
        "sync": sync_out(state).model_dump(by_alias=True, mode="json"),
    }


async def _ordered(
    session: AsyncSession, model: type[Reference], connection_id: int
) -> list[Reference]:
    """A reference table's rows of this connection in amoCRM's order."""
    rows = await session.execute(
        select(model).where(model.connection_id == connection_id).order_by(model.sort, model.amo_id)
    )
    return list(rows.scalars())


async def _responsible_users(session: AsyncSession, connection_id: int) -> list[UserOut]:
    """Responsible users known to the mirror: the users list, plus ids only leads mention."""
    named = {
        int(i): n
        for i, n in (
            await session.execute(
                select(AmoUser.amo_id, AmoUser.name).where(AmoUser.connection_id == connection_id)
            )
        )
    }
    referenced = (
        await session.execute(
            select(AmoLead.responsible_user_id)
            .where(AmoLead.connection_id == connection_id, AmoLead.responsible_user_id.is_not(None))
            .distinct()
        )
    ).scalars()
    ids = set(named) | {int(i) for i in referenced if i is not None}
    return [UserOut(id=i, name=named.get(i) or f"#{i}") for i in sorted(ids)]


async def pipelines_of(session: AsyncSession, connection_id: int) -> PipelinesOut:
    statuses = await _ordered(session, AmoStatus, connection_id)
    return PipelinesOut(
        pipelines=[
            PipelineOut(
                id=p.amo_id,
                name=p.name,
                sort=p.sort,
                is_main=p.is_main,
                statuses=[
                    StatusOut(id=s.amo_id, name=s.name, color=s.color, sort=s.sort, type=s.type)
                    for s in statuses
                    if s.pipeline_amo_id == p.amo_id
                ],
            )
            for p in await _ordered(session, AmoPipeline, connection_id)
        ],
        users=await _responsible_users(session, connection_id),
    )
