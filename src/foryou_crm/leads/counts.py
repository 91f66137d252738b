"""How many leads a filter selects, kept per (connection, filter) until that connection's
mirror changes (``SyncState.mirror_version``, bumped by every write in ``leads.store``).

An exact ``count(*)`` reads every matching index entry: 1–6 ms per filter on 100,000 leads and
ten times that on 1,000,000 — more than the page itself. The list is asked for the same few
filters again and again (every screen refresh, every page of a scroll) while the mirror
changes a few times an hour, so a count is made once per mirror version and served from
memory after. Per process (each API worker keeps its own), bounded, least recently used
first out."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

Key = tuple[int, tuple[Any, ...]]


class LeadCounts:
    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._kept: OrderedDict[Key, tuple[int, int]] = OrderedDict()

    def get(self, connection_id: int, selection: tuple[Any, ...], version: int) -> int | None:
        key = (connection_id, selection)
        found = self._kept.get(key)
        if found is None or found[0] != version:
            return None
        self._kept.move_to_end(key)
        return found[1]

    def put(self, connection_id: int, selection: tuple[Any, ...], version: int, total: int) -> None:
        key = (connection_id, selection)
        self._kept[key] = (version, total)
        self._kept.move_to_end(key)
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)
