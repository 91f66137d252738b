"""Reading pages with several requests in flight (``leads.sync.pacing.read_pages``): what is
written when a fetch fails or a stop is asked for."""

from __future__ import annotations

import asyncio

import pytest

from foryou_crm.leads.sync.pacing import read_pages


async def test_a_failed_fetch_lets_the_page_being_written_finish() -> None:
    """A page's write is one transaction: cut short, it would leave its connection (and on
    SQLite the write lock) to the pool's cleanup. The other fetches stop at once."""
    writing = asyncio.Event()
    written: list[int] = []
    fetched: list[int] = []

    async def fetch(page: int) -> tuple[list[int], bool]:
        fetched.append(page)
        if page == 1:
            return [1], True
        await writing.wait()
        if page == 2:
            raise RuntimeError("amoCRM answered 500")
        await asyncio.sleep(10)  # still in flight when page 2 fails
        return [page], True

    async def write(page: int, items: list[int]) -> None:
        writing.set()
        await asyncio.sleep(0.05)
        written.append(page)

    with pytest.raises(RuntimeError, match="500"):
        async with asyncio.timeout(5):
            await read_pages(fetch, write, first=1, in_flight=3)
    assert written == [1]
    assert sorted(fetched) == [1, 2, 3, 4]  # nothing asked for after the failure


async def test_a_stop_writes_what_was_read_and_asks_for_nothing_more() -> None:
    stop = False
    written: list[int] = []

    async def fetch(page: int) -> tuple[list[int], bool]:
        nonlocal stop
        await asyncio.sleep(0.01)
        stop = stop or page == 3
        return [page], True

    async def write(page: int, items: list[int]) -> None:
        written.append(page)

    read = await read_pages(fetch, write, first=1, in_flight=2, should_stop=lambda: stop)
    assert not read.ended
    assert sorted(written) == list(range(1, read.last_with_rows + 1))
    assert read.last_with_rows <= 4
