"""Latency one request at a time, and requests/second at a fixed concurrency."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

Call = Callable[[httpx.AsyncClient], Awaitable[httpx.Response]]


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


async def one_at_a_time(base: str, call: Call, n: int, warmup: int = 10) -> Latency:
    samples: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        for i in range(warmup + n):
            t0 = time.perf_counter()
            r = await call(http)
            elapsed = time.perf_counter() - t0
            r.raise_for_status()
            if i >= warmup:
                samples.append(elapsed)
    return summarize(samples)


async def throughput(base: str, call: Call, concurrency: int, seconds: float) -> float:
    """Completed requests per second with ``concurrency`` requests always in flight."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    done = 0
    errors = 0
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        await asyncio.gather(*(call(http) for _ in range(concurrency)))  # open the connections
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done, errors
            while time.perf_counter() < deadline:
                r = await call(http)
                if r.is_success:
                    done += 1
                else:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    if errors:
        raise RuntimeError(f"{errors} requests failed during the throughput run")
    return done / elapsed
