"""What the docstring says to ignore: an example with such a value added, which it never shows.

"Ignore numbers that are negative or not integers" says a list's floats change nothing, yet
examples of whole numbers never show it, and a 1.5B model's ``double_the_difference`` summed the
square of 1.5 too: right on every example, wrong on the hidden tests. A docstring clause that
says to ignore something (``ignore``, ``regardless of``, ``disregard``, ``case-insensitive``) and
names one of a few kinds of values gives a rewrite of the examples' calls that, by the docstring,
keeps each example's answer:

- case (``regardless of case``, ``ignoring case``): the example's strings with their case swapped;
- spaces or whitespace: a space inserted in the middle of each string;
- negative numbers: a negative number appended to each list of numbers;
- numbers that are not integers: a number with a fraction (``3.5``) appended to each list of
  whole numbers.

Where a model's body answers such a call otherwise than its example, ``synthls.synth.checks.edge_cases`` asks
whether it changes the answer. Pure and deterministic: literal rewrites of the examples' calls,
never an example's own call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from itertools import zip_longest
from typing import Any

from synthls.intent.examples import prose_lines
from synthls.intent.model import Spec
from synthls.synth.rewrites.two_values import rewrites

MAX_IGNORED = 8  # calls with an ignored value added

_IGNORE = r"\b(?:ignor(?:e|es|ed|ing)|regardless\s+of|disregard(?:s|ed|ing)?)\b"
_CLAUSE = r"[^.;:\n]*?"  # within one clause of the sentence
_KINDS: tuple[tuple[str, str], ...] = (
    ("case", rf"{_IGNORE}{_CLAUSE}\b(?:case|capitali[sz]ation)\b|\bcase[- ]insensitive(?:ly)?\b"),
    ("spaces", rf"{_IGNORE}{_CLAUSE}\b(?:spaces?|whitespaces?|blanks?)\b"),
    ("negative", rf"{_IGNORE}{_CLAUSE}\bnegative\b"),
    ("fraction", rf"{_IGNORE}{_CLAUSE}\b(?:not\s+(?:an?\s+)?integers?|non-?\s*integers?)\b"),
)


def kinds(spec: Spec) -> list[tuple[str, str]]:
    """The kinds of value the docstring says to ignore, with the clause that says so
    (``("fraction", "Ignore numbers that are negative or not integers")``), in the order of
    ``_KINDS``; the examples' own lines are not read."""
    prose = " ".join(prose_lines(spec.docstring or "", spec.name))
    found: list[tuple[str, str]] = []
    for kind, pattern in _KINDS:
        match = re.search(pattern, prose, re.IGNORECASE)
        if match is not None:
            found.append((kind, _sentence(prose, match.start(), match.end())))
    return found


def ignored(spec: Spec, limit: int = MAX_IGNORED) -> list[tuple[str, int, str]]:
    """An example's call with a value the docstring says to ignore added (``kinds``):
    ``(call, example index, the docstring's clause)``, at most ``limit``, the kinds taking
    turns (each example once per kind before any kind's next one)."""
    per_kind = [
        [(source, i, clause) for source, i in rewrites(spec, _REWRITES[kind])]
        for kind, clause in kinds(spec)
    ]
    out: list[tuple[str, int, str]] = []
    seen: set[str] = set()
    for turn in zip_longest(*per_kind):
        for item in turn:
            if item is not None and item[0] not in seen:
                seen.add(item[0])
                out.append(item)
    return out[:limit]


def _sentence(prose: str, start: int, end: int) -> str:
    """The sentence around ``prose[start:end]``, at most about 100 characters."""
    left = max(prose.rfind(".", 0, start), prose.rfind(";", 0, start)) + 1
    right = min((k for k in (prose.find(".", end), prose.find(";", end)) if k >= 0), default=-1)
    text = prose[left : right if right >= 0 else len(prose)].strip()
    return text if len(text) <= 100 else prose[start:end].strip()


def _each(args: list[Any], change: Callable[[Any], Any]) -> Iterator[list[Any]]:
    new = [change(v) for v in args]
    if any(type(n) is not type(v) or n != v for n, v in zip(new, args, strict=True)):
        yield new


def _strings(change: Callable[[str], str]) -> Callable[[list[Any]], Iterator[list[Any]]]:
    """A rewrite applying ``change`` to each string argument and each string in a list or
    tuple argument."""

    def one(value: Any) -> Any:
        if isinstance(value, str):
            return change(value)
        if isinstance(value, list | tuple):
            return type(value)(change(v) if isinstance(v, str) else v for v in value)
        return value

    return lambda args: _each(args, one)


def _appended(
    extra: Callable[[list[int | float]], int | float | None],
) -> Callable[[list[Any]], Iterator[list[Any]]]:
    """A rewrite appending ``extra(items)`` to each non-empty list of whole numbers."""

    def one(value: Any) -> Any:
        if not isinstance(value, list) or not value:
            return value
        if not all(type(v) is int for v in value):
            return value
        added = extra(value)
        return value if added is None else [*value, added]

    return lambda args: _each(args, one)


def _spaced(text: str) -> str:
    if len(text) < 2:
        return text
    middle = len(text) // 2
    return text[:middle] + " " + text[middle:]


def _negative(items: list[int | float]) -> int:
    return -max((abs(int(v)) for v in items), default=1) or -1


def _fraction(items: list[int | float]) -> float:
    return max((abs(int(v)) for v in items), default=1) + 0.5


_REWRITES: dict[str, Callable[[list[Any]], Iterator[list[Any]]]] = {
    "case": _strings(str.swapcase),
    "spaces": _strings(_spaced),
    "negative": _appended(_negative),
    "fraction": _appended(_fraction),
}
