"""amoCRM's write validation: per-entity errors in the `validation-errors` body, batches
all-or-nothing, at most 250 entities per request (error-codes.md, leads-api.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard, TypeVar

T = TypeVar("T")
E = TypeVar("E")

MAX_BATCH = 250
Errors = list[dict[str, str]]


class ValidationFailed(Exception):
    """Per-entity validation errors, rendered as amoCRM's `validation-errors` body."""

    def __init__(self, errors: list[tuple[str, Errors]]) -> None:
        super().__init__("Request validation failed")
        self.errors = errors


class BatchTooLarge(OverflowError):
    """422 "Limit 250 per page" (the documented answer above the batch limit)."""

    def __init__(self, limit: int = MAX_BATCH) -> None:
        super().__init__(f"Limit {limit} per page")


def error(code: str, path: str, detail: str) -> dict[str, str]:
    return {"code": code, "path": path, "detail": detail}


def not_a_choice(path: str) -> dict[str, str]:
    return error("NotSupportedChoice", path, "The value you selected is not a valid choice.")


def bad_type(path: str, what: str) -> dict[str, str]:
    return error("InvalidType", path, f"This value should be of type {what}.")


def not_found(path: str = "id") -> dict[str, str]:
    return error("NotFound", path, "Entity not found.")


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def int_or_none(value: Any) -> int | None:
    return value if is_int(value) else None


def request_id(item: dict[str, Any], index: int) -> str:
    """The client's `request_id` if it sent one, else the item's position (as documented)."""
    given = item.get("request_id")
    return str(given) if given is not None else str(index)


def check_batch(items: list[dict[str, Any]], limit: int = MAX_BATCH) -> None:
    if len(items) > limit:
        raise BatchTooLarge(limit)


def raise_if(problems: list[tuple[str, Errors]]) -> None:
    if problems:
        raise ValidationFailed(problems)


def check_all(
    items: list[dict[str, Any]],
    check: Callable[[dict[str, Any]], tuple[Errors, T]],
    limit: int = MAX_BATCH,
) -> list[T]:
    """Check a whole batch before anything changes: every item's errors under its
    request_id, or every item's parsed input."""
    check_batch(items, limit)
    results = [check(item) for item in items]
    raise_if(
        [
            (request_id(item, i), errors)
            for i, (item, (errors, _)) in enumerate(zip(items, results, strict=True))
            if errors
        ]
    )
    return [parsed for _, parsed in results]


def check_existing(
    items: list[dict[str, Any]],
    find: Callable[[dict[str, Any]], E | None],
    check: Callable[[dict[str, Any], E], tuple[Errors, T]],
) -> list[tuple[dict[str, Any], E, T]]:
    """Check a batch of edits: each item's entity must exist for the caller (else
    NotFound at `id`), then its input; nothing changes unless every item passes."""
    check_batch(items)
    problems: list[tuple[str, Errors]] = []
    plans: list[tuple[dict[str, Any], E, T]] = []
    for i, item in enumerate(items):
        found = find(item)
        if found is None:
            problems.append((request_id(item, i), [not_found()]))
            continue
        errors, parsed = check(item, found)
        if errors:
            problems.append((request_id(item, i), errors))
        plans.append((item, found, parsed))
    raise_if(problems)
    return plans
