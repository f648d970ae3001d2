"""Calls that rearrange two of an example's values: what examples of one order and of unequal
values never show.

- ``swaps``: two values exchanged (``f(5, 4, 3)`` from ``f(3, 4, 5)``): does the order matter?
  (``synthls.synth.checks.edge_cases`` asks where a body says it does.)
- ``ties``: one of two values made to tie with the other (``f(['hi', 'admin'], ['admin', 'hi'])``):
  which one wins a tie? (A one-token change, ``<`` for ``<=``, differs there:
  ``synthls.synth.checks.one_token``.)

Both are literal rewrites of the examples' calls, deterministic, without duplicates and never an
example's own call. They are made from the calls ``synthls.synth.inputs.example_calls`` reads
(the first examples, none too long), and at most ``MAX_TRIES`` rewrites are looked at: the work
is bounded however many examples or parameters the docstring has.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from synthls.intent.model import Spec
from synthls.synth.inputs import MAX_TRIES, Renderer, callee_of, example_calls, same

MAX_SWAPS = 8  # calls with an example's values swapped (``swaps``)
MAX_TIES = 8  # calls where two of an example's values tie (``ties``)


def swaps(spec: Spec, limit: int = MAX_SWAPS) -> list[tuple[str, int]]:
    """An example's call with two of its values swapped, and the example's index: two positional
    arguments of the same type (``f(5, 4, 3)`` from ``f(3, 4, 5)``), or the two items of a
    pair (``f([')', '()('])`` from ``f(['()(', ')'])``). Whether the order matters is what such
    an example never shows; at most ``limit``."""
    return list(itertools.islice(rewrites(spec, _swapped), limit))


def ties(spec: Spec, limit: int = MAX_TIES) -> list[str]:
    """An example's call with one of two positional arguments of the same type made to tie
    with the other: a sequence replaced by the other one reversed (the same length, the same
    items, so the same total: ``f(['hi', 'admin'], ['admin', 'hi'])`` from ``f(['hi',
    'admin'], ['hI', 'Hi'])``), a number by the other number. Which one wins a tie (``<`` or
    ``<=``) is what examples of unequal values never show, and random values rarely tie; at
    most ``limit``."""
    return [call for call, _ in itertools.islice(rewrites(spec, _tied), limit)]


def rewrites(
    spec: Spec, rewrite: Callable[[list[Any]], Iterator[list[Any]]]
) -> Iterator[tuple[str, int]]:
    """Each example's positional arguments rewritten by ``rewrite``, as call sources with the
    example's index: no duplicates, never an example's own call, none too long; at most
    ``MAX_TRIES`` rewrites are looked at."""
    fitting = Renderer(callee_of(spec))
    calls = example_calls(spec)
    seen = {fitting(*c) for _, c in calls}  # None: too long to be rewritten
    seen.update(ex.source.strip() for ex in spec.examples)
    tried = ((i, new, kwargs) for i, (args, kwargs) in calls for new in rewrite(args))
    for i, new, kwargs in itertools.islice(tried, MAX_TRIES):
        source = fitting(new, kwargs)
        if source is not None and source not in seen:
            seen.add(source)
            yield source, i


def _swapped(args: list[Any]) -> Iterator[list[Any]]:
    for a in range(len(args)):
        for b in range(a + 1, len(args)):
            if type(args[a]) is type(args[b]) and not same(args[a], args[b]):
                yield [*args[:a], args[b], *args[a + 1 : b], args[a], *args[b + 1 :]]
    for k, value in enumerate(args):
        if isinstance(value, list | tuple) and len(value) == 2:
            first, second = value
            if type(first) is type(second) and not same(first, second):
                pair = (second, first) if isinstance(value, tuple) else [second, first]
                yield [*args[:k], pair, *args[k + 1 :]]


def _tied(args: list[Any]) -> Iterator[list[Any]]:
    for a in range(len(args)):
        for b in range(a + 1, len(args)):
            for keep, put in ((a, b), (b, a)):
                tie = _tie(args[keep], args[put])
                if tie is not None:
                    yield [tie if k == put else v for k, v in enumerate(args)]


def _tie(keep: Any, other: Any) -> Any:
    """A value of ``other``'s type that ties with ``keep`` but differs from it; None if none."""
    if type(keep) is not type(other) or isinstance(keep, bool):
        return None
    if isinstance(keep, int | float):
        return None if same(keep, other) else keep
    if isinstance(keep, str | list | tuple) and len(keep) >= 2:
        flipped = keep[::-1]
        return None if same(flipped, keep) else flipped
    return None
