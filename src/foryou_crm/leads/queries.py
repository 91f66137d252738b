"""Reads of the mirror: the filtered, sorted, paged lead list and the filter UI's pipelines.

Everything runs in our database, whatever the account's amoCRM filtering add-on says. The lead
list is built once here (``_conditions``: what a ``LeadFilter`` means, in the terms of the
database's hooks from ``dialects``). A page is one query: after the ``cursor``'s position
(keyset) or at ``page``'s offset, ``limit + 1`` rows to know whether more follow; its total,
and the names shown beside each lead's ids (``names``), are ``kept`` while the mirror is
unchanged. A text query's page is a slice of its matches' keys (``matches``, kept the same
way) and one read of the slice's rows by id. Each row brings its lead's item, rendered when
the lead was written (``listed``): the page adds the names, the currency and the link, and
the items go into the response's JSON as they are (no ORM objects, no pydantic models, no
dict per lead: for 50–250 rows those cost more than the query); ``schemas.LeadsEnvelope``
documents the same shape."""

from __future__ import annotations

import functools
import itertools
import operator
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import orjson
from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.amocrm.hosts import lead_url
from foryou_crm.connections.status import sync_json
from foryou_crm.connections.views import ConnectionView, SyncView
from foryou_crm.core.direct import DirectReads, Query
from foryou_crm.leads import listed
from foryou_crm.leads.amo import TAG_SEP
from foryou_crm.leads.cursor import Position
from foryou_crm.leads.dialects import Condition, PostgreSQL, SQLite, dialect_named
from foryou_crm.leads.filter import LeadFilter
from foryou_crm.leads.kept import PerMirror
from foryou_crm.leads.matches import KeptMatches, Matches
from foryou_crm.leads.models import AmoLead, AmoLeadEnum, AmoPipeline, AmoStatus, AmoUser
from foryou_crm.leads.names import Names, names_of
from foryou_crm.leads.schemas import (
    PipelineOut,
    PipelinesOut,
    StatusOut,
    UserOut,
)

Reference = TypeVar("Reference", AmoPipeline, AmoStatus)

# The tables, not the mapped classes: a select of plain columns skips the ORM's compile and
# result layers (the page is read into dicts, never into objects).
_LEADS, _ENUMS = AmoLead.__table__, AmoLeadEnum.__table__
_STATUSES, _PIPELINES, _USERS = AmoStatus.__table__, AmoPipeline.__table__, AmoUser.__table__

_SORTS: dict[str, tuple[Any, bool]] = {
    "createdAt": (_LEADS.c.created_at, False),
    "-createdAt": (_LEADS.c.created_at, True),
    "updatedAt": (_LEADS.c.updated_at, False),
    "-updatedAt": (_LEADS.c.updated_at, True),
    "price": (_LEADS.c.price, False),
    "-price": (_LEADS.c.price, True),
}


