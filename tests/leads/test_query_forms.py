"""The list's statements are kept by form (``queries._form``): the key is made from the names
of the values a filter binds, before any statement is built, and the statement is built only
the first time. These tests run many filters through the kept forms and check each against
a statement built afresh for that filter alone: same SQL, same values — so no filter can run
with a form made for another."""

from __future__ import annotations

import random
from collections import OrderedDict
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect

from foryou_crm.leads import queries
from foryou_crm.leads.dialects import PostgreSQL, SQLite
from foryou_crm.leads.filter import LeadFilter

# Each parameter's choices: absent, and values that change the statement's form (a short or
# numeric text, one or several ids, one or several custom fields and enums, either bound).
CHOICES: dict[str, list[Any]] = {
    "query": [None, "пе", "печерськ", "210000", 'a"b%_\\'],
    "pipelineId": [None, 7710001],
    "statusId": [None, [61000014], [61000014, 142]],
    "responsibleUserId": [None, [9001102], [9001102, 9001104, 9001105]],
    "tag": [None, "Dubai"],
    "customField": [None, ["1:2"], ["1:2", "1:3"], ["1:2", "5:6"]],
    "priceFrom": [None, 100000],
    "priceTo": [None, 500000],
    "createdFrom": [None, "2025-12-02"],
    "createdTo": [None, "2026-06-01"],
    "updatedFrom": [None, "2026-11-01T10:00:00Z"],
    "updatedTo": [None, "2026-11-20"],
}
PAGING: dict[str, list[Any]] = {
    "sort": ["-createdAt", "createdAt", "price", "-price", "updatedAt", "-updatedAt"],
    "page": [1, 3],
    "limit": [1, 50, 250],
}

DIALECTS: list[tuple[Dialect, str]] = [(sqlite.dialect(), "sqlite"), (postgresql.dialect(), "pg")]


def _filters(count: int, seed: int) -> list[LeadFilter]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        # A few parameters at a time, as an agent filters: filters then share forms.
        chosen = rng.sample(sorted(CHOICES), rng.randint(0, 3))
        given = {name: rng.choice(CHOICES[name]) for name in chosen}
        given |= {name: rng.choice(values) for name, values in PAGING.items()}
        f = LeadFilter.model_validate({k: v for k, v in given.items() if v is not None})
        if rng.random() < 0.3:  # a page after a cursor of this very filter
            cursor = f.next_cursor(rng.randrange(10**9), rng.randrange(1, 10**9))
            f = LeadFilter.model_validate({**f.model_dump(by_alias=True), "cursor": cursor})
        out.append(f)
    return out


def _hooks(name: str, f: LeadFilter) -> list[PostgreSQL | SQLite]:
    if name == "pg":
        return [PostgreSQL()]
    # SQLite's page either finds the matches through an index or walks the sort's index.
    return [SQLite(), SQLite(queries._SORTS[f.sort][0])]


def _sql(made: tuple[Any, dict[str, Any]], dialect: Dialect) -> tuple[str, list[Any]]:
    """The statement's SQL and the values in the order it takes them."""
    query, values = made
    compiled = query.statement.compile(dialect=dialect)
    names = compiled.positiontup or []
    return str(compiled), [values.get(name, compiled.binds[name].value) for name in names]


@pytest.mark.parametrize(("dialect", "name"), DIALECTS, ids=[n for _, n in DIALECTS])
def test_a_kept_form_is_the_statement_the_filter_would_build(
    monkeypatch: pytest.MonkeyPatch, dialect: Dialect, name: str
) -> None:
    filters = _filters(600, seed=15)
    monkeypatch.setattr(queries, "_FORMS", OrderedDict())
    kept: list[tuple[str, list[Any]]] = []
    for f in filters:  # one cache for all: later filters meet the forms of earlier ones
        for hooks in _hooks(name, f):
            kept.append(_sql(queries.page_query(1, f, hooks), dialect))
            kept.append(_sql(queries.count_query(1, f, hooks), dialect))
    # The sample did share forms (the test would prove nothing if every filter had its own).
    assert len(queries._FORMS) < len(kept) / 2
    fresh: list[tuple[str, list[Any]]] = []
    for f in filters:
        for hooks in _hooks(name, f):
            monkeypatch.setattr(queries, "_FORMS", OrderedDict())
            fresh.append(_sql(queries.page_query(1, f, hooks), dialect))
            monkeypatch.setattr(queries, "_FORMS", OrderedDict())
            fresh.append(_sql(queries.count_query(1, f, hooks), dialect))
    assert kept == fresh


def test_forms_are_few_and_their_statements_carry_no_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queries, "_FORMS", OrderedDict())
    for f in _filters(300, seed=16):
        queries.page_query(1, f, PostgreSQL())
    assert 0 < len(queries._FORMS) < 300
    for key, query in queries._FORMS.items():
        compiled = query.statement.compile(dialect=postgresql.dialect())
        given = {name for name, p in compiled.binds.items() if p.required}
        assert given == set(key[3:])  # ("page", the hooks' form, the sort, *the names)
        assert all(compiled.binds[name].value is None for name in given)
