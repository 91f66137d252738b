"""Faults injected into the next N requests of an endpoint (control API `/_sandbox/faults`).

A fault names either an endpoint (the gate's classification of the path: "leads",
"notes", "subdomain"…) or a path pattern (`fnmatch` over the path on the account host,
e.g. "/api/v4/leads/*/notes"), optionally one account host.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

FAULT_KINDS = ("500", "timeout", "latency", "rotate_then_drop")
ENDPOINTS = (
    "token",
    "subdomain",
    "account",
    "leads",
    "lead",
    "complex",
    "pipelines",
    "users",
    "contacts",
    "companies",
    "custom_fields",
    "notes",
    "tasks",
    "events",
    "links",
    "tags",
    "webhooks",
    "user",
    "consent",
    "other",
)


@dataclass
class Fault:
    endpoint: str | None
    kind: str
    remaining: int
    seconds: float
    ms: float
    account: str | None = None
    path: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "path": self.path,
            "kind": self.kind,
            "remaining": self.remaining,
            "seconds": self.seconds,
            "ms": self.ms,
            "account": self.account,
        }

    def matches(self, endpoint: str, host: str, path: str) -> bool:
        if self.account not in (None, host):
            return False
        if self.path is not None:
            return fnmatchcase(path.rstrip("/") or "/", self.path)
        return self.endpoint == endpoint


class FaultPlan:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(
        self,
        endpoint: str | None,
        kind: str,
        *,
        count: int = 1,
        seconds: float,
        ms: float = 0.0,
        account: str | None = None,
        path: str | None = None,
    ) -> Fault:
        if (endpoint is None) == (path is None):
            raise ValueError("give either an endpoint or a path pattern")
        if endpoint is not None and endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {', '.join(ENDPOINTS)}")
        if path is not None and not path.startswith("/"):
            raise ValueError("a path pattern starts with '/', e.g. /api/v4/leads/*/notes")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
        if kind == "rotate_then_drop" and endpoint != "token":
            raise ValueError("rotate_then_drop applies to the token endpoint only")
        if count < 1:
            raise ValueError("count must be >= 1")
        fault = Fault(endpoint, kind, count, seconds, ms, account, path)
        self.faults.append(fault)
        return fault

    def take(self, endpoint: str, host: str, path: str = "") -> Fault | None:
        """Consume one shot of the first fault that matches this request."""
        for fault in self.faults:
            if fault.matches(endpoint, host, path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
