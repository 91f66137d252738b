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
from foryou_crm.leads.search import text_matches

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
    """Substring test (the tag key). SQLite's ``instr`` is a plain byte search, several times
    faster than a ``LIKE '%…%'`` (which also folds case, needlessly: both sides are lowercase)."""
    if dialect == "sqlite":
        return func.instr(column, needle) > 0
    return func.strpos(column, needle) > 0


def _where(stmt: S, connection_id: int, f: LeadFilter, dialect: str, *, walk: Any = None) -> S:
    """The filter's conditions. With ``walk`` (a sort column, SQLite only), every other filter
    column is wrapped as ``column + 0``: same values, but no index can serve it, so SQLite reads
    the page by walking the sort's index (see ``walks_sort_index``)."""

    def col(column: Any) -> Any:
        return column + 0 if walk is not None and column is not walk else column

    stmt = stmt.where(AmoLead.connection_id == connection_id)
    if f.query:
        text = f.query.strip().lower()
        match = text_matches(dialect, text, walk=walk is not None)
        if text.isascii() and text.isdigit() and len(text) <= 15:
            # amoCRM's `query` also finds a lead by its exact id or price. ASCII digits only
            # ("²" is a digit to isdigit, not to int), and few enough to fit a BIGINT.
            match = or_(match, col(AmoLead.amo_id) == int(text), col(AmoLead.price) == int(text))
        stmt = stmt.where(match)
    if f.pipeline_id is not None:
        stmt = stmt.where(col(AmoLead.pipeline_id) == f.pipeline_id)
    if f.status_ids:
        stmt = stmt.where(col(AmoLead.status_id).in_(f.status_ids))
    if f.responsible_user_ids:
        stmt = stmt.where(col(AmoLead.responsible_user_id).in_(f.responsible_user_ids))
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
            stmt = stmt.where(col(column) >= low)
        if high is not None:
            stmt = stmt.where(col(column) <= high)
    return stmt


def walks_sort_index(dialect: str, f: LeadFilter, total: int, mirror_size: int | None) -> bool:
    """Whether SQLite should find the page by walking the sort's index rather than through a
    filter's index (or the text index) followed by a sort.

    The walk reads about ``(offset + limit) × mirror / total`` rows before the page is full;
    the other plan reads all ``total`` matching rows and sorts them. SQLite cannot tell which is
    less (it has no estimate for a combination of filters, none at all for MATCH), and without
    the hint picks the filter's index: 25 ms for a status holding 10 % of 100,000 leads, where
    the walk takes 1 ms. We have just counted the matches, so we choose. PostgreSQL's planner
    has the statistics and is left alone."""
    if dialect != "sqlite" or not mirror_size or f.unfiltered or total == 0:
        return False
    return total * total > (f.page * f.limit) * mirror_size


_EPOCH = datetime.fromtimestamp(0, UTC)
_LEAD_COLUMNS = (
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
)


# Only the columns the list shows (not custom fields, not the search text), with the names
# joined in the same query: a page is at most 250 rows and the joins are by key. Built once:
# statements are immutable, and building this one costs about as much as running it.
_PAGE = (
    select(*_LEAD_COLUMNS, AmoStatus.name, AmoStatus.color, AmoPipeline.name, AmoUser.name)
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


async def list_leads(
    session: AsyncSession,
    *,
    connection_id: int,
    domain: str,
    f: LeadFilter,
    known_total: int | None = None,
    mirror_size: int | None = None,
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
    stmt = (
        _where(
            _PAGE,
            connection_id,
            f,
            dialect,
            walk=column if walks_sort_index(dialect, f, total, mirror_size) else None,
        )
        .order_by(*order)
        .offset((f.page - 1) * f.limit)
        .limit(f.limit)
    )
    rows = (await session.execute(stmt)).all()
    items = [
        LeadOut(
            id=amo_id,
            name=name,
            price=price,
            status_id=status_id,
            status_name=status_name,
            status_color=status_color,
            pipeline_id=pipeline_id,
            pipeline_name=pipeline_name,
            responsible_user_id=responsible_user_id,
            responsible_user_name=user_name,
            created_at=_ts(created_at) or _EPOCH,
            updated_at=_ts(updated_at) or _EPOCH,
            closed_at=_ts(closed_at),
            tags=list(tags or []),
            contacts=[ContactOut(id=int(c["id"]), name=c.get("name")) for c in contacts or []],
            url=lead_url(domain, amo_id),
        )
        for (
            amo_id,
            name,
            price,
            status_id,
            pipeline_id,
            responsible_user_id,
            created_at,
            updated_at,
            closed_at,
            tags,
            contacts,
            status_name,
            status_color,
            pipeline_name,
            user_name,
        ) in rows
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