class Parameters:
    """The values of one statement, each bound as a named parameter: statements that differ
    only in their values have the same SQL, so the list compiles each form once (``_form``)
    and runs it as a direct read (``core.direct``). The names are chosen by the builder's
    path (one per value, numbered in lists), so the same names in the same order mean the
    same statement — with the dialect hooks' ``form`` and the sort, the key of a form."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, name: str, value: Any) -> BindParameter[Any]:
        if name in self.values:
            raise ValueError(f"parameter {name} bound twice")
        self.values[name] = value
        return _parameter(name)

    def each(self, name: str, values: list[int]) -> list[BindParameter[Any]]:
        return [self(f"{name}_{i}", value) for i, value in enumerate(values)]


@functools.cache
def _parameter(name: str) -> BindParameter[Any]:
    """The parameter called ``name``, one object for every statement: it carries no value (a
    statement kept for its form must never run with a value of the request that built it),
    and no type: it takes the type of the column it is compared with (on PostgreSQL a type
    of its own is a cast, and an integer's is 32-bit). The names are the builder's own, a few
    dozen (lists are numbered, and bounded by ``filter``'s limits)."""
    return bindparam(name, required=True)


def _conditions(
    connection_id: int, f: LeadFilter, db: PostgreSQL | SQLite, bind: Parameters
) -> list[Condition]:
    """What the filter selects: the connection's leads, narrowed by every parameter given."""
    col = db.filter_column
    cid = bind("cid", connection_id)
    found: list[Condition] = [lambda: _LEADS.c.connection_id == cid]
    if f.text:
        match = db.text_match(f.text, bind)
        if (number := f.number) is not None:
            text_id, text_price = bind("text_id", number), bind("text_price", number)
            found.append(
                lambda: or_(
                    match(),
                    col(_LEADS.c.amo_id) == text_id,
                    col(_LEADS.c.price) == text_price,
                )
            )
        else:
            found.append(match)
    if f.pipeline_id is not None:
        pipeline = bind("pipeline", f.pipeline_id)
        found.append(lambda: col(_LEADS.c.pipeline_id) == pipeline)
    if f.status_id:
        statuses = bind.each("status", f.status_id)
        found.append(lambda: col(_LEADS.c.status_id).in_(statuses))
    if f.responsible_user_id:
        users = bind.each("user", f.responsible_user_id)
        found.append(lambda: col(_LEADS.c.responsible_user_id).in_(users))
    if f.tag:
        tag = bind("tag", f"{TAG_SEP}{f.tag.lower()}{TAG_SEP}")
        found.append(lambda: db.contains(_LEADS.c.tags_key, tag))
    for n, (field_id, enum_ids) in enumerate(f.custom_enums.items()):
        found.append(
            _chosen_enums(
                bind(f"field{n}_cid", connection_id),
                bind(f"field{n}", field_id),
                bind.each(f"field{n}_enum", enum_ids),
            )
        )
    for name, column, (low, high) in (
        ("price", _LEADS.c.price, f.price),
        ("created", _LEADS.c.created_at, f.created),
        ("updated", _LEADS.c.updated_at, f.updated),
    ):
        if low is not None:
            found.append(_compared(col, column, operator.ge, bind(f"{name}_from", low)))
        if high is not None:
            found.append(_compared(col, column, operator.le, bind(f"{name}_to", high)))
    return found


def _chosen_enums(
    cid: BindParameter[Any], field: BindParameter[Any], enums: list[BindParameter[Any]]
) -> Condition:
    """Any of a field's enums (every field given: AND). An index lookup in amo_lead_enums."""
    return lambda: _LEADS.c.amo_id.in_(
        select(_ENUMS.c.lead_id).where(
            _ENUMS.c.connection_id == cid, _ENUMS.c.field_id == field, _ENUMS.c.enum_id.in_(enums)
        )
    )


def _compared(
    col: Callable[[Any], Any],
    column: Any,
    compare: Callable[[Any, Any], ColumnElement[bool]],
    value: BindParameter[Any],
) -> Condition:
    return lambda: compare(col(column), value)


# Each form of the list's statements, compiled once: a form is the hooks' ``form``, the sort
# and the parameters' names. Bounded: the forms in use are few (which filters are set, how
# many values each), and a client making up new ones only evicts.
_FORMS: OrderedDict[tuple[Any, ...], Query] = OrderedDict()
MAX_FORMS = 1024


def _form(key: tuple[Any, ...], build: Callable[[], Select[Any]]) -> Query:
    """The kept query of this form, or the one ``build`` makes, kept."""
    found = _FORMS.get(key)
    if found is None:
        found = _FORMS[key] = Query(build())
        if len(_FORMS) > MAX_FORMS:
            _FORMS.popitem(last=False)
    else:
        _FORMS.move_to_end(key)
    return found


# A lead's own columns, as ``listed`` renders them (not custom fields, not the search text):
# the detail view's row, and the list's for a lead stored without its item. Built once:
# statements are immutable, and building this one costs about as much as running it.
_ROW = select(*(_LEADS.c[name] for name in listed.COLUMNS))
_LISTED = len(_ROW.selected_columns)

# The list's page: the stored item and the ids its names are looked up by, then — on a page
# read in the list's order — the sort's value (the next cursor is read from the last row). Only
# what is used: each column of each row costs (Python 3.11's sqlite3 lets go of the GIL for
# every column's type): a page of 51 rows on SQLite, 642k instructions with all three sort
# columns, 540k with the sort's own.
_ITEM_ROW = (
    _LEADS.c.amo_id,
    _LEADS.c.pipeline_id,
    _LEADS.c.status_id,
    _LEADS.c.responsible_user_id,
    _LEADS.c.listed,
)
_SORT_VALUE = len(_ITEM_ROW)
_OWN = Query(
    _ROW.where(_LEADS.c.connection_id == bindparam("cid"), _LEADS.c.amo_id == bindparam("lead"))
)

# The same row with its names joined, for one lead (the detail view); the list looks the
# names up in ``names`` instead.
_PAGE = (
    _ROW.add_columns(
        _STATUSES.c.name.label("status_name"),
        _STATUSES.c.color.label("status_color"),
        _PIPELINES.c.name.label("pipeline_name"),
        _USERS.c.name.label("user_name"),
    )
    .outerjoin(
        _STATUSES,
        (_STATUSES.c.connection_id == _LEADS.c.connection_id)
        & (_STATUSES.c.pipeline_amo_id == _LEADS.c.pipeline_id)
        & (_STATUSES.c.amo_id == _LEADS.c.status_id),
    )
    .outerjoin(
        _PIPELINES,
        (_PIPELINES.c.connection_id == _LEADS.c.connection_id)
        & (_PIPELINES.c.amo_id == _LEADS.c.pipeline_id),
    )
    .outerjoin(
        _USERS,
        (_USERS.c.connection_id == _LEADS.c.connection_id)
        & (_USERS.c.amo_id == _LEADS.c.responsible_user_id),
    )
)


_NO_ITEMS = orjson.Fragment(b"[]")


def page_statement() -> Select[*tuple[Any, ...]]:
    """The list's row with its names joined (``joined_names`` reads them), for the detail
    view."""
    return _PAGE


def joined_names(row: Sequence[Any]) -> Sequence[Any]:
    """The names a row of ``page_statement`` carries, as ``lead_out`` takes them."""
    return row[_LISTED : _LISTED + 4]


def lead_out(
    row: Sequence[Any], names: Sequence[Any], domain: str, currency: str | None
) -> dict[str, Any]:
    """One lead as ``schemas.LeadOut`` (camelCase, as on the wire), for the detail view.
    ``row``: the columns of ``listed.COLUMNS`` first and in their order; ``names``: its
    status's name and colour, its pipeline's and its responsible user's name."""
    status_name, status_color, pipeline_name, user_name = names
    return {
        **listed.own_fields(*row[:_LISTED]),
        "statusName": status_name,
        "statusColor": status_color,
        "pipelineName": pipeline_name,
        "responsibleUserName": user_name,
        "currency": currency,
        "url": lead_url(domain, row[0]),
    }


async def _total(
    reads: DirectReads,
    connection_id: int,
    state: SyncView | None,
    f: LeadFilter,
    db: PostgreSQL | SQLite,
    counts: PerMirror[int],
) -> int:
    """How many leads ``f`` selects: the mirror's size for an idle mirror without filters,
    else a count kept for this mirror version, else counted now (and kept)."""
    if f.unfiltered and state is not None and state.state == "idle":
        return state.leads_count
    version = state.mirror_version if state is not None else None
    selection = f.selection
    if version is not None and (kept := counts.get(connection_id, selection, version)) is not None:
        return kept
    found = await reads.one(*count_query(connection_id, f, db))
    total = int(found[0]) if found else 0
    if version is not None:
        counts.put(connection_id, selection, version, total)
    return total


def _built(conditions: list[Condition]) -> list[ColumnElement[bool]]:
    return [condition() for condition in conditions]


def count_query(
    connection_id: int, f: LeadFilter, db: PostgreSQL | SQLite
) -> tuple[Query, dict[str, Any]]:
    """The statement counting what ``f`` selects, and its values."""
    bind = Parameters()
    conditions = _conditions(connection_id, f, db, bind)
    query = _form(
        ("count", db.form, *bind.values),
        lambda: select(func.count()).select_from(_LEADS).where(*_built(conditions)),
    )
    return query, bind.values


def _order(column: Any, descending: bool) -> tuple[Any, Any]:
    """The list's order: the sort column, then the lead id, which breaks ties (so pages never
    overlap or skip rows, and a cursor is one position)."""
    if descending:
        return column.desc(), _LEADS.c.amo_id.desc()
    return column, _LEADS.c.amo_id


def _after(column: Any, descending: bool, position: Position, bind: Parameters) -> Condition:
    """The rows after ``position`` in the list's order (sort value, then lead id): one range
    over the sort's index, which carries the id for exactly this."""
    value, lead_id = bind("after_value", position.value), bind("after_id", position.lead_id)

    def after() -> ColumnElement[bool]:
        row, last = tuple_(column, _LEADS.c.amo_id), tuple_(value, lead_id)
        return row < last if descending else row > last

    return after


def page_query(
    connection_id: int, f: LeadFilter, db: PostgreSQL | SQLite
) -> tuple[Query, dict[str, Any]]:
    """The statement reading one page of what ``f`` selects (``limit + 1`` rows, after the
    cursor's position or at the page's offset), and its values. ``db``: the hooks for this
    page (``for_page``)."""
    bind = Parameters()
    conditions = _conditions(connection_id, f, db, bind)
    column, descending = _SORTS[f.sort]
    offset = page_cid = None
    if (position := f.position) is not None:
        conditions.append(_after(column, descending, position, bind))
    elif f.offset:
        offset, page_cid = bind("offset", f.offset), bind("page_cid", connection_id)
    limit = bind("limit", f.limit + 1)

    def build() -> Select[Any]:
        order = _order(column, descending)
        row = select(*_ITEM_ROW, column)
        if offset is None:
            return row.where(*_built(conditions)).order_by(*order).limit(limit)
        # OFFSET reads every row it skips: the keys only (from the sort's index, where the
        # filter allows), and then the page's rows whole — reading each skipped row with its
        # stored item doubled page 200's time on PostgreSQL (measured).
        keys = (
            select(_LEADS.c.amo_id)
            .where(*_built(conditions))
            .order_by(*order)
            .offset(offset)
            .limit(limit)
        )
        return row.where(_LEADS.c.connection_id == page_cid, _LEADS.c.amo_id.in_(keys)).order_by(
            *order
        )

    return _form(("page", db.form, f.sort, *bind.values), build), bind.values


async def leads_page(
    reads: DirectReads,
    connection: ConnectionView,
    state: SyncView | None,
    f: LeadFilter,
    counts: PerMirror[int],
    kept_names: PerMirror[Names],
    kept_matches: KeptMatches,
) -> dict[str, Any]:
    """``data`` of one page of the connection's leads matching ``f``: the rows, the total,
    whether more follow (and the cursor to them) and the sync state."""
    db = dialect_named(reads.dialect.name)
    total = await _total(reads, connection.id, state, f, db, counts)
    cursor = f.cursor is not None
    column = _SORTS[f.sort][0]
    rows: list[tuple[Any, ...]] = []
    items = _NO_ITEMS
    next_key: tuple[int, int] | None = None
    if (
        f.text
        and state is not None
        and state.state != "running"  # a sync's batches move the version: walk meanwhile
        and 0 < total <= kept_matches.max_matches
    ):
        matches = await _matches(reads, connection.id, state.mirror_version, f, db, kept_matches)
        rows, next_key = await _page_of_matches(reads, connection.id, f, matches)
    elif cursor or total > f.offset:
        depth = f.limit if cursor else f.page * f.limit
        mirror_size = state.leads_count if state is not None else None
        page_db = db.for_page(
            f, total=total, depth=depth, mirror_size=mirror_size, sort_column=column
        )
        rows = await reads.all(*page_query(connection.id, f, page_db))
        if len(rows) > f.limit:
            del rows[f.limit :]
            last = rows[-1]
            next_key = (last[_SORT_VALUE], last[0])
    if rows:
        names = await names_of(reads, connection.id, state, kept_names)
        items = await _items(reads, connection, rows, names)
    return {
        "items": items,
        "page": f.page,
        "limit": f.limit,
        "total": total,
        "hasMore": next_key is not None,
        "nextCursor": f.next_cursor(*next_key) if next_key is not None else None,
        "sync": sync_json(state),
    }


def matches_query(
    connection_id: int, f: LeadFilter, db: PostgreSQL | SQLite
) -> tuple[Query, dict[str, Any]]:
    """The statement reading the keys (sort value, lead id) of everything ``f`` selects, in
    the list's order, through the text index (``db``'s own hooks, never a walk; a needle
    under three characters has no trigram, and scans)."""
    bind = Parameters()
    conditions = _conditions(connection_id, f, db, bind)
    column, descending = _SORTS[f.sort]

    def build() -> Select[Any]:
        order = _order(column, descending)
        return select(column, _LEADS.c.amo_id).where(*_built(conditions)).order_by(*order)

    return _form(("matches", db.form, f.sort, *bind.values), build), bind.values


async def _matches(
    reads: DirectReads,
    connection_id: int,
    version: int,
    f: LeadFilter,
    db: PostgreSQL | SQLite,
    kept: KeptMatches,
) -> Matches:
    """The keys of ``f``'s matches for this mirror version: kept, or read now (and kept)."""
    what = (f.selection, f.sort)
    found = kept.get(connection_id, what, version)
    if found is None:
        rows = await reads.all(*matches_query(connection_id, f, db))
        found = Matches.of(((int(v), int(i)) for v, i in rows), _SORTS[f.sort][1])
        kept.put(connection_id, what, version, found)
    return found


async def _page_of_matches(
    reads: DirectReads, connection_id: int, f: LeadFilter, matches: Matches
) -> tuple[list[tuple[Any, ...]], tuple[int, int] | None]:
    """The page's rows, read by id in the keys' order, and the key of its last row when more
    follow. A lead deleted since the keys were read is left out (the next mirror version's
    keys no longer hold it)."""
    start = matches.after(f.position) if f.position is not None else f.offset
    end = min(start + f.limit, len(matches))
    if start >= end:
        return [], None
    ids = matches.ids[start:end]
    # Padded (with the last id again) to a power of two: a few statement forms, not one per
    # page length.
    query, names = _by_id(_padded_size(len(ids)))
    padded = [*ids, *itertools.repeat(ids[-1], len(names) - len(ids))]
    values: dict[str, Any] = dict(zip(names, padded, strict=True))
    values["cid"] = connection_id
    found = {row[0]: row for row in await reads.all(query, values)}
    rows = [found[lead_id] for lead_id in ids if lead_id in found]
    more = end < len(matches)
    return rows, (matches.values[end - 1], matches.ids[end - 1]) if more else None


def _padded_size(n: int) -> int:
    return max(8, 1 << (n - 1).bit_length())


@functools.cache
def _by_id(size: int) -> tuple[Query, tuple[str, ...]]:
    """The statement reading ``size`` rows by id, and its ids' parameter names (a page is at
    most ``filter``'s largest limit: a few sizes)."""
    names = tuple(f"lead_{i}" for i in range(size))
    wanted = [_parameter(name) for name in names]
    query = Query(
        select(*_ITEM_ROW).where(
            _LEADS.c.connection_id == _parameter("cid"), _LEADS.c.amo_id.in_(wanted)
        )
    )
    return query, names


async def _items(
    reads: DirectReads, connection: ConnectionView, rows: list[tuple[Any, ...]], names: Names
) -> orjson.Fragment:
    """The page's items, as one JSON array: each row's stored item with its names, the
    currency and its link added (``listed.ITEM``; inlined here, a page's rows are its hot
    loop)."""
    account = listed.account_part(connection.currency, connection.domain)
    parts, part = names.listed_parts, names.listed_part
    items = []
    for amo_id, pipeline, status, user, stored, *_ in rows:
        if not stored:  # stored before its item was (see ``listed``)
            own = await reads.one(_OWN, {"cid": connection.id, "lead": amo_id})
            if own is None:  # deleted since the page was read
                continue
            stored = listed.render(own)
        added = parts.get((pipeline, status, user)) or part(pipeline, status, user)
        items.append(listed.ITEM % (stored[:-1], added, account, amo_id))
    return orjson.Fragment(b"[%b]" % b",".join(items))


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
