"""A module with its own ``__future__`` import, async functions and informal examples."""

from __future__ import annotations

import asyncio


def annotated(x: int) -> int:
    """Annotations are strings here (the module's own future import), and only here.

    >>> annotated.__annotations__
    {'x': 'int', 'return': 'int'}
    >>> annotated(2)
    2
    annotated(3) == 3
    """
    return x


async def doubled(x: int) -> int:
    """
    >>> asyncio.run(doubled(2))
    4
    >>> doubled(2)  # doctest: +ELLIPSIS
    <coroutine object doubled at 0x...>
    >>> doubled(3)
    6
    """
    await asyncio.sleep(0)
    return x * 2


def table() -> None:
    """
    >>> table()
    a   b
    1   2
    >>> table()  # doctest: +NORMALIZE_WHITESPACE
    a b
    1 2
    >>> table()
    a b
    1 2
    """
    print("a   b\n1   2")
