"""The request budget per amoCRM account: at most N requests per second across every connection
of that account, in this process, or across processes through Redis when configured.

amoCRM blocks the whole API (403 on every call) after repeated 429s, so we stay under the limit
ourselves rather than relying on 429s. Three choices make that hold in practice:

- **Even spacing, no bursts.** Requests leave one every ``(1 + margin) / rps`` seconds. A
  sliding window that lets seven go at once and then waits would also be "7 per second" at the
  sender, but seven simultaneous arrivals queue at the server, and how far apart it stamps them
  depends on its load; the next burst's stamps then fall into the same second.
- **A window over actual departures.** A request whose turn came while the event loop was
  busy (parsing a page, writing one) leaves late. Any ``n + 1`` departures in a row (``n`` =
  the whole requests per second) still span at least ``n`` intervals, counted from when they
  really left; within that rule the requests after a late one catch up on the schedule, never
  closer than half an interval apart. Spacing each request a full interval from the previous
  departure would also keep the window, but every late departure would then cost the whole
  sync its lateness for good, and a busy worker is late often.
- **A margin.** amoCRM counts a request when it *arrives*, and the way there has jitter too: 4 %
  by default, i.e. 6.73 requests/s for amoCRM's 7, or 40 ms in hand across any eight requests.
  Measured against the sandbox (which stamps arrivals as amoCRM counts them): across 4,478
  arrivals of two first syncs, eight in a row arrived at most 11 ms closer together than
  they left — a margin under 2 % would have drawn a 429. 5 % until 2026-12-02; 4 % keeps
  3.6 times the worst lateness seen.
- **Slower after a 429.** Each 429 for an account stretches its interval by 10 % (up to 1.5×);
  every request that leaves takes 0.2 % of the stretch back. amoCRM blocks an account after
  repeated 429s, so the jitter that caused one must not cause the next.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio import Redis

DEFAULT_MARGIN = 0.04
CATCH_UP_GAP = 0.5  # after a late departure, the next ones may leave this many intervals apart
CATCH_UP_MAX = 2.0  # … back onto the plan, if it was at most this many late (else a new plan)
SLOWDOWN_STEP = 0.1  # interval × (1 + step) per 429 …
SLOWDOWN_MAX = 1.5  # … up to this factor …
SLOWDOWN_DECAY = 0.002  # … and back by this much per departure
# A Redis grant that took longer than this to reach its task (a round trip is ~0.2 ms) is
# recorded again when the request really leaves: 5 ms is an eighth of what the margin keeps
# in hand across eight requests.
LATE_GRANT_SECONDS = 0.005
# "v3": the schedule and the recent departures; "v2" kept only the last departure and the
# first version a sorted set under "foryou:amo-rate:". Workers of two versions must not meet
# on one key during a rolling deploy.
KEY_PREFIX = "foryou:amo-rate:v3:"


class RateBudget(Protocol):
    async def acquire(self, account: str) -> None:
        """Wait until a request to ``account`` may leave."""

    async def rate_limited(self, account: str) -> None:
        """amoCRM answered 429: stretch this account's spacing."""


def spacing_seconds(rps: float, margin: float) -> float:
    if rps <= 0:
        raise ValueError("rps must be positive")
    return (1.0 + max(0.0, margin)) / rps


def window_requests(rps: float) -> int:
    """How many departures the window rule looks back over: the whole requests per second."""
    return max(1, int(rps))


@dataclass
class _Schedule:
    due: float | None = None  # the planned time of the next departure
    recent: deque[float] = field(default_factory=deque)  # the last departures, oldest first
    slow: float = 1.0


