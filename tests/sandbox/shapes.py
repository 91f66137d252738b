"""Recorded amoCRM responses (fixtures/) and a structural comparison against them.

Each fixture is kept verbatim as published; its sidecar `<name>.source.json` names the
source and lists the minimal repairs a published example needs to parse (a trailing comma,
a missing quote), applied here at load time so the file itself stays as published.

`assert_shape(sample, actual)` compares structure, not values: the same keys at every
level, the same JSON types, lists of the sample's item shape, absolute HAL links.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"

# Keys a published sample fills with a value while the sandbox may send null (nullable
# by the docs' own tables: "int|null", "array|null", or only set for some entities).
NULLABLE = frozenset(
    {
        "closed_at",
        "closest_task_at",
        "loss_reason_id",
        "source_id",
        "custom_fields_values",
        "score",
        "code",
        "enums",
        "group_id",
        "remind",
        "currency",
        "metadata",
        "enum_code",
        "enum_id",
        "contact_id",
        "company_id",
        "entity_id",
        "entity_type",
        "required_statuses",
        "field_code",
    }
)


def load(name: str) -> Any:
    """A fixture by path under fixtures/ without `.json`, repairs applied."""
    path = FIXTURES / f"{name}.json"
    meta = json.loads((FIXTURES / f"{name}.source.json").read_text())
    text = path.read_text()
    for repair in meta.get("repairs", []):
        assert repair["find"] in text, f"{name}: repair no longer applies"
        text = text.replace(repair["find"], repair["replace"])
    if meta.get("strip_line_comments"):
        text = re.sub(r"\s*//[^\"\n]*$", "", text, flags=re.MULTILINE)
    return json.loads(text)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def assert_shape(
    sample: Any,
    actual: Any,
    path: str = "$",
    *,
    extra: frozenset[str] = frozenset(),
    missing: frozenset[str] = frozenset(),
    loose: frozenset[str] = frozenset(),
) -> None:
    """`extra`: keys the sandbox may add (documented elsewhere, e.g. `is_deleted` in the
    field tables but not in that example); `missing`: sample keys it may omit; `loose`:
    keys whose subtree varies by entity (only its JSON type is compared)."""
    if sample is None:
        return
    key = path.rsplit(".", 1)[-1]
    if actual is None:
        assert key in NULLABLE, f"{path}: null where the sample has {_kind(sample)}"
        return
    if isinstance(sample, list) and isinstance(actual, dict) and not actual and not sample:
        return
    assert _kind(actual) == _kind(sample), f"{path}: {_kind(actual)} != {_kind(sample)}"
    if key in loose:
        return
    if isinstance(sample, dict):
        unexpected = set(actual) - set(sample) - extra
        absent = set(sample) - set(actual) - missing
        assert not unexpected, f"{path}: keys not in the sample: {sorted(unexpected)}"
        assert not absent, f"{path}: sample keys missing: {sorted(absent)}"
        for k in sample.keys() & actual.keys():
            assert_shape(
                sample[k], actual[k], f"{path}.{k}", extra=extra, missing=missing, loose=loose
            )
        if key == "self" and "href" in actual:
            assert actual["href"].startswith("http"), f"{path}.href is not absolute"
    elif isinstance(sample, list) and sample:
        for i, item in enumerate(actual):
            assert_shape(sample[0], item, f"{path}[{i}]", extra=extra, missing=missing, loose=loose)
