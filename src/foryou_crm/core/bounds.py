"""The bounds every input is held to at the edge, as types: a value outside them is a 422
naming the field (``VALIDATION_ERROR``) before any route, database or job sees it.

- ids fit the columns that hold them: BIGINT on PostgreSQL, SQLite's signed 64-bit INTEGER
  (both end at 2^63 − 1); a larger number would overflow in the driver, not answer "none";
- dates lie in 1970-01-01 … 2100-12-31 (instants: those days in any time zone), so "to the
  end of that day" and Unix seconds can never overflow (``9999-12-31`` + one day does);
- text is bounded in length and holds no NUL (PostgreSQL refuses NUL in text).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Final

from pydantic import AfterValidator, Field

MAX_ID: Final = 2**63 - 1
# users.id and other INTEGER (int4) columns on PostgreSQL.
MAX_INT32: Final = 2**31 - 1
# An id needs at most this many digits; more is refused before int() parses it.
MAX_ID_DIGITS: Final = 19
MIN_YEAR: Final = 1970
MAX_YEAR: Final = 2100
# Instants may lie a day beyond the dates either side: the start of 1970-01-01 or the end of
# 2100-12-31 in a client's time zone, sent in UTC. AFTER_LATEST is exclusive.
EARLIEST: Final = datetime(MIN_YEAR - 1, 12, 31, tzinfo=UTC)
AFTER_LATEST: Final = datetime(MAX_YEAR + 1, 1, 2, tzinfo=UTC)


def no_nul(value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def in_date_range(value: datetime) -> datetime:
    """An aware date-time of the days 1970-01-01 … 2100-12-31 in some time zone (raises
    ValueError otherwise)."""
    if not EARLIEST <= value < AFTER_LATEST:
        raise ValueError(f"must lie between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31")
    return value


def date_in_range(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"must lie between {MIN_YEAR}-01-01 and {MAX_YEAR}-12-31")
    return value


def plain_id(text: str, maximum: int = MAX_ID) -> int | None:
    """A positive id ≤ ``maximum`` from its decimal text (ASCII digits only, no sign, no
    spaces), or None: the one parse of ids that arrive as text (JWT ``sub``, webhook forms)."""
    if not (text.isascii() and text.isdecimal()) or len(text) > MAX_ID_DIGITS:
        return None
    value = int(text)
    return value if 0 < value <= maximum else None


Id = Annotated[int, Field(ge=1, le=MAX_ID)]
NoNul = AfterValidator(no_nul)
