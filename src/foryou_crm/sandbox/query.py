"""List queries: the documented `filter[…]`, `query`, `order[…]` and `with` of API v4 lists.

Filters follow filters-api.md (leads, contacts, companies share id/name/users/dates/custom
fields; leads add price/pipeline/statuses). Parsing primitives live in `params.py`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from .fields import value_filters, values_of
from .models import Account, Lead
from .params import (
    QueryError,
    as_list,
    csv_list,
    ints,
    parse_nested,
    to_int,
    to_range,
    with_set,
)

__all__ = [
    "ListQuery",
    "QueryError",
    "as_list",
    "build_query",
    "csv_list",
    "ints",
    "page_of",
    "parse_nested",
    "select",
    "sorted_view",
]

Predicate = Callable[[Any], bool]
T = TypeVar("T")


class _Identified(Protocol):
    id: int


E = TypeVar("E", bound=_Identified)


@dataclass
class ListQuery:
    predicates: list[Predicate] = field(default_factory=list)
    order_field: str | None = None
    descending: bool = False
    only_deleted: bool = False
    with_: set[str] = field(default_factory=set)
    text: str | None = None

    @property
    def with_contacts(self) -> bool:
        return "contacts" in self.with_

    @property
    def is_plain(self) -> bool:
        """No filter, no search, default order: pages can be sliced directly."""
        return not self.predicates and self.text is None and self.order_field in (None, "id")


def _member(name: str, allowed: set[int]) -> Predicate:
    return lambda item: getattr(item, name) in allowed


def _within(name: str, raw: Any, path: str) -> Predicate:
    bounds = to_range(raw, path)
    return lambda item: bounds.holds(getattr(item, name))


_USER_FIELDS = ("created_by", "updated_by", "responsible_user_id")
LEAD_RANGES = ("created_at", "updated_at", "closed_at", "closest_task_at")
PARTY_RANGES = ("created_at", "updated_at", "closest_task_at")


def common_filters(
    raw: dict[str, Any], account: Account | None, entity_type: str, ranges: Iterable[str]
) -> list[Predicate]:
    """id, name, the three user filters, date ranges and custom field values."""
    preds: list[Predicate] = []
    if "id" in raw:
        preds.append(_member("id", ints(raw["id"], "filter.id")))
    if "name" in raw:
        # Exact match: a substring search is what `query` is for (semantics UNCONFIRMED).
        names = {str(v) for v in as_list(raw["name"])}
        preds.append(lambda item: item.name in names)
    for name in _USER_FIELDS:
        if name in raw:
            preds.append(_member(name, ints(raw[name], f"filter.{name}")))
    for name in ranges:
        if name in raw:
            preds.append(_within(name, raw[name], f"filter.{name}"))
    if "custom_fields_values" in raw and account is not None:
        preds += value_filters(account, entity_type, raw["custom_fields_values"])
    return preds


def lead_filters(raw: dict[str, Any], account: Account | None) -> list[Predicate]:
    """Predicates for every documented lead `filter[...]` key (unknown keys are ignored)."""
    preds = common_filters(raw, account, "leads", LEAD_RANGES)
    if "price" in raw:
        preds.append(_within("price", raw["price"], "filter.price"))
    if "pipeline_id" in raw:
        preds.append(_member("pipeline_id", ints(raw["pipeline_id"], "filter.pipeline_id")))
    if "statuses" in raw:
        pairs: set[tuple[int, int]] = set()
        for i, item in enumerate(as_list(raw["statuses"])):
            # 142/143 exist in every pipeline, so a status means nothing without its
            # pipeline: entries without both ids are skipped, as amoCRM does.
            if not isinstance(item, dict) or "pipeline_id" not in item or "status_id" not in item:
                continue
            pairs.add(
                (
                    to_int(item["pipeline_id"], f"filter.statuses.{i}.pipeline_id"),
                    to_int(item["status_id"], f"filter.statuses.{i}.status_id"),
                )
            )
        if pairs:
            preds.append(lambda lead: (lead.pipeline_id, lead.status_id) in pairs)
    return preds


LEAD_ORDER = ("created_at", "updated_at", "id")
PARTY_ORDER = ("updated_at", "id")  # contacts-api.md, companies-api.md


def parse_order(params: dict[str, Any], allowed: Sequence[str]) -> tuple[str | None, bool]:
    order = params.get("order")
    if not isinstance(order, dict) or not order:
        return None, False
    key, direction = next(iter(order.items()))
    if key not in allowed:
        raise QueryError(f"order.{key}", "This field is not supported for sorting.")
    if str(direction).lower() not in ("asc", "desc"):
        raise QueryError(f"order.{key}", "The value you selected is not a valid choice.")
    return key, str(direction).lower() == "desc"


def build_query(
    params: dict[str, Any],
    *,
    filters_enabled: bool,
    account: Account | None = None,
    entity_type: str = "leads",
) -> ListQuery:
    """The query of a leads/contacts/companies list. Without the API-filtering add-on
    amoCRM ignores `filter[...]` silently; `query` and `order` keep working."""
    q = ListQuery(with_=with_set(params))
    q.only_deleted = "only_deleted" in q.with_
    raw_filter = params.get("filter")
    if filters_enabled and isinstance(raw_filter, dict):
        if entity_type == "leads":
            q.predicates = lead_filters(raw_filter, account)
        else:
            q.predicates = common_filters(raw_filter, account, entity_type, PARTY_RANGES)
    text = params.get("query")
    if isinstance(text, str) and text.strip():
        q.text = text.strip().lower()
    allowed = LEAD_ORDER if entity_type == "leads" else PARTY_ORDER
    q.order_field, q.descending = parse_order(params, allowed)
    return q


def lead_matches_text(account: Account, lead: Lead, text: str) -> bool:
    """`query`: a case-insensitive search over the filled fields of a lead."""
    if text in lead.name.lower() or text == str(lead.id) or text == str(lead.price):
        return True
    if any(text in tag.name.lower() for tag in lead.tags):
        return True
    for cid in lead.contact_ids:
        contact = account.contacts.get(cid)
        if contact is not None and text in contact.name.lower():
            return True
    return False


def party_matches_text(account: Account, entity_type: str, item: Any, text: str) -> bool:
    """`query` over a contact or company: its name and every filled text value (phones are
    compared by digits, so "067 123" finds "+380671234567")."""
    if text in item.name.lower() or text == str(item.id):
        return True
    digits = "".join(ch for ch in text if ch.isdigit())
    for values in values_of(account, entity_type, item).values():
        for value, _ in values:
            as_text = str(value).lower()
            if text in as_text:
                return True
            if len(digits) >= 3 and digits in "".join(ch for ch in as_text if ch.isdigit()):
                return True
    return False


def select(
    account: Account,
    source: Iterable[Lead],
    query: ListQuery,
    visible: Callable[[Lead], bool] | None,
) -> Iterator[Lead]:
    """Lazily yield the leads a query matches, in the order of `source`."""
    for lead in source:
        if visible is not None and not visible(lead):
            continue
        if query.text is not None and not lead_matches_text(account, lead, query.text):
            continue
        if all(p(lead) for p in query.predicates):
            yield lead


def sorted_view(items: Sequence[E], order_field: str | None, descending: bool) -> Sequence[E]:
    """Items (kept in id order) by `order_field`, ties by id — the order stays total, so a
    page never repeats or skips an item when nothing changes between requests."""
    source = items
    if order_field not in (None, "id"):
        assert order_field is not None
        source = sorted(items, key=lambda x: (getattr(x, order_field), x.id))
    return source[::-1] if descending else source


def page_of(matches: Iterable[T], page: int, limit: int) -> tuple[list[T], bool]:
    """One page of an ordered stream and whether another follows."""
    start = (page - 1) * limit
    chunk = list(itertools.islice(matches, start, start + limit + 1))
    return chunk[:limit], len(chunk) > limit
