"""The kept matches of text queries (``leads.matches``): bounded by the keys they hold in
all, least recently used out first; one mirror version each."""

from __future__ import annotations

from foryou_crm.leads.cursor import Position
from foryou_crm.leads.matches import ENTRY_COST, KeptMatches, Matches


def _matches(n: int) -> Matches:
    return Matches.of(((1000 - i, i) for i in range(n)), descending=True)


def test_the_budget_evicts_the_least_recently_used() -> None:
    kept = KeptMatches(budget=10 + 2 * ENTRY_COST)
    kept.put(1, ("a",), 7, _matches(4))
    kept.put(1, ("b",), 7, _matches(4))
    assert kept.get(1, ("a",), 7) is not None  # "a" used last: "b" goes first
    kept.put(2, ("c",), 3, _matches(4))
    assert kept.get(1, ("b",), 7) is None
    assert kept.get(1, ("a",), 7) is not None and kept.get(2, ("c",), 3) is not None
    assert kept.held == 8 + 2 * ENTRY_COST
    kept.put(1, ("a",), 8, _matches(2))  # a newer mirror replaces, not adds
    assert kept.held == 6 + 2 * ENTRY_COST
    assert kept.get(1, ("a",), 7) is None  # another version is not this one
    kept.put(3, ("d",), 1, _matches(kept.budget))  # more than the whole budget: nothing stays
    assert kept.held <= kept.budget and kept.get(3, ("d",), 1) is None


def test_each_filter_is_charged_beyond_its_keys() -> None:
    """Many filters of one match each still fill the budget: each costs what it holds beside
    its keys, so a client varying a filter cannot grow the memory without bound."""
    kept = KeptMatches(budget=50 * (1 + ENTRY_COST))
    for i in range(1000):
        kept.put(1, ("query", i), 1, _matches(1))
    assert kept.held <= kept.budget
    assert kept.get(1, ("query", 999), 1) is not None
    assert kept.get(1, ("query", 949), 1) is None


def test_after_finds_the_first_key_past_a_position_in_either_order() -> None:
    down = Matches.of([(9, 5), (9, 3), (7, 8), (4, 1)], descending=True)
    assert down.after(Position(9, 5)) == 1
    assert down.after(Position(9, 4)) == 1  # a lead no longer there: between its neighbours
    assert down.after(Position(7, 8)) == 3
    assert down.after(Position(1, 1)) == 4
    assert down.after(Position(10, 0)) == 0
    up = Matches.of([(4, 1), (7, 8), (9, 3), (9, 5)], descending=False)
    assert up.after(Position(9, 3)) == 3
    assert up.after(Position(8, 100)) == 2
    assert up.after(Position(0, 0)) == 0
    assert up.after(Position(9, 5)) == 4
