"""PHP-style query parsing: the three spellings of an array must mean the same thing."""

from __future__ import annotations

import pytest

from foryou_crm.sandbox.query import QueryError, as_list, build_query, parse_nested


def test_indexed_appended_and_scalar_arrays() -> None:
    indexed = parse_nested("filter[id][0]=1&filter[id][1]=2")
    appended = parse_nested("filter[id][]=1&filter[id][]=2")
    assert as_list(indexed["filter"]["id"]) == as_list(appended["filter"]["id"]) == ["1", "2"]
    assert as_list(parse_nested("filter[id]=1")["filter"]["id"]) == ["1"]


def test_percent_encoded_brackets_are_the_same_keys() -> None:
    assert parse_nested("filter%5Bid%5D%5B%5D=5") == parse_nested("filter[id][]=5")


def test_nested_statuses() -> None:
    parsed = parse_nested(
        "filter[statuses][0][pipeline_id]=1&filter[statuses][0][status_id]=142"
        "&filter[statuses][1][pipeline_id]=2&filter[statuses][1][status_id]=143"
    )
    assert as_list(parsed["filter"]["statuses"]) == [
        {"pipeline_id": "1", "status_id": "142"},
        {"pipeline_id": "2", "status_id": "143"},
    ]


def test_numeric_keys_sort_numerically() -> None:
    parsed = parse_nested("a[10]=x&a[2]=y")
    assert as_list(parsed["a"]) == ["y", "x"]


def test_order_and_with() -> None:
    q = build_query(
        parse_nested("order[updated_at]=DESC&with=contacts,only_deleted"), filters_enabled=True
    )
    assert (q.order_field, q.descending, q.with_contacts, q.only_deleted) == (
        "updated_at",
        True,
        True,
        True,
    )
    with pytest.raises(QueryError):
        build_query(parse_nested("order[price]=asc"), filters_enabled=True)
    with pytest.raises(QueryError):
        build_query(parse_nested("order[id]=sideways"), filters_enabled=True)


def test_filters_dropped_when_disabled() -> None:
    params = parse_nested("filter[id][]=1&query=villa")
    assert build_query(params, filters_enabled=False).predicates == []
    assert build_query(params, filters_enabled=False).text == "villa"
    assert len(build_query(params, filters_enabled=True).predicates) == 1
