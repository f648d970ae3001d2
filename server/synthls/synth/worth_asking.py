"""Which generated inputs make questions worth asking: not degenerate, about the examples' size.

An answer on a degenerate input (an empty or one-element list or string, 0, 1 or -1) confirms
little, since most programs agree there; a call about as long as the examples' is one the user
can answer (it is the size they wrote). ``synthls.synth.ambiguity`` ranks its questions with these.

The exception is a body that is right on every typical input and wrong at the boundary
(``4 * age + 13`` for a rule that changes below 3, an inversion count that says 1 for one
element): the boundary is where such a body shows, so one confirmation goes there (``edge``:
one argument at its smallest non-empty value, the others as usual), the way a tester checks
boundary values after a typical one.

The examples compared with are the first ``MAX_EXAMPLES`` (of a set, the smallest), none longer
than ``MAX_SOURCE``, each parsed once: a docstring of thousands of examples costs no more than one
of a few dozen.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Collection, Sequence

from synthls.synth.inputs import MAX_EXAMPLES, MAX_SOURCE


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
    return sum(_small(a) for a in _literals(call))


def edge(call: str) -> int:
    """How much of a boundary case ``call`` is: 2 when exactly one literal argument is
    degenerate and non-empty (``1``, ``-1``, ``'x'``, ``[x]``), 1 when exactly one is empty or
    zero, else 0 (several degenerate arguments test the boundary of none in particular)."""
    args = _literals(call)
    small = [a for a in args if _small(a)]
    if len(small) != 1:
        return 0
    value = small[0]
    if isinstance(value, int | float):
        return 2 if value != 0 else 1
    return 2 if len(value) == 1 else 1  # type: ignore[arg-type]


def _call(call: str) -> ast.Call | None:
    """``call`` parsed, when it is a call expression."""
    try:
        node = ast.parse(call.strip(), mode="eval").body
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return node if isinstance(node, ast.Call) else None


def _literal(arg: ast.expr) -> tuple[bool, object]:
    """(whether ``arg`` is a literal, its value)."""
    try:
        return True, ast.literal_eval(arg)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _literals(call: str) -> list[object]:
    """The literal arguments of ``call`` (the others are left out)."""
    node = _call(call)
    if node is None:
        return []
    values = [_literal(a) for a in [*node.args, *(k.value for k in node.keywords)]]
    return [v for ok, v in values if ok]


def _small(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return abs(value) <= 1
    return isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) and len(value) <= 1


def echoes(call: str, examples: Collection[str]) -> int:
    """How many of ``call``'s arguments repeat an example's argument in the same place, up to
    order (the same list reversed or shuffled, the same string's letters): an answer there tests
    little, since a body fitted to that example keeps fitting a rearrangement of it (``xs[::2]``
    on ``[4, 2, 3, 2, 1]`` as on ``[1, 2, 3, 2, 4]``) or the same argument with another one
    changed."""
    args = _arguments(call)
    if args is None:
        return 0
    seen = [e for e in map(_arguments, _sample(examples)) if e is not None]
    return sum(
        any(i < len(e) and _multiset(e[i]) == _multiset(a) for e in seen)
        for i, a in enumerate(args)
    )


def _multiset(value: object) -> object:
    if isinstance(value, str | list | tuple) and len(value) > 1:
        return (type(value).__name__, tuple(sorted(repr(v) for v in value)))
    return (type(value).__name__, repr(value))


def like_examples(call: str, examples: Collection[str]) -> bool:
    """Whether ``call``'s literal arguments are of the examples' kind, so a body that raises on
    it has a bug rather than a precondition: the types of some example's arguments (for
    collections, items of the types and, for nested ones, of the lengths the examples show),
    and no negative number, zero, or character class (digit, letter, space, punctuation) that no
    example has."""
    args = _arguments(call)
    if args is None:
        return False
    seen = [a for a in (_arguments(e) for e in _sample(examples)) if a is not None]
    if not any(_fits(args, e) for e in seen):
        return False
    allowed: set[str] = set()
    for e in seen:
        allowed |= _features(e)
    return _features(args) <= allowed


def _sample(examples: Collection[str]) -> list[str]:
    """The examples compared with: the first ``MAX_EXAMPLES`` (of an unordered collection, the
    smallest), none longer than ``MAX_SOURCE``."""
    if len(examples) > MAX_EXAMPLES:
        ordered = examples if isinstance(examples, Sequence) else sorted(examples)
        examples = ordered[:MAX_EXAMPLES]
    return [e for e in examples if len(e) <= MAX_SOURCE]


def _arguments(call: str) -> list[object] | None:
    """The positional arguments of ``call``, when all are literals and there is no keyword."""
    found = _parsed_arguments(call)
    return None if found is None else list(found)


@functools.lru_cache(maxsize=512)
def _parsed_arguments(call: str) -> tuple[object, ...] | None:
    node = _call(call)
    if node is None or node.keywords:
        return None
    values = [_literal(a) for a in node.args]
    return tuple(v for _, v in values) if all(ok for ok, _ in values) else None


def _shapes(value: object, depth: int = 0) -> set[tuple[object, ...]]:
    """The kinds of a value's parts: (type, length of nested collections) per item level."""
    out: set[tuple[object, ...]] = set()
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            nested = isinstance(item, list | tuple | set | frozenset)
            out.add((depth, type(item).__name__, len(item) if nested else None))  # type: ignore[arg-type]
            out |= _shapes(item, depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            out.add((depth, "key", type(k).__name__))
            out.add((depth, "value", type(v).__name__))
    return out


def _fits(args: list[object], example: list[object]) -> bool:
    return len(args) == len(example) and all(
        type(a) is type(e) and _shapes(a) <= _shapes(e) for a, e in zip(args, example)
    )


def _features(value: object) -> set[str]:
    out: set[str] = set()
    if isinstance(value, bool):
        return out
    if isinstance(value, int | float):
        if value < 0:
            out.add("negative")
        if value == 0:
            out.add("zero")
    elif isinstance(value, str):
        for ch in value:
            kind = "digit" if ch.isdigit() else "letter" if ch.isalpha() else None
            out.add(kind or ("space" if ch.isspace() else "punctuation"))
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            out |= _features(item)
    elif isinstance(value, dict):
        for k, v in value.items():
            out |= _features(k) | _features(v)
    return out
