"""Alternatives the docstring names: an example with one exchanged for another.

"Sentences are delimited by '.', '?' or '!'" says the three marks do the same job, yet examples
that use only '.' never show it, and a 1.5B model split ``is_bored``'s text on '.' alone: right on
every example, wrong on "I am bored? I am." A docstring's quoted literals joined by "or" (``'.',
'?' or '!'``, ``"," or ";"``, ``either 'y' or 'Y'``) are such alternatives; ``exchanges`` rewrites
the examples' strings with one of them in place of another, and where a model's body answers
such a call otherwise than its example, ``synthls.synth.checks.edge_cases`` asks whether it matters which.

Pure and deterministic: literal rewrites of the examples' calls, never an example's own call.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from functools import partial
from typing import Any

from synthls.intent.examples import prose_lines
from synthls.intent.model import Spec
from synthls.synth.rewrites.two_values import rewrites

MAX_EXCHANGES = 8  # calls with one alternative exchanged for another
MAX_LENGTH = 5  # an alternative longer than this is a phrase, not a mark or a token

_QUOTED = rf"""(?:'[^'\n\\]{{1,{MAX_LENGTH}}}'|"[^"\n\\]{{1,{MAX_LENGTH}}}")"""
_COMMA = r"\s*,\s*"
_OR = r"(?:\s*,)?\s+or\s+"
# quoted literals separated by commas, the last two by "or": 'a' or 'b' / 'a', 'b', or 'c'
_GROUP = re.compile(rf"{_QUOTED}(?:{_COMMA}{_QUOTED})*{_OR}{_QUOTED}")
_LITERAL = re.compile(_QUOTED)


def groups(spec: Spec) -> list[tuple[str, ...]]:
    """The docstring's groups of alternatives: two or more distinct quoted literals joined by
    "or", outside the examples (``prose_lines``)."""
    found: list[tuple[str, ...]] = []
    for text in prose_lines(spec.docstring or "", spec.name):
        for match in _GROUP.finditer(text):
            items = tuple(dict.fromkeys(_literal(s) for s in _LITERAL.findall(match.group(0))))
            if len(items) >= 2 and items not in found:
                found.append(items)
    return found


def exchanges(spec: Spec, limit: int = MAX_EXCHANGES) -> list[tuple[str, int, str, str]]:
    """An example's call with every ``a`` in its strings (the arguments, or strings among a
    list's or tuple's items) replaced by ``b``, ``a`` and ``b`` alternatives of one group:
    ``(call, example index, a, b)``, at most ``limit``, the first alternative of each group
    first."""
    out: list[tuple[str, int, str, str]] = []
    seen: set[str] = set()
    for group in groups(spec):
        for a in group:
            for b in group:
                if a == b:
                    continue
                for source, i in rewrites(spec, partial(_exchanged, a=a, b=b)):
                    if source not in seen:
                        seen.add(source)
                        out.append((source, i, a, b))
    return out[:limit]


def _literal(source: str) -> str:
    value = ast.literal_eval(source)
    return value if isinstance(value, str) else source


def _exchanged(args: list[Any], a: str, b: str) -> Iterator[list[Any]]:
    new = [_replace(v, a, b) for v in args]
    if new != args:
        yield new


def _replace(value: Any, a: str, b: str) -> Any:
    if isinstance(value, str):
        return value.replace(a, b)
    if isinstance(value, list):
        return [v.replace(a, b) if isinstance(v, str) else v for v in value]
    if isinstance(value, tuple):
        return tuple(v.replace(a, b) if isinstance(v, str) else v for v in value)
    return value
