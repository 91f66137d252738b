"""The query of ``GET /api/amo-crm/leads``: one model, read from the query string
(``Annotated[LeadFilter, Query()]``, FastAPI's query-parameter models) and validated there, so
a bad value is a 422 naming the parameter. What each parameter selects is said here; how a
database is asked is ``queries`` and ``dialects``."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel

from foryou_crm.core.bounds import Id, NoNul, date_in_range, in_date_range
from foryou_crm.leads import cursor as cursors

Sort = Literal["-createdAt", "createdAt", "updatedAt", "-updatedAt", "price", "-price"]
MAX_PRICE = 10**15
MAX_TEXT = 200
MAX_IDS = 100
MAX_CUSTOM_FIELDS = 10
_CUSTOM_FIELD = re.compile(r"^(\d{1,18}):(\d{1,18})$")
# page × limit stays ≤ 1,000,000 rows skipped: deeper pages are no one's browsing, and an
# offset that large only costs the database.
MAX_PAGE = 4000
MAX_LIMIT = 250
# A digits-only query also matches a lead's id or price; more digits than this never do
# (and would overflow a BIGINT).
MAX_NUMBER_DIGITS = 15

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Bound:
    """A ``…From``/``…To`` value: a date-only value covers its whole UTC day."""

    instant: datetime
    date_only: bool

    @property
    def lower(self) -> int:
        """As the lower end of a range, in Unix seconds."""
        return int(self.instant.timestamp())

    @property
    def upper(self) -> int:
        """As the inclusive upper end: to a date means to the end of that day."""
        if self.date_only:
            return int((self.instant + timedelta(days=1)).timestamp()) - 1
        return int(self.instant.timestamp())


def parse_bound(value: str) -> Bound:
    """ISO 8601 date or date-time; a date-time without an offset is UTC. Within 1970 … 2100
    (``core.bounds``), so the end of its day is always a representable instant."""
    text = value.strip()
    if _DATE_ONLY.match(text):
        day = date_in_range(date.fromisoformat(text))
        return Bound(datetime.combine(day, time(), UTC), True)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError("expected an ISO 8601 date (YYYY-MM-DD) or date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return Bound(in_date_range(parsed.astimezone(UTC)), False)
    except OverflowError:  # year 1 with a positive offset is before year 1 in UTC
        raise ValueError("must lie between 1970-01-01 and 2100-12-31") from None


def _blank_is_none(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


def _is_bound(value: str | None) -> str | None:
    if value is not None:
        parse_bound(value)  # a ValueError here is the 422 naming the parameter
    return value


def _are_custom_fields(values: list[str] | None) -> list[str] | None:
    for value in values or []:
        match = _CUSTOM_FIELD.match(value)
        if not match or int(match[1]) < 1 or int(match[2]) < 1:
            raise ValueError("expected <fieldId>:<enumId>, two positive integers")
    return values


# Kept as given (the API docs show a string); ``Bound`` when read, through the properties.
DateOrDateTime = Annotated[str | None, AfterValidator(_is_bound)]
Text = Annotated[str | None, Field(max_length=MAX_TEXT), NoNul, AfterValidator(_blank_is_none)]
Price = Annotated[int | None, Field(ge=0, le=MAX_PRICE)]
# Repeatable, each an id that fits the column (BIGINT / SQLite INTEGER), at most MAX_IDS.
Ids = Annotated[list[Id] | None, Field(max_length=MAX_IDS)]
CustomFields = Annotated[
    list[str] | None,
    Field(max_length=MAX_CUSTOM_FIELDS),
    AfterValidator(_are_custom_fields),
]


class LeadFilter(BaseModel):
    """Every parameter is optional; together they narrow the agent's mirror (AND)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        frozen=True,
        # The parameter's name as the title, as FastAPI titles plain query parameters.
        field_title_generator=lambda name, _info: to_camel(name).title(),
    )

    query: Text = None  # a substring of the name, a contact's name or a tag; or an id/price
    pipeline_id: Id | None = None
    status_id: Ids = None  # repeatable: any of these statuses
    responsible_user_id: Ids = None  # repeatable
    tag: Text = None  # one tag, exactly (case-insensitive)
    # repeatable ``<fieldId>:<enumId>`` (GET /custom-fields lists them): a lead matches when
    # for every field given it has one of that field's enums
    custom_field: CustomFields = None
    price_from: Price = None
    price_to: Price = None
    created_from: DateOrDateTime = None
    created_to: DateOrDateTime = None
    updated_from: DateOrDateTime = None
    updated_to: DateOrDateTime = None
    sort: Sort = "-createdAt"
    page: Annotated[int, Field(ge=1, le=MAX_PAGE)] = 1
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 50
    # The previous answer's ``nextCursor``: the page right after it (``page`` is then ignored).
    # Last, so that its check sees every other parameter.
    cursor: Annotated[str | None, Field(max_length=cursors.MAX_CURSOR)] = None

    @field_validator("cursor")
    @classmethod
    def _cursor_of_this_list(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or "sort" not in info.data:  # a bad sort is reported by itself
            return value
        cursors.decode(value, info.data["sort"], cursors.fingerprint(_selection(info.data)))
        return value

    # Cached: a list request asks for these several times (the count's key, the cursor read
    # and the next one made), and the filter is frozen.
    @functools.cached_property
    def selection(self) -> tuple[Any, ...]:
        """What the filter selects, whatever the order and paging: the key of its count."""
        # The fields only (``dict(self)`` would hold these cached properties too, once made).
        return _selection({name: getattr(self, name) for name in type(self).model_fields})

    @functools.cached_property
    def _fingerprint(self) -> str:
        return cursors.fingerprint(self.selection)

    @functools.cached_property
    def position(self) -> cursors.Position | None:
        """Where the page starts when a ``cursor`` is given (checked already)."""
        if self.cursor is None:
            return None
        return cursors.decode(self.cursor, self.sort, self._fingerprint)

    def next_cursor(self, value: int, lead_id: int) -> str:
        position = cursors.Position(value, lead_id)
        return cursors.encode(position, self.sort, self._fingerprint)

    @property
    def text(self) -> str | None:
        """The free-text query as the mirror's search text holds it (lowercase)."""
        return self.query.lower() if self.query else None

    @property
    def number(self) -> int | None:
        """amoCRM's ``query`` also finds a lead by its exact id or price: ASCII digits only
        ("²" is a digit to ``isdigit``, not to ``int``)."""
        text = self.text
        if text and text.isascii() and text.isdigit() and len(text) <= MAX_NUMBER_DIGITS:
            return int(text)
        return None

    @property
    def price(self) -> tuple[int | None, int | None]:
        return self.price_from, self.price_to

    @property
    def created(self) -> tuple[int | None, int | None]:
        """Unix seconds, inclusive (amoCRM's times are Unix seconds)."""
        return _range(self.created_from, self.created_to)

    @property
    def updated(self) -> tuple[int | None, int | None]:
        return _range(self.updated_from, self.updated_to)

    @property
    def custom_enums(self) -> dict[int, list[int]]:
        """The custom-field filter: field id → its enum ids."""
        found: dict[int, list[int]] = {}
        for value in self.custom_field or []:
            field_id, enum_id = value.split(":")
            found.setdefault(int(field_id), []).append(int(enum_id))
        return found

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    @property
    def unfiltered(self) -> bool:
        """True when every lead of the mirror matches (only sort and paging given)."""
        return not (
            self.query
            or self.pipeline_id is not None
            or self.status_id
            or self.responsible_user_id
            or self.tag
            or self.custom_field
            or any(v is not None for v in (*self.price, *self.created, *self.updated))
        )


_PAGING = frozenset(("sort", "page", "limit", "cursor"))


def _selection(values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        (name, tuple(value) if isinstance(value, list) else value)
        for name, value in values.items()
        if name not in _PAGING
    )


def _range(low: str | None, high: str | None) -> tuple[int | None, int | None]:
    return (
        parse_bound(low).lower if low is not None else None,
        parse_bound(high).upper if high is not None else None,
    )