class MemoryRateBudget:
    """The departures of each account, shared by every task in this process; waiters go in
    arrival order."""

    def __init__(self, rps: float, margin: float = DEFAULT_MARGIN) -> None:
        self.interval = spacing_seconds(rps, margin)
        self.window = window_requests(rps)
        self._schedules: dict[str, _Schedule] = defaultdict(_Schedule)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def slowdown(self, account: str) -> float:
        schedule = self._schedules.get(account)
        return schedule.slow if schedule is not None else 1.0

    def _ready_at(self, schedule: _Schedule) -> float:
        interval = self.interval * schedule.slow
        ready = schedule.due or 0.0
        if schedule.recent:
            ready = max(ready, schedule.recent[-1] + CATCH_UP_GAP * interval)
        if len(schedule.recent) == self.window:
            ready = max(ready, schedule.recent[0] + self.window * interval)
        return ready

    async def acquire(self, account: str) -> None:
        async with self._locks[account]:
            schedule = self._schedules[account]
            # A 429 seen meanwhile stretches the schedule while we sleep, so look again.
            while (wait := self._ready_at(schedule) - time.monotonic()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
            now = time.monotonic()
            interval = self.interval * schedule.slow
            # A departure up to two intervals late is made up by the next ones; after a longer
            # pause (a phase's database work, no requests asked for) the plan starts afresh.
            due = schedule.due
            if due is None or now - due > CATCH_UP_MAX * interval:
                due = now
            schedule.due = due + interval
            schedule.recent.append(now)
            if len(schedule.recent) > self.window:
                schedule.recent.popleft()
            schedule.slow = max(1.0, schedule.slow - SLOWDOWN_DECAY)

    async def rate_limited(self, account: str) -> None:
        schedule = self._schedules[account]
        schedule.slow = min(SLOWDOWN_MAX, schedule.slow + SLOWDOWN_STEP)
        if schedule.recent:
            # No catching up after a 429: the next request waits a whole (longer) interval.
            stretched = schedule.recent[-1] + self.interval * schedule.slow
            schedule.due = max(schedule.due or 0.0, stretched)


class RedisRateBudget:
    """The same schedule kept in Redis, so all workers on all hosts share one per account. A
    script reads Redis's own clock (one clock for every host) and either records the departure
    or answers how long to wait, in microseconds. Within a process one task at a time asks, so
    waiters do not all poll Redis. A grant that reaches its task late is recorded again as it
    leaves (what the in-process budget does by stamping the moment the task resumes). Needs
    Redis 5+ (a script may write after ``TIME`` since scripts replicate their effects)."""

    # KEYS: the planned next departure (µs), recent departures (µs, newest first), slowdown.
    # ARGV: interval (µs), catch-up gap and most lateness made up (intervals), window
    # (departures), decay.
    _ACQUIRE = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local slow = tonumber(redis.call('GET', KEYS[3]) or '1')
    local interval = tonumber(ARGV[1]) * slow
    local window = tonumber(ARGV[4])
    local due = tonumber(redis.call('GET', KEYS[1]) or now)
    local recent = redis.call('LRANGE', KEYS[2], 0, window - 1)
    local ready = due
    if #recent > 0 then
      ready = math.max(ready, tonumber(recent[1]) + tonumber(ARGV[2]) * interval)
    end
    if #recent >= window then
      ready = math.max(ready, tonumber(recent[window]) + window * interval)
    end
    if ready > now then
      return {math.ceil(ready - now), 0}
    end
    local keep = math.ceil(window * interval / 1000) + 1000
    if now - due > tonumber(ARGV[3]) * interval then
      due = now
    end
    due = due + interval
    redis.call('SET', KEYS[1], string.format('%d', due), 'PX', keep)
    redis.call('LPUSH', KEYS[2], string.format('%d', now))
    redis.call('LTRIM', KEYS[2], 0, window - 1)
    redis.call('PEXPIRE', KEYS[2], keep)
    if slow > 1 then
      redis.call('SET', KEYS[3], tostring(math.max(1, slow - tonumber(ARGV[5]))), 'EX', 600)
    end
    return {0, now}
    """
    # KEYS: recent departures. ARGV: a departure as granted (µs). It is moved to now, where
    # the list's order (newest first) puts it.
    _RESTAMP = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local recent = redis.call('LRANGE', KEYS[1], 0, -1)
    local found = false
    for i, stamp in ipairs(recent) do
      if stamp == ARGV[1] then
        recent[i] = string.format('%d', now)
        found = true
        break
      end
    end
    if not found then
      return 0
    end
    table.sort(recent, function(a, b) return tonumber(a) > tonumber(b) end)
    local keep = redis.call('PTTL', KEYS[1])
    redis.call('DEL', KEYS[1])
    redis.call('RPUSH', KEYS[1], unpack(recent))
    redis.call('PEXPIRE', KEYS[1], math.max(keep, 1000))
    return 1
    """
    # KEYS: as above. ARGV: interval (µs), step, cap. No catching up after a 429: the next
    # request waits a whole (longer) interval after the last one.
    _RATE_LIMITED = """
    local slow = tonumber(redis.call('GET', KEYS[3]) or '1')
    local raised = math.min(tonumber(ARGV[3]), slow + tonumber(ARGV[2]))
    redis.call('SET', KEYS[3], tostring(raised), 'EX', 600)
    local last = redis.call('LINDEX', KEYS[2], 0)
    if last then
      local stretched = tonumber(last) + tonumber(ARGV[1]) * raised
      local due = tonumber(redis.call('GET', KEYS[1]) or '0')
      if stretched > due then
        local keep = redis.call('PTTL', KEYS[2])
        redis.call('SET', KEYS[1], string.format('%d', stretched), 'PX', math.max(keep, 1000))
      end
    end
    return 0
    """

    def __init__(self, redis: Redis, rps: float, margin: float = DEFAULT_MARGIN) -> None:
        self.redis = redis
        self.interval_us = int(spacing_seconds(rps, margin) * 1_000_000)
        self.window = window_requests(rps)
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @staticmethod
    def _keys(account: str) -> tuple[str, str, str]:
        prefix = f"{KEY_PREFIX}{account}"
        return f"{prefix}:due", f"{prefix}:recent", f"{prefix}:slow"

    async def acquire(self, account: str) -> None:
        keys = self._keys(account)
        async with self._locks[account]:
            while True:
                asked = time.monotonic()
                wait_us, granted = await self.redis.eval(
                    self._ACQUIRE,
                    3,
                    *keys,
                    self.interval_us,
                    CATCH_UP_GAP,
                    CATCH_UP_MAX,
                    self.window,
                    SLOWDOWN_DECAY,
                )
                if int(wait_us) <= 0:
                    break
                await asyncio.sleep(int(wait_us) / 1_000_000)
            if time.monotonic() - asked > LATE_GRANT_SECONDS:
                # The grant came back late — this process's loop was busy (a page parsed, a
                # batch written) — so the request leaves now, not when Redis granted it.
                # Recorded as granted, the next departures would be planned from a moment
                # before it really left, and amoCRM counts arrivals.
                await self.redis.eval(self._RESTAMP, 1, keys[1], int(granted))

    async def rate_limited(self, account: str) -> None:
        await self.redis.eval(
            self._RATE_LIMITED,
            3,
            *self._keys(account),
            self.interval_us,
            SLOWDOWN_STEP,
            SLOWDOWN_MAX,
        )

    async def slowdown(self, account: str) -> float:
        return float(await self.redis.get(self._keys(account)[2]) or 1.0)
