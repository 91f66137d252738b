"""PHP-style bracket query parsing and the value parsers every list endpoint shares.

amoCRM is a PHP application, so `filter[id][0]=1`, `filter[id][]=1` and `filter[id]=1`
all arrive as the same nested array. We parse the raw query the same way instead of
trusting one syntax. Some endpoints (events, following the official PHP library's
`EventsFilter`) also take comma-separated lists: `filter[type]=lead_added,lead_deleted`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

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


def csv_list(value: Any) -> list[str]:
    """Like `as_list`, but each item may itself be a comma-separated list."""
    return [part.strip() for v in as_list(value) for part in str(v).split(",") if part.strip()]


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


def after_range(value: Any, path: str) -> Range:
    """`filter[updated_at]` of notes/tasks, `filter[created_at]` of events: a timestamp
    means "after it" (strictly: the documented "после переданного значения"), an array
    means `[from]`/`[to]` inclusive; `from,to` is the comma form the PHP library sends."""
    if isinstance(value, dict):
        return to_range(value, path)
    parts = str(value).split(",")
    if len(parts) == 2:
        return Range(to_int(parts[0], path), to_int(parts[1], path))
    return Range(to_int(value, path) + 1, None)


def with_set(params: dict[str, Any]) -> set[str]:
    return {w.strip() for w in str(params.get("with", "")).split(",") if w.strip()}
