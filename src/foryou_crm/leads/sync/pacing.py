"""Calling amoCRM from a sync job: retries that respect amoCRM's limits, and reading many pages
with several requests in flight.

The rate budget inside ``AmoCRMTransport`` spaces every caller's requests evenly, a little under
amoCRM's 7/s per account (``amocrm/ratelimit.py``); keeping several page requests outstanding
lets that budget, not our round trips and database writes, set the pace. A 429 slows the whole
job down together (one shared pause), and a 403 — no rights, or amoCRM blocking the API after
repeated 429s — stops it at once: hammering a block only makes it last longer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import structlog

from foryou_crm.amocrm.client import AmoCRMClient
from foryou_crm.amocrm.errors import AmoCRMRateLimited, AmoCRMUnavailable
from foryou_crm.amocrm.tokens import TokenManager
from foryou_crm.connections.models import ConnectionRef
from foryou_crm.leads.sync.phases import Stopped

log = structlog.get_logger("foryou_crm.leads.sync")
T = TypeVar("T")

MAX_RATE_LIMITED_ROUNDS = 10
MAX_UNAVAILABLE = 4
MAX_PAUSE = 120.0


def never() -> bool:
    return False


class Pacer:
    def __init__(
        self, tokens: TokenManager, ref: ConnectionRef, should_stop: Callable[[], bool] = never
    ) -> None:
        self.tokens = tokens
        self.ref = ref
        # Asked between retries: a worker shutting down does not wait out amoCRM's trouble.
        self.should_stop = should_stop
        self.requests = 0
        self.rate_limited = 0
        self._pause_until = 0.0
        self._epoch = 0  # bumped each time the pause grows
        self._streak = 0  # consecutive pause rounds that still ended in a 429

    async def _wait(self) -> None:
        # The pause may grow while we sleep (another request hit a 429), so re-check.
        loop = asyncio.get_running_loop()
        while (delay := self._pause_until - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)

    async def call(self, fn: Callable[[AmoCRMClient], Awaitable[T]]) -> T:
        unavailable = 0
        while True:
            await self._wait()
            epoch = self._epoch
            self.requests += 1
            try:
                result = await self.tokens.call(self.ref, fn)
            except AmoCRMRateLimited as exc:
                self.rate_limited += 1
                self._on_429(exc, epoch)
                if self.should_stop():
                    raise Stopped() from None
                continue
            except AmoCRMUnavailable:
                unavailable += 1
                if unavailable > MAX_UNAVAILABLE:
                    raise
                await asyncio.sleep(min(8.0, 0.25 * 2**unavailable))
                if self.should_stop():
                    raise Stopped() from None
                continue
            self._streak = 0
            return result

    def _on_429(self, exc: AmoCRMRateLimited, epoch: int) -> None:
        # Requests already in flight when the pause was set answer 429 too; only a 429 to a
        # request sent after the latest pause means "still too fast" and doubles the pause.
        if epoch != self._epoch:
            return
        self._streak += 1
        if self._streak > MAX_RATE_LIMITED_ROUNDS:
            raise exc
        delay = min(MAX_PAUSE, max(exc.retry_after, 0.05) * 2 ** (self._streak - 1))
        self._epoch += 1
        self._pause_until = asyncio.get_running_loop().time() + delay
        log.warning(
            "leads_sync_rate_limited",
            connection_id=self.ref.id,
            retry_after=exc.retry_after,
            pause_seconds=round(delay, 3),
            streak=self._streak,
        )


Item = TypeVar("Item")
# A page's items and whether another page follows; a page's items, stored.
PageFetch = Callable[[int], Awaitable[tuple[list[Item], bool]]]
PageWrite = Callable[[int, list[Item]], Awaitable[None]]


@dataclass(frozen=True)
class PagesRead:
    last_with_rows: int  # the last page that had rows (``first - 1`` when none)
    ended: bool  # a page said nothing follows (else ``until`` or a stop ended the read)


async def read_pages(
    fetch: PageFetch[Item],
    write: PageWrite[Item],
    *,
    first: int,
    in_flight: int,
    until: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> PagesRead:
    """Read pages ``first, first+1, …`` until one is empty or has no next (or ``until`` was
    read, or ``should_stop()`` says so: requests in flight are then still answered and
    written), keeping up to ``in_flight`` requests outstanding; one writer stores pages as they
    arrive, not necessarily in order (so the database sees one writer)."""
    end: int | None = None
    last_with_rows = first - 1
    next_page = first
    queue: asyncio.Queue[tuple[int, list[Item]] | None] = asyncio.Queue(in_flight * 2)

    def more() -> bool:
        if should_stop is not None and should_stop():
            return False
        limit = until if end is None else end if until is None else min(end, until)
        return limit is None or next_page <= limit

    async def fetcher() -> None:
        nonlocal next_page, end, last_with_rows
        while more():
            page = next_page
            next_page += 1
            items, has_next = await fetch(page)
            if not items:
                end = page - 1 if end is None else min(end, page - 1)
                continue
            if not has_next:
                end = page if end is None else min(end, page)
            last_with_rows = max(last_with_rows, page)
            await queue.put((page, items))

    writing = abandoned = False

    async def writer() -> None:
        nonlocal writing
        while (item := await queue.get()) is not None and not abandoned:
            writing = True
            try:
                await write(*item)
            finally:
                writing = False

    writer_task = asyncio.create_task(writer())
    fetchers = [asyncio.create_task(fetcher()) for _ in range(max(1, in_flight))]
    fetching: asyncio.Future[list[None]] = asyncio.gather(*fetchers)
    try:
        # A failed writer must stop the fetchers too (they may be waiting on a full queue).
        both: list[asyncio.Future[Any]] = [fetching, writer_task]
        await asyncio.wait(both, return_when=asyncio.FIRST_COMPLETED)
        if writer_task.done():
            writer_task.result()
        await fetching
        await queue.put(None)
        await writer_task
    except BaseException:
        # A fetch failed (a stop asked for mid-batch, amoCRM's error) or we were cancelled:
        # the fetchers go at once, but a page being written is finished first. Cut short, its
        # transaction would be left to the pool's cleanup, and on SQLite the write lock with
        # it (the next job then waits out the busy timeout).
        abandoned = True
        for task in fetchers:
            task.cancel()
        if not writing:
            writer_task.cancel()
        with contextlib.suppress(asyncio.QueueFull):
            queue.put_nowait(None)  # a writer between two pages sees ``abandoned`` and ends
        waits: list[asyncio.Future[Any]] = [fetching, writer_task]
        for waited in waits:
            # Only waiting for the cancelled helpers to end; the error that stopped the read
            # is re-raised below.
            with contextlib.suppress(BaseException):
                await waited
        raise
    return PagesRead(last_with_rows, end is not None and end <= last_with_rows)
