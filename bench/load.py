"""Latency one request at a time, and requests/second at a fixed concurrency.

The load comes from a minimal HTTP/1.1 keep-alive client on asyncio streams: a general-purpose
client (httpx) spends more CPU per request than the server under test, and on two cores it
would measure itself."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


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


class Connection:
    """One keep-alive connection sending the same GET again and again."""

    def __init__(self, base: str, target: str, headers: dict[str, str]) -> None:
        parts = urlsplit(base)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        lines = [f"GET {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(self.request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.readexactly(length)
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def one_at_a_time(
    base: str, target: str, headers: dict[str, str], n: int, warmup: int = 10
) -> Latency:
    conn = Connection(base, target, headers)
    samples: list[float] = []
    try:
        for i in range(warmup + n):
            t0 = time.perf_counter()
            status = await conn.get()
            elapsed = time.perf_counter() - t0
            if status != 200:
                raise RuntimeError(f"{target} answered {status}")
            if i >= warmup:
                samples.append(elapsed)
    finally:
        await conn.close()
    return summarize(samples)


async def throughput(
    base: str, target: str, headers: dict[str, str], concurrency: int, seconds: float
) -> float:
    """Completed requests per second with ``concurrency`` requests always in flight."""
    conns = [Connection(base, target, headers) for _ in range(concurrency)]
    done = 0
    try:
        await asyncio.gather(*(c.get() for c in conns))  # open the connections
        deadline = time.perf_counter() + seconds

        async def worker(conn: Connection) -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                if await conn.get() != 200:
                    raise RuntimeError(f"{target} failed during the throughput run")
                done += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in conns))
        elapsed = time.perf_counter() - t0
    finally:
        await asyncio.gather(*(c.close() for c in conns))
    return done / elapsed
