"""Expressions found so far, kept one per distinct value vector (observational equivalence).

A bank belongs to one evaluation context: the top level (one environment per example) or the
inside of a comprehension (one environment per element of an iterable, over all examples).
Expressions are grouped by cost and by the type tag of their values so components can pick
well-typed arguments quickly.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from synthls.synth.embedded.value_vectors import key_of, tag_of

ATOM = 100  # precedence of names, calls, subscripts and literals
MAX_BANK = 300_000  # expressions kept per bank; past it new ones are only checked, not kept


class Expr:
    """One expression: its code, cost, precedence and its values in each environment."""

    __slots__ = ("code", "cost", "gen", "key", "magic", "mods", "op", "prec", "tag", "uses", "vals")

    def __init__(
        self,
        code: str,
        cost: int,
        vals: Sequence[object],
        prec: int = ATOM,
        uses: int = 0,
        mods: frozenset[str] = frozenset(),
        gen: str | None = None,
        op: str = "",
        key: str | None = None,
        magic: int = 0,
    ) -> None:
        self.code = code
        self.cost = cost
        self.vals = tuple(vals)
        self.prec = prec
        self.uses = uses  # bitmask of the variables the expression reads
        self.mods = mods  # modules it needs ("math", "Counter")
        self.gen = gen  # for a list comprehension, its text without the brackets
        self.magic = magic  # how many constants it uses that nobody named (a sign of overfitting)
        self.op = op  # name of the outermost component, "" for leaves and forms
        self.tag = tag_of(self.vals)
        self.key = key if key is not None else key_of(self.vals)

    def __repr__(self) -> str:
        return f"Expr({self.code!r}, cost={self.cost})"


class Deadline:
    """A cooperative deadline; ``tick`` raises ``TimeUp`` once the time is spent."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.count = 0

    def tick(self) -> None:
        self.count += 1
        if self.count & 63 == 0 and time.monotonic() > self.end:
            raise TimeUp

    def left(self) -> float:
        return self.end - time.monotonic()


class TimeUp(Exception):
    """The search's time is spent."""


class Bank:
    """Expressions of one context, pruned by observational equivalence."""

    def __init__(self, size: int) -> None:
        self.size = size  # number of environments
        self.levels: dict[int, list[Expr]] = {}
        self.by_tag: dict[str, dict[int, list[Expr]]] = {}
        self.seen: set[str] = set()
        self.count = 0
        self.grown = 0  # highest cost level completed
        self._cache: dict[tuple[int, frozenset[str]], list[Expr]] = {}

    def add(self, e: Expr) -> bool:
        """Keep ``e`` unless an expression with the same values is already kept."""
        if e.key in self.seen or self.count >= MAX_BANK:
            return False
        self.seen.add(e.key)
        self.levels.setdefault(e.cost, []).append(e)
        self.by_tag.setdefault(e.tag, {}).setdefault(e.cost, []).append(e)
        self.count += 1
        return True

    def at(self, cost: int, tags: frozenset[str] | None = None) -> list[Expr]:
        """Kept expressions of exactly ``cost`` whose tag is in ``tags`` (all when None)."""
        if tags is None:
            return self.levels.get(cost, [])
        done = cost <= self.grown  # a completed level no longer changes
        if done and (cost, tags) in self._cache:
            return self._cache[cost, tags]
        out: list[Expr] = []
        for t in sorted(tags):
            out.extend(self.by_tag.get(t, {}).get(cost, ()))
        if done:
            self._cache[cost, tags] = out
        return out
