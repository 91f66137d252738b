"""The lead list's ``cursor``: where the last page ended, so the next one starts right after it
(keyset pagination) instead of counting ``offset`` rows again — the cost of a page stays the
same however deep the agent scrolls, and rows inserted or deleted meanwhile neither repeat nor
skip rows.

Opaque to clients: base64url of ``[version, sort, sort value, lead id, selection]``, a dot,
and a short keyed hash of that. The hash only tells a cursor we made from one edited or cut
short (a 422, not a wrong page); the key is not a secret because a forged cursor can only
point somewhere else in the caller's own mirror. ``selection`` fingerprints the filter the
cursor was made for: a cursor sent with different filters or sort is refused."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import orjson

_VERSION = 1
_KEY = b"foryou-crm leads cursor"
_MAC_BYTES = 6
MAX_CURSOR = 512


@dataclass(frozen=True)
class Position:
    """The last row of a page, by the list's order: its sort value and its lead id."""

    value: int
    lead_id: int


@functools.lru_cache(maxsize=1024)
def fingerprint(selection: tuple[Any, ...]) -> str:
    """A short stable digest of what a filter selects (``LeadFilter.selection``). Kept: every
    page with more after it names its filter in its next cursor, and agents repeat a few."""
    return hashlib.blake2b(repr(selection).encode(), digest_size=6).hexdigest()


def _mac(payload: bytes) -> str:
    digest = hashlib.blake2b(payload, key=_KEY, digest_size=_MAC_BYTES).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode(position: Position, sort: str, selection: str) -> str:
    # The same bytes as ``json.dumps`` with compact separators (every value here is ASCII).
    payload = orjson.dumps([_VERSION, sort, position.value, position.lead_id, selection])
    return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + _mac(payload)


def decode(token: str, sort: str, selection: str) -> Position:
    """The position ``token`` names, for a list sorted by ``sort`` and filtered to
    ``selection``. ValueError (a 422 naming ``cursor``) for anything else."""
    body, dot, mac = token.partition(".")
    try:
        payload = _b64decode(body)
        valid = bool(dot) and _mac(payload) == mac
        fields = json.loads(payload) if valid else None
    except (ValueError, UnicodeDecodeError):
        fields = None
    if not (
        isinstance(fields, list)
        and len(fields) == 5
        and fields[0] == _VERSION
        and all(type(v) is int for v in fields[2:4])
    ):
        raise ValueError("not a cursor of this list; start again from the first page")
    if fields[1] != sort or fields[4] != selection:
        raise ValueError("the cursor belongs to another sort or filter; start from the first page")
    return Position(fields[2], fields[3])
