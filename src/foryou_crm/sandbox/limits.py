"""Per-account rate limit (sliding one-second window) and the block after repeated abuse.

amoCRM documents "не более 7 запросов в секунду" and, on repeated violations, a block
where every request answers 403. Whether the real scope is per IP, integration or account
is UNCONFIRMED; the sandbox limits per account host, which is what one client can observe.

Violations decay: neither amoCRM nor Kommo documents how "неоднократное превышение" is
counted, so the sandbox takes fail2ban's documented model for repeated offences (jail.conf:
"A host is banned if it has generated `maxretry` during the last `findtime` seconds"):
only the 429s of the last `violation_window` seconds count towards the block. A client that
bursts now and then never collects `block_after` of them; one that keeps hammering does.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class _AccountWindow:
    hits: deque[float] = field(default_factory=deque)
    violations: deque[float] = field(default_factory=deque)  # times of recent 429s
    blocked_until: float | None = None


class Verdict:
    OK = "ok"
    LIMITED = "limited"  # 429
    BLOCKED = "blocked"  # 403


class RateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, _AccountWindow] = {}

    def check(
        self,
        host: str,
        now: float,
        *,
        rps: float,
        block_after: int,
        block_seconds: float,
        violation_window: float,
    ) -> str:
        w = self._windows.setdefault(host, _AccountWindow())
        if w.blocked_until is not None:
            if now < w.blocked_until:
                return Verdict.BLOCKED
            w.blocked_until = None
            w.violations.clear()
        while w.hits and w.hits[0] <= now - 1.0:
            w.hits.popleft()
        while w.violations and w.violations[0] <= now - violation_window:
            w.violations.popleft()
        if len(w.hits) >= rps:
            # Refused requests do not enter the window: a client that backs off for
            # retry_after seconds gets through again.
            w.violations.append(now)
            if len(w.violations) >= block_after:
                w.blocked_until = now + block_seconds
                return Verdict.BLOCKED
            return Verdict.LIMITED
        w.hits.append(now)
        return Verdict.OK

    def state(self, host: str) -> dict[str, float | int | None]:
        w = self._windows.get(host, _AccountWindow())
        return {"violations": len(w.violations), "blockedUntil": w.blocked_until}

    def unblock(self, host: str) -> None:
        self._windows.pop(host, None)

    def clear(self) -> None:
        self._windows.clear()
