"""Cheap deterministic draws for seeding.

`random.Random.choice`/`randrange` cost ~0.4 µs each (they draw bits until the value fits);
seeding 100 000 leads with their contacts, notes and tasks makes millions of draws, so we
scale one `random()` float instead. The tiny bias this leaves is irrelevant for test data.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Stream:
    """A cheap independent stream per (seed, entity): seeding a `random.Random` costs
    ~10 µs, too much for 150 000 entities drawn on demand. Tuple hashes of ints are
    deterministic (PYTHONHASHSEED only salts str/bytes) and well mixed."""

    __slots__ = ("key", "n")

    def __init__(self, *key: int) -> None:
        self.key = hash(key)
        self.n = 0

    def random(self) -> float:
        self.n += 1
        return (hash((self.key, self.n)) & 0xFFFFFFFFFFFF) / 0x1000000000000


class Dice:
    __slots__ = ("random",)

    def __init__(self, rng: random.Random | Stream) -> None:
        self.random = rng.random

    def below(self, n: int) -> int:
        return int(self.random() * n)

    def between(self, low: int, high: int) -> int:
        """low <= x < high (low when the range is empty)."""
        return low + int(self.random() * max(0, high - low))

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def distinct(self, seq: Sequence[T], k: int) -> list[T]:
        """k different items (k is small), in draw order."""
        picked: list[T] = []
        while len(picked) < min(k, len(seq)):
            item = seq[int(self.random() * len(seq))]
            if item not in picked:
                picked.append(item)
        return picked
