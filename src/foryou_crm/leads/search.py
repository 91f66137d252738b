"""The free-text lead search: a substring match over ``amo_leads.search_text`` at any position,
answered by each engine's trigram index (built by migration 0003).

- PostgreSQL: ``LIKE '%…%'`` over a ``pg_trgm`` GIN index.
- SQLite: ``MATCH`` on the FTS5 ``trigram`` table ``amo_leads_fts`` (its rowid is the lead's id)
  to count; a page of a common needle walks the sort's index instead, and the
  ``ix_amo_leads_walk_by_*`` indexes (migration 0010: each sort order with the filter
  columns and the search text; ``dialects``) let that walk test the text without reading each
  row. A text query of fewer matches reads their keys once instead (``matches``).

Trigrams need at least three characters; shorter needles are a plain scan, which is what they
would cost anyway (they match most rows). The predicates are in ``dialects``; this module names
the index objects (migration 0003 creates them, Alembic's comparison leaves them alone)."""

from __future__ import annotations

FTS_TABLE = "amo_leads_fts"
TRIGRAM_INDEX = "ix_amo_leads_search_trgm"
WALK_INDEX_PREFIX = "ix_amo_leads_walk_by_"
# Migration 0008's, which 0010 replaced: still there on a database at 0008 or 0009.
TEXT_BY_SORT_PREFIX = "ix_amo_leads_text_by_"
MIN_INDEXED_CHARS = 3


def is_search_index_object(name: str | None) -> bool:
    """True for the objects migrations 0003, 0008, 0010 and 0012 create outside the models
    (the FTS5 table and its shadow tables, the GIN index, the walk indexes — SQLite's with the
    search text, PostgreSQL's without — and the text ones they replaced), so Alembic's
    comparison leaves them alone."""
    if name is None:
        return False
    return name in (FTS_TABLE, TRIGRAM_INDEX) or name.startswith(
        (f"{FTS_TABLE}_", WALK_INDEX_PREFIX, TEXT_BY_SORT_PREFIX)
    )
