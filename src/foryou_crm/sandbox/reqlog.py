"""The request log the tests read to prove what was (and was not) sent where."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass
from typing import Any


@dataclass
class LogEntry:
    method: str
    host: str
    path: str
    endpoint: str
    at: float
    query: str = ""
    status: int | None = None  # None while in flight; 499 if the client went away

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "host": self.host,
            "path": self.path,
            "query": self.query,
            "endpoint": self.endpoint,
            "status": self.status,
            "at": self.at,
        }


class RequestLog:
    def __init__(self, limit: int) -> None:
        self.entries: deque[LogEntry] = deque(maxlen=limit)
        self.total = 0
        self.by_endpoint: Counter[str] = Counter()
        self.by_account: Counter[str] = Counter()

    def record(self, entry: LogEntry) -> LogEntry:
        self.entries.append(entry)
        self.total += 1
        self.by_endpoint[entry.endpoint] += 1
        self.by_account[entry.host] += 1
        return entry

    def clear(self) -> None:
        self.entries.clear()
        self.total = 0
        self.by_endpoint.clear()
        self.by_account.clear()

    def count(self, *, endpoint: str | None = None, host: str | None = None) -> int:
        return sum(
            1
            for e in self.entries
            if (endpoint is None or e.endpoint == endpoint) and (host is None or e.host == host)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "byEndpoint": dict(self.by_endpoint),
            "byAccount": dict(self.by_account),
            "entries": [e.as_json() for e in self.entries],
        }
