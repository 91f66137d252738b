"""Property tests (Hypothesis) for what reads input at the edge: the lead filter, its date
bounds, the id parse and the webhook form. Whatever the input, each either refuses it with a
ValueError (the 422) or returns values that fit the database: no overflow, no NUL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from foryou_crm.core.bounds import AFTER_LATEST, EARLIEST, MAX_ID, MAX_INT32, plain_id
from foryou_crm.leads import webhooks
from foryou_crm.leads.filter import MAX_LIMIT, MAX_PAGE, LeadFilter, parse_bound

PROPERTIES = settings(max_examples=500, deadline=None, derandomize=True, database=None)
LOWEST, HIGHEST = int(EARLIEST.timestamp()), int(AFTER_LATEST.timestamp())

numbers = st.one_of(
    st.integers(), st.sampled_from([0, 1, MAX_ID, MAX_ID + 1, 10**30, -(2**63)])
).map(str)
odd_text = st.one_of(
    st.text(max_size=30),
    numbers,
    st.sampled_from(["", " 1", "1 ", "01", "٣", "１", "\x00", "1e3", "9999-12-31", "0001-01-01"]),
)
iso_like = st.one_of(
    st.dates().map(date.isoformat),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=14))])).map(
        datetime.isoformat
    ),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    odd_text,
)


@PROPERTIES
@given(iso_like)
def test_a_bound_is_refused_or_within_the_years(value: str) -> None:
    try:
        bound = parse_bound(value)
    except ValueError:
        return
    assert LOWEST <= bound.lower < HIGHEST
    assert LOWEST <= bound.upper < HIGHEST + 86_400
    if bound.date_only:
        assert bound.upper - bound.lower == 86_399


@PROPERTIES
@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2100, 12, 31)))
def test_every_date_in_the_range_is_accepted(day: date) -> None:
    bound = parse_bound(day.isoformat())
    assert datetime.fromtimestamp(bound.lower, UTC).date() == day
    assert datetime.fromtimestamp(bound.upper, UTC).date() == day


@PROPERTIES
@given(st.dates().filter(lambda d: not 1970 <= d.year <= 2100))
def test_every_date_outside_is_refused(day: date) -> None:
    with pytest.raises(ValueError):
        parse_bound(day.isoformat())


@PROPERTIES
@given(odd_text, st.sampled_from([MAX_ID, MAX_INT32]))
def test_plain_id_is_none_or_a_fitting_id(text: str, maximum: int) -> None:
    found = plain_id(text, maximum)
    if found is not None:
        assert 1 <= found <= maximum
        assert text.isascii() and text.isdecimal() and int(text) == found


params = st.dictionaries(
    st.sampled_from(
        [
            "query",
            "pipelineId",
            "statusId",
            "responsibleUserId",
            "tag",
            "priceFrom",
            "priceTo",
            "createdFrom",
            "createdTo",
            "updatedFrom",
            "updatedTo",
            "sort",
            "page",
            "limit",
        ]
    ),
    st.one_of(iso_like, st.lists(odd_text, max_size=120)),
    max_size=6,
)


@PROPERTIES
@given(params)
def test_a_filter_is_refused_or_fits_the_database(query: dict[str, Any]) -> None:
    for key in ("statusId", "responsibleUserId"):  # repeatable: a list, as FastAPI gives it
        if key in query and not isinstance(query[key], list):
            query[key] = [query[key]]
    try:
        f = LeadFilter.model_validate(query)
    except ValidationError:
        return
    ids = [*(f.status_id or []), *(f.responsible_user_id or [])]
    ids += [f.pipeline_id] if f.pipeline_id is not None else []
    assert all(1 <= i <= MAX_ID for i in ids)
    assert len(f.status_id or []) <= 100 and len(f.responsible_user_id or []) <= 100
    assert 0 <= f.offset <= (MAX_PAGE - 1) * MAX_LIMIT
    for text in (f.query, f.tag):
        assert text is None or ("\x00" not in text and len(text) <= 200)
    for value in (*f.created, *f.updated):
        assert value is None or LOWEST <= value < HIGHEST + 86_400
    assert f.number is None or 0 <= f.number < 10**15


@PROPERTIES
@given(
    st.one_of(
        st.binary(max_size=200),
        st.lists(st.tuples(st.integers(0, 3), odd_text), max_size=8).map(
            lambda pairs: "&".join(f"leads[update][{i}][id]={v}" for i, v in pairs).encode()
        ),
    )
)
def test_webhook_ids_are_refused_or_fit_the_column(body: bytes) -> None:
    try:
        ids = webhooks.lead_ids(body)
    except webhooks.BadLeadId as exc:
        assert exc.field.startswith("leads[")
        return
    assert ids == sorted(set(ids)) and len(ids) <= webhooks.MAX_IDS
    assert all(1 <= i <= MAX_ID for i in ids)
