"""Reads of one view that do not depend on each other, run side by side.

On PostgreSQL each read takes its own pooled connection, so a view waits for its slowest
read rather than for all of them in turn (a national `/donvi` read its board, then its
participants). SQLite's single reader thread still runs them one after another.

Unlike a bare `asyncio.gather`, every read is finished before the view goes on (none is
left running behind a failed one), and the first failure in argument order is raised as
itself: a `UserError` still reaches the user as it would from reads made in turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar, overload

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
D = TypeVar("D")


@overload
async def side_by_side(first: Awaitable[A], second: Awaitable[B], /) -> tuple[A, B]: ...


@overload
async def side_by_side(
    first: Awaitable[A], second: Awaitable[B], third: Awaitable[C], /
) -> tuple[A, B, C]: ...


@overload
async def side_by_side(
    first: Awaitable[A], second: Awaitable[B], third: Awaitable[C], fourth: Awaitable[D], /
) -> tuple[A, B, C, D]: ...


@overload
async def side_by_side(*reads: Awaitable[A]) -> tuple[A, ...]: ...


async def side_by_side(*reads: Awaitable[Any]) -> tuple[Any, ...]:
    results = await asyncio.gather(*reads, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return tuple(results)
