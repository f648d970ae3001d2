"""Iteration sources for comprehensions: what a loop can range over, and its bound names.

A source is a ``for`` clause (``x in xs``, ``i, x in enumerate(xs)``, ``a, b in zip(xs, xs[1:])``,
``d in str(n)`` …) built from the parameters, with the values its names take in every example.
Each source owns an inner context whose environments are all (example, element) pairs, so the
expressions inside a comprehension are enumerated and pruned like any others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from synthls.synth.embedded.bank import ATOM, Expr
from synthls.synth.embedded.context import Context
from synthls.synth.embedded.value_vectors import MAX_LEN

Elems = list[list[tuple[Any, ...]]]  # per example, the bound values of each element
BOUND_SHIFT = 16  # bound variables use bits 16.. of Expr.uses; parameters bits 0..15
MAX_ELEMS = 600  # (example, element) pairs a source may have in all


@dataclass
class Source:
    clause: str  # the for clause without "for": "x in xs"
    cost: int
    names: tuple[str, ...]  # the names it binds
    elems: Elems
    uses: int  # parameters the clause reads
    iterable: str | None = None  # code of the iterable when one name is bound to its items
    items: list[object] = field(default_factory=list)  # per example, that iterable's value
    ctx: Context | None = None
    need_all: bool = False  # every bound name must be used (enumerate, zip)
    flat: bool = False  # a nested loop: its bare item is already a new list (flattening)

    def binds(self, uses: int) -> bool:
        """Whether an inner expression reading ``uses`` uses the bound names as required."""
        bound = uses >> BOUND_SHIFT
        if self.need_all:
            return bound == (1 << len(self.names)) - 1
        return bound != 0

    @property
    def item(self) -> str | None:
        return self.names[0] if len(self.names) == 1 else None

    def offsets(self) -> list[int]:
        out = [0]
        for e in self.elems:
            out.append(out[-1] + len(e))
        return out


_NAMES = {"num": "x", "char": "ch", "str": "w", "seq": "t", "other": "x"}
_FALLBACK = ("x", "y", "z", "e", "v", "item", "elem")


def _kind(values: Sequence[object], iterable: Sequence[object]) -> str:
    if values and all(isinstance(v, str) for v in values):
        return "char" if all(isinstance(it, str) for it in iterable) else "str"
    if values and all(isinstance(v, (list, tuple)) for v in values):
        return "seq"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "num"
    return "other"


def _fresh(want: str, taken: set[str]) -> str:
    for cand in (want, *_FALLBACK):
        if cand not in taken:
            taken.add(cand)
            return cand
    raise ValueError("no free name")


def _width(elems: Elems) -> int:
    """2 when every element is a pair (to unpack as ``a, b``), else 0."""
    widths = {len(v[0]) if isinstance(v[0], (list, tuple)) else -1 for e in elems for v in e}
    if len(widths) == 1:
        w = widths.pop()
        return w if w == 2 else 0
    return 0


def _iterable(values: Sequence[object]) -> bool:
    return all(isinstance(v, (list, tuple, str, set, dict, range)) for v in values)


def _single(code: str, cost: int, uses: int, values: list[object], taken: set[str]) -> list[Source]:
    seqs = [list(v) for v in values]  # type: ignore[call-overload]
    flat = [x for s in seqs for x in s]
    if not flat or len(flat) > MAX_ELEMS:
        return []
    name = _fresh(_NAMES[_kind(flat, values)], set(taken))
    elems = [[(x,) for x in s] for s in seqs]
    out = [Source(f"{name} in {code}", cost, (name,), elems, uses, code, list(values))]
    width = _width(elems)
    if width:
        names = tuple(_fresh(n, set(taken)) for n in ("abc"[:width]))
        if len(set(names)) == width:
            tup = [[tuple(x[0]) for x in e] for e in elems]  # type: ignore[arg-type]
            out.append(Source(f"{', '.join(names)} in {code}", cost + 1, names, tup, uses))
    if all(isinstance(v, (list, tuple)) for v in flat) and sum(len(v) for v in flat) <= MAX_ELEMS:  # type: ignore[arg-type]
        inner = _fresh("x", set(taken) | {"row"})
        nested = [[(y,) for x in s for y in x] for s in seqs]  # type: ignore[attr-defined]
        clause = f"row in {code} for {inner} in row"
        out.append(Source(clause, cost + 1, (inner,), nested, uses, flat=True))
    return out


def _over_iterable(p: str, bit: int, vals: list[Any], taken: set[str]) -> list[Source]:
    """``x in xs``, ``k, v in d.items()``, ``i, x in enumerate(xs)``, adjacent pairs, words."""
    out: list[Source] = []
    if all(isinstance(v, dict) for v in vals):
        items = [list(v.items()) for v in vals]
        out.extend(_pairs_of(f"{p}.items()", 2, bit, items, ("k", "v"), taken))
    out.extend(_single(p, 1, bit, vals, taken))
    if all(isinstance(v, (list, tuple, str)) for v in vals):
        seqs = [list(v) for v in vals]
        en = [list(enumerate(s)) for s in seqs]
        out.extend(_pairs_of(f"enumerate({p})", 2, bit, en, ("i", "x"), taken))
        adj = [list(zip(s, s[1:])) for s in seqs]
        out.extend(_pairs_of(f"zip({p}, {p}[1:])", 4, bit, adj, ("a", "b"), taken))
    if all(isinstance(v, str) for v in vals):
        out.extend(_single(f"{p}.split()", 2, bit, [v.split() for v in vals], taken))
    return out


def _over_int(p: str, bit: int, vals: list[Any], taken: set[str]) -> list[Source]:
    """``i in range(n)``, ``i in range(1, n + 1)`` and the digits ``ch in str(n)``."""
    out: list[Source] = []
    if all(0 <= v <= MAX_LEN for v in vals):
        out.extend(_single(f"range({p})", 2, bit, [range(v) for v in vals], taken))
        r1: list[object] = [range(1, v + 1) for v in vals]
        out.extend(_single(f"range(1, {p} + 1)", 3, bit, r1, taken))
    if all(v >= 0 for v in vals):
        out.extend(_single(f"str({p})", 2, bit, [str(v) for v in vals], taken))
    return out


def _zips(params: Sequence[str], cols: list[list[Any]], taken: set[str]) -> list[Source]:
    """``x, y in zip(xs, ys)`` over neighbouring sequence parameters (and all three)."""
    out: list[Source] = []
    seqs = [
        (j, p)
        for j, p in enumerate(params)
        if all(isinstance(v, (list, tuple, str)) for v in cols[j])
    ]
    for (j, p), (k, q) in zip(seqs, seqs[1:]):
        zipped = [list(zip(a, b)) for a, b in zip(cols[j], cols[k])]
        out.extend(_pairs_of(f"zip({p}, {q})", 2, (1 << j) | (1 << k), zipped, ("x", "y"), taken))
    if len(seqs) == 3:
        (j, p), (k, q), (m, r) = seqs
        z3 = [list(zip(a, b, c)) for a, b, c in zip(cols[j], cols[k], cols[m])]
        bits = (1 << j) | (1 << k) | (1 << m)
        out.extend(_pairs_of(f"zip({p}, {q}, {r})", 2, bits, z3, ("x", "y", "z"), taken))
    return out


def build_sources(params: Sequence[str], inputs: Sequence[Sequence[object]]) -> list[Source]:
    """Sources over the parameters, cheapest first, in a fixed order."""
    taken = set(params)
    out: list[Source] = []
    cols: list[list[Any]] = [[row[j] for row in inputs] for j in range(len(params))]
    for j, (p, vals) in enumerate(zip(params, cols)):
        if _iterable(vals):
            out.extend(_over_iterable(p, 1 << j, vals, taken))
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
            out.extend(_over_int(p, 1 << j, vals, taken))
    out.extend(_zips(params, cols, taken))
    out.sort(key=lambda s: s.cost)
    return out


def _pairs_of(
    code: str,
    cost: int,
    uses: int,
    rows: Elems,
    names: tuple[str, ...],
    taken: set[str],
) -> list[Source]:
    total = sum(len(r) for r in rows)
    if not total or total > MAX_ELEMS:
        return []
    fresh = tuple(_fresh(n, set(taken) | set(names[:i])) for i, n in enumerate(names))
    need_all = not code.endswith(".items()")
    return [Source(f"{', '.join(fresh)} in {code}", cost, fresh, rows, uses, need_all=need_all)]


# outermost operations whose results are worth looping over (the rest rarely are)
_DERIVED = frozenset({"splitby", "values", "keys", "items", "range2"})
MAX_DERIVED = 3


def derived_source(e: Expr, params: Sequence[str]) -> list[Source]:
    """Sources over a cheap top-level expression (``s.split('_')``, ``d.values()`` …)."""
    if e.op not in _DERIVED or not e.uses:
        return []
    taken = set(params)
    code = e.code if e.prec >= ATOM else f"({e.code})"
    if e.op == "items":
        rows = [list(v) for v in e.vals]  # type: ignore[call-overload]
        return _pairs_of(code, e.cost, e.uses, rows, ("k", "v"), taken)
    return _single(code, e.cost, e.uses, list(e.vals), taken)[:1]
