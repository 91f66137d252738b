"""Reads of the mirror: the filtered, sorted, paged lead list and the filter UI's pipelines.

Everything runs in our database, whatever the account's amoCRM filtering add-on says."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.hosts import lead_url
from foryou_crm.leads.amo import TAG_SEP
from foryou_crm.leads.models import AmoLead, AmoPipeline, AmoStatus, AmoUser
from foryou_crm.leads.schemas import (
    ContactOut,
    LeadFilter,
    LeadOut,
    PipelineOut,
    PipelinesOut,
    StatusOut,
    UserOut,
)

S = TypeVar("S", bound=Select[*tuple[Any, ...]])

_SORTS: dict[str, tuple[Any, bool]] = {
    "createdAt": (AmoLead.created_at, False),
    "-createdAt": (AmoLead.created_at, True),
    "updatedAt": (AmoLead.updated_at, False),
    "-updatedAt": (AmoLead.updated_at, True),
    "price": (AmoLead.price, False),
    "-price": (AmoLead.price, True),
}


def _contains(dialect: str, column: Any, needle: str) -> Any:
    """Substring test. SQLite's ``instr`` is a plain byte search, several times faster than a
    ``LIKE '%…%'`` (which also folds case, needlessly: both sides are lowercased already)."""
    if dialect == "sqlite":
        return func.instr(column, needle) > 0
    return func.strpos(column, needle) > 0


def _where(stmt: S, connection_id: int, f: LeadFilter, dialect: str) -> S:
    stmt = stmt.where(AmoLead.connection_id == connection_id)
    if f.query:
        text = f.query.strip().lower()
        match = _contains(dialect, AmoLead.search_text, text)
        if text.isdigit():
            # amoCRM's `query` also finds a lead by its exact id or price.
            match = or_(match, AmoLead.amo_id == int(text), AmoLead.price == int(text))
        stmt = stmt.where(match)
    if f.pipeline_id is not None:
        stmt = stmt.where(AmoLead.pipeline_id == f.pipeline_id)
    if f.status_ids:
        stmt = stmt.where(AmoLead.status_id.in_(f.status_ids))
    if f.responsible_user_ids:
        stmt = stmt.where(AmoLead.responsible_user_id.in_(f.responsible_user_ids))
    if f.tag:
        key = f"{TAG_SEP}{f.tag.strip().lower()}{TAG_SEP}"
        stmt = stmt.where(_contains(dialect, AmoLead.tags_key, key))
    ranges = (
        (AmoLead.price, f.price_from, f.price_to),
        (AmoLead.created_at, f.created_from, f.created_to),
        (AmoLead.updated_at, f.updated_from, f.updated_to),
    )
    for column, low, high in ranges:
        if low is not None:
            stmt = stmt.where(column >= low)
        if high is not None:
            stmt = stmt.where(column <= high)
    return stmt


def _ts(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


async def list_leads(
    session: AsyncSession,
    *,
    connection_id: int,
    domain: str,
    f: LeadFilter,
    known_total: int | None = None,
) -> tuple[list[LeadOut], int]:
    dialect = session.get_bind().dialect.name
    total = known_total
    if total is None:
        counted = _where(select(func.count()).select_from(AmoLead), connection_id, f, dialect)
        total = int(await session.scalar(counted) or 0)
    if total <= (f.page - 1) * f.limit:
        return [], total
    column, descending = _SORTS[f.sort]
    # The lead id breaks ties, so pages never overlap or skip rows.
    order = (column.desc(), AmoLead.amo_id.desc()) if descending else (column, AmoLead.amo_id)
    # Names come along in the same query (a page is at most 250 rows; the joins are by key).
    stmt = (
        _where(
            select(AmoLead, AmoStatus.name, AmoStatus.color, AmoPipeline.name, AmoUser.name)
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
            ),
            connection_id,
            f,
            dialect,
        )
        .order_by(*order)
        .offset((f.page - 1) * f.limit)
        .limit(f.limit)
    )
    rows = (await session.execute(stmt)).all()
    items = [
        LeadOut(
            id=lead.amo_id,
            name=lead.name,
            price=lead.price,
            status_id=lead.status_id,
            status_name=status_name,
            status_color=status_color,
            pipeline_id=lead.pipeline_id,
            pipeline_name=pipeline_name,
            responsible_user_id=lead.responsible_user_id,
            responsible_user_name=user_name,
            created_at=_ts(lead.created_at) or datetime.fromtimestamp(0, UTC),
            updated_at=_ts(lead.updated_at) or datetime.fromtimestamp(0, UTC),
            closed_at=_ts(lead.closed_at),
            tags=list(lead.tags or []),
            contacts=[ContactOut(id=int(c["id"]), name=c.get("name")) for c in lead.contacts],
            url=lead_url(domain, lead.amo_id),
        )
        for lead, status_name, status_color, pipeline_name, user_name in rows
    ]
    return items, total


async def pipelines_of(session: AsyncSession, connection_id: int) -> PipelinesOut:
    pipelines = (
        (
            await session.execute(
                select(AmoPipeline)
                .where(AmoPipeline.connection_id == connection_id)
                .order_by(AmoPipeline.sort, AmoPipeline.amo_id)
            )
        )
        .scalars()
        .all()
    )
    statuses = (
        (
            await session.execute(
                select(AmoStatus)
                .where(AmoStatus.connection_id == connection_id)
                .order_by(AmoStatus.sort, AmoStatus.amo_id)
            )
        )
        .scalars()
        .all()
    )
    # Responsible users known to the mirror: the users list, plus ids only leads mention.
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
            for p in pipelines
        ],
        users=[UserOut(id=i, name=named.get(i) or f"#{i}") for i in sorted(ids)],
    )
