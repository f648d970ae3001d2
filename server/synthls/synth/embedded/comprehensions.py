"""Comprehension forms built at the top level from sources and their inner expressions.

``[f for x in xs]``, ``[x for x in xs if p]``, ``[f for x in xs if p]`` and the ``key=``
functions of ``sorted``/``max``/``min``. Inner expressions are enumerated lazily in the source's
own context, only as deep as the top level's current cost allows. A comprehension's value is
kept with the generator text so ``sum``, ``any``, ``''.join``… print it without brackets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from synthls.synth.embedded.bank import ATOM, Deadline, Expr
from synthls.synth.embedded.components import Comp
from synthls.synth.embedded.context import Context
from synthls.synth.embedded.sources import BOUND_SHIFT, MAX_DERIVED, Source, derived_source
from synthls.synth.embedded.value_vectors import BOOL, small_enough

FORM_COST = 2
BARE_KEY_MAX = 4  # the dearest ``f(x)`` tried as a bare key function
_KEYED: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("sorted", sorted),
    ("max", max),
    ("min", min),
)
_CALL1 = re.compile(r"^([a-z_.]+)\((\w+)\)$")

LeafMaker = Callable[[Source], list[Expr]]


class Forms:
    """The ``extra`` hook of the top context: adds comprehension forms at each level."""

    def __init__(
        self,
        top: Context,
        sources: Sequence[Source],
        comps: Sequence[tuple[Comp, int]],
        leaves: LeafMaker,
        deadline: Deadline,
    ) -> None:
        self.top = top
        self.sources = list(sources)
        self.comps = list(comps)
        self.costs = {comp.name: cost for comp, cost in comps}  # after the docstring's prior
        self.leaves = leaves
        self.deadline = deadline
        self.params: Sequence[str] = ()
        self.derived = 0
        self.scanned = 0  # top-level cost levels already scanned for derived sources

    def inner(self, s: Source, cost: int) -> Context:
        if s.ctx is None:
            size = sum(len(e) for e in s.elems)
            s.ctx = Context(size, self.leaves(s), self.comps, self.deadline)
            s.ctx.offsets = self.top.offsets
            s.ctx.topics = self.top.topics
        s.ctx.grow_to(cost)
        return s.ctx

    def _derive(self, upto: int) -> None:
        """Add sources over the cheap expressions of levels up to ``upto``."""
        while self.scanned < upto:
            self.scanned += 1
            for e in self.top.bank.at(self.scanned):
                if self.derived >= MAX_DERIVED:
                    return
                new = derived_source(e, self.params)
                self.sources.extend(new)
                self.derived += len(new)

    def __call__(self, c: int) -> None:
        self._derive(min(3, c - 1 - FORM_COST))
        for s in self.sources:
            ci = c - s.cost - FORM_COST
            off = s.offsets()
            self._bare_keys(s, off, c)
            if ci < 1:
                continue
            ctx = self.inner(s, ci)
            self._maps(s, ctx, ci, off, c)
            self._filters(s, ctx, ci, off, c)
            self._keys(s, ctx, ci, off, c)
            if ci - 1 >= 2:
                self._map_filters(s, ctx, ci - 1, off, c)

    def _emit(self, s: Source, f: Expr | None, p: Expr | None, off: list[int], c: int) -> None:
        self.deadline.tick()
        vals: list[object] = []
        for k in range(len(s.elems)):
            lo, hi = off[k], off[k + 1]
            if f is None:
                ys = [e[0] for e in s.elems[k]]
            else:
                ys = list(f.vals[lo:hi])
            if p is not None:
                ys = [y for y, keep in zip(ys, p.vals[lo:hi]) if keep]
            vals.append(ys)
        body = f.code if f is not None else s.names[0]
        gen = f"{body} for {s.clause}" + (f" if {p.code}" if p is not None else "")
        uses = s.uses
        mods: frozenset[str] = frozenset()
        magic = 0
        for e in (f, p):
            if e is not None:
                uses |= e.uses & ((1 << BOUND_SHIFT) - 1)
                mods |= e.mods
                magic += e.magic
        self.top.offer(Expr(f"[{gen}]", c, vals, ATOM, uses, mods, gen, magic=magic))

    def _maps(self, s: Source, ctx: Context, ci: int, off: list[int], c: int) -> None:
        for f in ctx.bank.at(ci):
            if s.binds(f.uses) and (f.code != s.item or s.flat):
                self._emit(s, f, None, off, c)

    def _filters(self, s: Source, ctx: Context, ci: int, off: list[int], c: int) -> None:
        if s.item is None:
            return
        for p in ctx.bank.at(ci, BOOL):
            if s.binds(p.uses):
                self._emit(s, None, p, off, c)

    def _map_filters(self, s: Source, ctx: Context, ci: int, off: list[int], c: int) -> None:
        for cf in range(1, ci):
            preds = [p for p in ctx.bank.at(ci - cf, BOOL) if p.uses >> BOUND_SHIFT]
            if not preds:
                continue
            for f in ctx.bank.at(cf):
                if f.code == s.item:
                    continue
                if not f.uses >> BOUND_SHIFT:
                    continue
                for p in preds:
                    if s.binds(f.uses | p.uses):
                        self._emit(s, f, p, off, c)

    def _keys(self, s: Source, ctx: Context, ci: int, off: list[int], c: int) -> None:
        """``max(xs, key=lambda x: f)``, at the level of a comprehension with ``f``."""
        if s.item is None or s.iterable is None:
            return
        for f in ctx.bank.at(ci - 1):
            if not f.uses >> BOUND_SHIFT or f.code == s.item or self._bare(s, f):
                continue
            lam = f"lambda {s.item}: {f.code}"
            for name, fn in _KEYED:
                self._key_form(s, f, off, c, name, fn, lam)

    def _bare_keys(self, s: Source, off: list[int], c: int) -> None:
        """``max(xs, key=len)`` costs what it prints: the call, the iterable, the function."""
        if s.item is None or s.iterable is None:
            return
        for name, fn in _KEYED:
            level = c - s.cost - self.costs.get(name, FORM_COST) + 1  # the key's own ``(x)``
            if not 1 <= level <= BARE_KEY_MAX:
                continue
            for f in self.inner(s, level).bank.at(level):
                m = self._bare(s, f)
                if m:
                    self._key_form(s, f, off, c, name, fn, m)

    def _bare(self, s: Source, f: Expr) -> str:
        """The function's name when ``f`` is one call on the item (``len(x)``), else ''."""
        m = _CALL1.match(f.code)
        return m.group(1) if m and m.group(2) == s.item and f.uses >> BOUND_SHIFT else ""

    def _key_form(
        self,
        s: Source,
        f: Expr,
        off: list[int],
        c: int,
        name: str,
        fn: Callable[..., Any],
        lam: str,
    ) -> None:
        self.deadline.tick()
        vals: list[object] = []
        try:
            for k in range(len(s.items)):
                keys = f.vals[off[k] : off[k + 1]]
                pairs = list(zip(keys, range(len(keys)), [e[0] for e in s.elems[k]]))
                if name == "sorted":
                    vals.append([x for _, _, x in sorted(pairs, key=lambda t: (t[0], t[1]))])
                else:
                    vals.append(fn(pairs, key=lambda t: t[0])[2])
        except Exception:
            return
        if not all(small_enough(v) for v in vals):
            return
        uses = s.uses | (f.uses & ((1 << BOUND_SHIFT) - 1))
        code = f"{name}({s.iterable}, key={lam})"
        self.top.offer(Expr(code, c, vals, ATOM, uses, f.mods, magic=f.magic))
