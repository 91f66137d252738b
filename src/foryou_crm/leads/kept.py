"""What the lead list derives from a connection's mirror, kept per connection until that
mirror changes (``SyncState.mirror_version``, bumped by every write in ``leads.store``):

- how many leads a filter selects. An exact ``count(*)`` reads every matching index entry:
  1–6 ms per filter on 100,000 leads and ten times that on 1,000,000 — more than the page
  itself;
- the names shown beside each lead's ids (its pipeline, its status and colour, its
  responsible user): joining the three tables into every page was 40 % of a page's SQL on
  SQLite (51 rows × 3 index look-ups).

The list is asked for the same few filters again and again (every screen refresh, every page
of a scroll) while the mirror changes a few times an hour, so each is made once per mirror
version and served from memory after. Per process (each API worker keeps its own), bounded,
least recently used first out."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Generic, TypeVar

V = TypeVar("V")
Key = tuple[int, tuple[Any, ...]]


class PerMirror(Generic[V]):
    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._kept: OrderedDict[Key, tuple[int, V]] = OrderedDict()

    def get(self, connection_id: int, what: tuple[Any, ...], version: int) -> V | None:
        key = (connection_id, what)
        found = self._kept.get(key)
        if found is None or found[0] != version:
            return None
        self._kept.move_to_end(key)
        return found[1]

    def put(self, connection_id: int, what: tuple[Any, ...], version: int, value: V) -> None:
        key = (connection_id, what)
        self._kept[key] = (version, value)
        self._kept.move_to_end(key)
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)
