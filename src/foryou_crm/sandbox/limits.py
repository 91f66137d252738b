"""Per-account rate limit (sliding one-second window) and the block after repeated abuse.

amoCRM documents "не более 7 запросов в секунду" and, on repeated violations, a block
where every request answers 403. Whether the real scope is per IP, integration or account
is UNCONFIRMED; the sandbox limits per account host, which is what one client can observe.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class _AccountWindow:
    hits: deque[float] = field(default_factory=deque)
    violations: int = 0
    blocked_until: float | None = None


class Verdict:
    OK = "ok"
    LIMITED = "limited"  # 429
    BLOCKED = "blocked"  # 403


class RateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, _AccountWindow] = {}

    def check(
        self, host: str, now: float, *, rps: float, block_after: int, block_seconds: float
    ) -> str:
        w = self._windows.setdefault(host, _AccountWindow())
        if w.blocked_until is not None:
            if now < w.blocked_until:
                return Verdict.BLOCKED
            w.blocked_until = None
            w.violations = 0
        while w.hits and w.hits[0] <= now - 1.0:
            w.hits.popleft()
        if len(w.hits) >= rps:
            # Refused requests do not enter the window: a client that backs off for
            # retry_after seconds gets through again.
            w.violations += 1
            if w.violations >= block_after:
                w.blocked_until = now + block_seconds
                return Verdict.BLOCKED
            return Verdict.LIMITED
        w.hits.append(now)
        return Verdict.OK

    def state(self, host: str) -> dict[str, float | int | None]:
        w = self._windows.get(host, _AccountWindow())
        return {"violations": w.violations, "blockedUntil": w.blocked_until}

    def unblock(self, host: str) -> None:
        self._windows.pop(host, None)

    def clear(self) -> None:
        self._windows.clear()
