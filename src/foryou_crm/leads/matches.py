"""A text query's matches, kept per mirror version: the keys (sort value, lead id) of every
lead the filter selects, in the list's order, so that each page of it is a slice of the keys
and a look-up of the slice's rows by id.

Why: without them a text query's page walks the sort's index, testing each lead's search text,
until the page is full — about 2,100 leads for a needle in 2.4 % of them, whatever the mirror's
size: ~1 ms of CPU, where the list's other filters cost a tenth of that (bench/RESULTS.md). The
app asks the same search again on every refresh and every page of a scroll, while the mirror
changes a few times an hour (as the counts in ``kept``). Made once per mirror version through
the text index (FTS5 on SQLite, the trigram GIN on PostgreSQL) and sorted by the database:
33 ms for 23,594 matches in 1,000,000 leads on SQLite — once, then each page reads its rows by
id.

Kept only while no sync runs: a sync moves the mirror's version with every batch it
writes, and reading every key again for each request meanwhile would cost more than the walk
(which the pages take then). Bounded twice: a filter with more than ``MAX_MATCHES`` matches
keeps nothing (a needle that common fills a page after a short walk), and each process keeps
at most ``BUDGET`` keys in all, each filter charged ``ENTRY_COST`` keys more for what else it
holds (its key, the arrays' headers; ~1.4 kB measured): 32 MB at most, least recently used
first out."""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from foryou_crm.leads.cursor import Position
from foryou_crm.leads.kept import PerMirror

MAX_MATCHES = 100_000
BUDGET = 2_000_000  # keys of 16 bytes
ENTRY_COST = 100


@dataclass(frozen=True)
class Matches:
    """The keys of every match, in the list's order (``descending``: by the sort value, then
    the lead id, both from high to low)."""

    values: array[int]
    ids: array[int]
    descending: bool

    @classmethod
    def of(cls, rows: Iterable[tuple[int, int]], descending: bool) -> Matches:
        values, ids = array("q"), array("q")
        for value, lead_id in rows:
            values.append(value)
            ids.append(lead_id)
        return cls(values, ids, descending)

    def __len__(self) -> int:
        return len(self.ids)

    def after(self, position: Position) -> int:
        """The index of the first key after ``position`` in the list's order (a descending
        list is searched on its negated keys, which ascend)."""
        sign = -1 if self.descending else 1
        values, ids = self.values, self.ids
        return bisect.bisect_right(
            range(len(ids)),
            (sign * position.value, sign * position.lead_id),
            key=lambda i: (sign * values[i], sign * ids[i]),
        )


class KeptMatches(PerMirror[Matches]):
    """Per process: (connection, what the filter selects and its sort) → the matches of one
    mirror version (``kept.PerMirror``, bounded by the keys held rather than by entries).
    ``max_matches``: the most a filter's matches may number to be kept (and its pages read
    from them)."""

    def __init__(self, budget: int = BUDGET, max_matches: int = MAX_MATCHES) -> None:
        # Each entry costs at least ENTRY_COST of the budget: the budget bounds the entries.
        super().__init__(size=budget)
        self.budget = budget
        self.max_matches = max_matches
        self.held = 0  # keys kept, in all, with each entry's charge

    def put(self, connection_id: int, what: tuple[Any, ...], version: int, value: Matches) -> None:
        key = (connection_id, what)
        if (old := self._kept.pop(key, None)) is not None:
            self.held -= _cost(old[1])
        self._kept[key] = (version, value)
        self.held += _cost(value)
        while self.held > self.budget and self._kept:
            _, (_, evicted) = self._kept.popitem(last=False)
            self.held -= _cost(evicted)


def _cost(matches: Matches) -> int:
    return len(matches) + ENTRY_COST
