"""PHP-style bracket query parsing and the leads filter of GET /api/v4/leads.

amoCRM is a PHP application, so `filter[id][0]=1`, `filter[id][]=1` and `filter[id]=1`
all arrive as the same nested array. We parse the raw query the same way instead of
trusting one syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from .models import Account, Lead

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


class QueryError(ValueError):
    """A parameter that amoCRM would refuse with 400 Request validation failed."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"{path}: {detail}")
        self.path = path
        self.detail = detail


def parse_nested(query_string: str) -> dict[str, Any]:
    """`a[b][]=1&a[b][]=2&a[c][x]=3` → {"a": {"b": {"0": "1", "1": "2"}, "c": {"x": "3"}}}.

    Arrays are dicts with numeric keys, as in PHP; `[]` appends at the next index.
    """
    root: dict[str, Any] = {}
    for raw_key, value in parse_qsl(query_string, keep_blank_values=True):
        match = _KEY.match(raw_key)
        if not match:
            root[raw_key] = value
            continue
        parts = [match.group(1), *_PART.findall(match.group(2))]
        node: dict[str, Any] = root
        for i, part in enumerate(parts):
            if part == "":
                numeric = [int(k) for k in node if k.isdigit()]
                part = str(max(numeric) + 1 if numeric else 0)
            if i == len(parts) - 1:
                node[part] = value
                break
            child = node.get(part)
            if not isinstance(child, dict):
                # A later bracketed key replaces an earlier scalar, as PHP does.
                child = {}
                node[part] = child
            node = child
    return root


def as_list(value: Any) -> list[Any]:
    """A PHP array in any of its spellings as a Python list (dict keys in key order)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: (not k.isdigit(), _int_or(k)))]
    return [value]


def _int_or(key: str) -> int:
    return int(key) if key.isdigit() else 0


def to_int(value: Any, path: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    raise QueryError(path, "This value should be of type int.")


def ints(value: Any, path: str) -> set[int]:
    return {to_int(v, path) for v in as_list(value)}


@dataclass
class Range:
    low: int | None = None
    high: int | None = None

    def holds(self, value: int | None) -> bool:
        if value is None:
            return False
        if self.low is not None and value < self.low:
            return False
        return not (self.high is not None and value > self.high)


def to_range(value: Any, path: str) -> Range:
    if isinstance(value, dict):
        low = value.get("from")
        high = value.get("to")
        return Range(
            to_int(low, f"{path}.from") if low not in (None, "") else None,
            to_int(high, f"{path}.to") if high not in (None, "") else None,
        )
    # A scalar (the PHP lib sends `filter[created_at]=123`) means exactly that value.
    exact = to_int(value, path)
    return Range(exact, exact)


Predicate = Callable[[Lead], bool]


@dataclass
class LeadQuery:
    predicates: list[Predicate] = field(default_factory=list)
    order_field: str | None = None
    descending: bool = False
    only_deleted: bool = False
    with_contacts: bool = False
    text: str | None = None

    @property
    def is_plain(self) -> bool:
        """No filter, no search, default order: pages can be sliced directly."""
        return not self.predicates and self.text is None and self.order_field in (None, "id")


def _member(field: str, allowed: set[int]) -> Predicate:
    return lambda lead: getattr(lead, field) in allowed


def _within(field: str, bounds: Range) -> Predicate:
    return lambda lead: bounds.holds(getattr(lead, field))


_RANGE_FIELDS = ("created_at", "updated_at", "closed_at", "closest_task_at")
_USER_FIELDS = ("created_by", "updated_by", "responsible_user_id")


def build_filters(raw: dict[str, Any]) -> list[Predicate]:
    """Predicates for every documented `filter[...]` key (unknown keys are ignored)."""
    preds: list[Predicate] = []
    if "id" in raw:
        ids = ints(raw["id"], "filter.id")
        preds.append(lambda lead: lead.id in ids)
    if "name" in raw:
        # Exact match: a substring search is what `query` is for (semantics UNCONFIRMED).
        names = {str(v) for v in as_list(raw["name"])}
        preds.append(lambda lead: lead.name in names)
    if "price" in raw:
        price = to_range(raw["price"], "filter.price")
        preds.append(lambda lead: price.holds(lead.price))
    if "pipeline_id" in raw:
        pipelines = ints(raw["pipeline_id"], "filter.pipeline_id")
        preds.append(lambda lead: lead.pipeline_id in pipelines)
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
    for name in _USER_FIELDS:
        if name in raw:
            users = ints(raw[name], f"filter.{name}")
            preds.append(_member(name, users))
    for name in _RANGE_FIELDS:
        if name in raw:
            rng = to_range(raw[name], f"filter.{name}")
            preds.append(_within(name, rng))
    return preds


_ORDER_FIELDS = ("created_at", "updated_at", "id")


def build_query(params: dict[str, Any], *, filters_enabled: bool) -> LeadQuery:
    q = LeadQuery()
    with_ = {w.strip() for w in str(params.get("with", "")).split(",") if w.strip()}
    q.only_deleted = "only_deleted" in with_
    q.with_contacts = "contacts" in with_
    raw_filter = params.get("filter")
    if filters_enabled and isinstance(raw_filter, dict):
        q.predicates = build_filters(raw_filter)
    text = params.get("query")
    if isinstance(text, str) and text.strip():
        q.text = text.strip().lower()
    order = params.get("order")
    if isinstance(order, dict) and order:
        key, direction = next(iter(order.items()))
        if key not in _ORDER_FIELDS:
            raise QueryError(f"order.{key}", "This field is not supported for sorting.")
        if str(direction).lower() not in ("asc", "desc"):
            raise QueryError(f"order.{key}", "The value you selected is not a valid choice.")
        q.order_field = key
        q.descending = str(direction).lower() == "desc"
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


def select(
    account: Account,
    source: Iterable[Lead],
    query: LeadQuery,
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
