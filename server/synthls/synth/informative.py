"""Which generated inputs make questions worth asking: not degenerate, about the examples' size.

An answer on a degenerate input (an empty or one-element list or string, 0, 1 or -1) confirms
little, since most programs agree there; a call about as long as the examples' is one the user
can answer (it is the size they wrote). ``synthls.synth.ambiguity`` ranks its questions with these.
"""

from __future__ import annotations

import ast
from collections.abc import Collection


def compact(call: str) -> str:
    """The call without spaces (``f(1, 2)`` and ``f(1,2)`` are one question)."""
    return "".join(call.split())


def typical(calls: Collection[str]) -> int:
    """The median compact length of ``calls`` (0 when there are none)."""
    sizes = sorted(len(compact(c)) for c in calls)
    return sizes[len(sizes) // 2] if sizes else 0


def size_rank(call: str, usual: int) -> tuple[int, int]:
    """Ranks calls closest to the ``usual`` length first, then shorter ones."""
    size = len(compact(call))
    return abs(size - usual), size


def degenerate(call: str) -> int:
    """How many of the call's literal arguments are degenerate: empty or one-element
    containers and strings, and the numbers 0, 1 and -1 (booleans are not counted)."""
    try:
        node = ast.parse(call.strip(), mode="eval").body
    except SyntaxError:
        return 0
    if not isinstance(node, ast.Call):
        return 0
    count = 0
    for arg in [*node.args, *(k.value for k in node.keywords)]:
        try:
            value = ast.literal_eval(arg)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            continue
        count += _small(value)
    return count


def _small(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return abs(value) <= 1
    return isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) and len(value) <= 1
