"""How each database is asked for the lead list: the hooks the query builder (``queries``)
calls, so what a filter means stays apart from each engine's planner and indexes.

- ``text_match``: the free-text search, on each engine's trigram index (``search``);
- ``contains``: a substring test on a plain column (the tag key);
- ``filter_column``: a filter column as the page query should compare it (SQLite's
  ``column + 0`` walk, below); ``for_page``: the hooks for one page of one filter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, func, literal_column, select, table

from foryou_crm.leads.filter import LeadFilter
from foryou_crm.leads.models import AmoLead
from foryou_crm.leads.search import FTS_TABLE, MIN_INDEXED_CHARS

# Columns of the table, not the mapped class: the list's query is a Core select (``queries``).
_LEADS = AmoLead.__table__

# Binds a value as a named parameter of the statement (``queries.Parameters``). Each hook
# names its parameter after the form it took, so statements of different forms never share
# a name list.
Bind = Callable[[str, Any], BindParameter[Any]]
# A condition, built only when its statement's form is new: the values are bound first (their
# names are the form's key), the expressions — a tenth of a filtered request's cost when built
# every time — once per form (``queries._form``).
Condition = Callable[[], ColumnElement[bool]]


class PostgreSQL:
    """PostgreSQL's planner has the statistics to choose a plan by itself: no hints."""

    def text_match(self, needle: str, bind: Bind) -> Condition:
        """``LIKE '%…%'``, which the ``pg_trgm`` GIN index answers."""
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = bind("text_like", f"%{escaped}%")
        return lambda: _LEADS.c.search_text.like(pattern, escape="\\")

    def contains(self, column: Any, needle: BindParameter[Any]) -> ColumnElement[bool]:
        return func.strpos(column, needle) > 0

    @property
    def form(self) -> Any:
        """What, beside the parameters' names, shapes the statements this builds."""
        return "postgresql"

    def filter_column(self, column: Any) -> Any:
        return column

    def for_page(
        self, f: LeadFilter, *, total: int, depth: int, mirror_size: int | None, sort_column: Any
    ) -> PostgreSQL | SQLite:
        return self


class SQLite:
    """SQLite has no estimate for a combination of filters (none at all for ``MATCH``), so the
    page query says which plan to take: ``walk`` is the sort column whose index it reads in
    order, testing each row, instead of finding every match first and sorting them."""

    def __init__(self, walk: Any = None) -> None:
        self.walk = walk

    def text_match(self, needle: str, bind: Bind) -> Condition:
        if len(needle) >= MIN_INDEXED_CHARS and self.walk is None:
            # A quoted FTS5 string is literal except for '"', which doubles; with the trigram
            # tokenizer a phrase matches exactly the rows containing it as a substring.
            phrase = bind("text_phrase", '"' + needle.replace('"', '""') + '"')
            return lambda: _LEADS.c.id.in_(
                select(literal_column("rowid"))
                .select_from(table(FTS_TABLE))
                .where(literal_column(FTS_TABLE).op("MATCH")(phrase))
            )
        # Walking the sort's index, each row read is tested as it comes: cheaper than running
        # the MATCH for the whole table first (1 ms against 5 ms for a page of 3,326 matches in
        # 100,000). Short needles have no trigram: a scan is what they cost anyway.
        found = bind("text_needle", needle)
        return lambda: self.contains(_LEADS.c.search_text, found)

    @property
    def form(self) -> Any:
        """What, beside the parameters' names, shapes the statements this builds: which
        index a page walks."""
        return "sqlite", None if self.walk is None else self.walk.key

    def contains(self, column: Any, needle: BindParameter[Any]) -> ColumnElement[bool]:
        """``instr`` is a plain byte search, several times faster than ``LIKE '%…%'`` (which
        also folds case, needlessly: both sides are lowercase)."""
        return func.instr(column, needle) > 0

    def filter_column(self, column: Any) -> Any:
        """While walking, every other filter column is compared as ``column + 0``: the same
        values, but no index can serve it, so SQLite keeps to the sort's index — the
        ``ix_amo_leads_walk_by_*`` one (migration 0010), which holds the filter columns but
        the tag and custom fields, so each row passed is tested in the index and only the
        page's rows are read: a status page at 1,000,000 leads 1.25 → 0.17 ms, where reading
        each row (wide: custom fields and the stored item) to test its status grew with the
        mirror."""
        return column + 0 if self.walk is not None and column is not self.walk else column

    def for_page(
        self, f: LeadFilter, *, total: int, depth: int, mirror_size: int | None, sort_column: Any
    ) -> PostgreSQL | SQLite:
        walk = walks_sort_index(f, total, depth, mirror_size)
        return SQLite(sort_column) if walk else self


def walks_sort_index(f: LeadFilter, total: int, depth: int, mirror_size: int | None) -> bool:
    """Whether SQLite should find the page by walking the sort's index rather than through a
    filter's index (or the text index) followed by a sort. ``depth``: how many matching rows
    the walk must pass (``offset + limit``; just ``limit`` after a cursor, which starts the
    walk where the last page ended).

    The walk reads about ``depth × mirror / total`` rows before the page is full;
    the other plan reads all ``total`` matching rows and sorts them. Without the hint SQLite
    picks the filter's index: 25 ms for a status holding 10 % of 100,000 leads, where the walk
    takes 1 ms. The matches have just been counted, so we choose."""
    if not mirror_size or f.unfiltered or total == 0:
        return False
    return total * total > depth * mirror_size


def dialect_named(name: str) -> PostgreSQL | SQLite:
    return SQLite() if name == "sqlite" else PostgreSQL()
