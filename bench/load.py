"""Latency summaries (p50/p95/p99) of the naive pass-through's samples. The API table's load
comes from ``wrk`` (``bench.api``): a Python client spends more CPU per request than the
server under test, and on two cores it would measure itself."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass
class Latency:
    n: int
    p50_ms: float
    p95_ms: float
    p99_ms: float


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summarize(samples: list[float]) -> Latency:
    ms = [s * 1000 for s in samples]
    return Latency(len(ms), statistics.median(ms), percentile(ms, 0.95), percentile(ms, 0.99))
