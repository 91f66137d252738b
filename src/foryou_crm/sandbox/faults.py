"""Faults injected into the next N requests of an endpoint (control API `/_sandbox/faults`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FAULT_KINDS = ("500", "timeout", "latency", "rotate_then_drop")
ENDPOINTS = (
    "token",
    "account",
    "leads",
    "lead",
    "pipelines",
    "users",
    "contacts",
    "tags",
    "webhooks",
    "user",
    "consent",
    "other",
)


@dataclass
class Fault:
    endpoint: str
    kind: str
    remaining: int
    seconds: float
    ms: float
    account: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "kind": self.kind,
            "remaining": self.remaining,
            "seconds": self.seconds,
            "ms": self.ms,
            "account": self.account,
        }


class FaultPlan:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(
        self,
        endpoint: str,
        kind: str,
        *,
        count: int = 1,
        seconds: float,
        ms: float = 0.0,
        account: str | None = None,
    ) -> Fault:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}; one of {', '.join(ENDPOINTS)}")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
        if kind == "rotate_then_drop" and endpoint != "token":
            raise ValueError("rotate_then_drop applies to the token endpoint only")
        if count < 1:
            raise ValueError("count must be >= 1")
        fault = Fault(endpoint, kind, count, seconds, ms, account)
        self.faults.append(fault)
        return fault

    def take(self, endpoint: str, host: str) -> Fault | None:
        """Consume one shot of the first fault that matches this request."""
        for fault in self.faults:
            if fault.endpoint == endpoint and fault.account in (None, host):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self.faults.clear()
