"""commands.side_by_side: independent reads of a view, run side by side."""

from __future__ import annotations

import asyncio

import pytest

from commands.side_by_side import side_by_side
from tracker.errors import UserError


def test_results_come_in_argument_order_and_the_reads_overlap() -> None:
    async def run() -> tuple[str, str]:
        ready = asyncio.Event()

        async def waits() -> str:  # read in turn, it would wait for the second forever
            await asyncio.wait_for(ready.wait(), timeout=5)
            return "first"

        async def lets_go() -> str:
            ready.set()
            return "second"

        return await side_by_side(waits(), lets_go())

    assert asyncio.run(run()) == ("first", "second")


def test_the_first_failure_in_argument_order_is_raised_after_every_read_ends() -> None:
    finished: list[str] = []

    async def fails(key: str, delay: float) -> None:
        await asyncio.sleep(delay)
        finished.append(key)
        raise UserError(key)

    async def read() -> str:
        await asyncio.sleep(0.03)
        finished.append("read")
        return "ok"

    async def three() -> None:
        await side_by_side(fails("error.first", 0.02), fails("error.second", 0.0), read())

    with pytest.raises(UserError) as raised:
        asyncio.run(three())
    assert raised.value.key == "error.first"
    assert sorted(finished) == ["error.first", "error.second", "read"]
