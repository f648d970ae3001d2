"""Statement templates for what one expression cannot say.

Run after the expression search, reusing its banks:
- early-return search: ``for x in xs: if p: return f`` then a default;
- if/else on a synthesized predicate: two expressions that each fit some examples, and a
  predicate separating them;
- an affine map ``a * x + b`` of a single numeric parameter, its constants solved from two
  examples and checked on the others (unit conversions such as Celsius to Fahrenheit);
- a two-variable recurrence over ``range(n)`` (``a, b = b, f(a, b)``), the shape of Fibonacci
  and friends, with ``f`` enumerated on probe points.
"""

from __future__ import annotations

import time
from typing import Protocol

from synthls.synth.embedded.bank import Deadline, Expr, TimeUp
from synthls.synth.embedded.components import LIBRARY
from synthls.synth.embedded.context import Context
from synthls.synth.embedded.problem import Problem
from synthls.synth.embedded.render import render_body
from synthls.synth.embedded.sources import Source
from synthls.synth.embedded.value_vectors import BOOL, INT, MAX_BITS, Target, key_of

SEARCH_COST = 9  # largest inner cost (predicate + result) for early-return loops
IF_COST = 14  # largest total cost of an if/else
REC_COST = 7  # largest cost of a recurrence's step expression
REC_SHARE = 0.15  # share of the budget recurrences may take
REC_EXTRA = 4  # what the loop around a recurrence's step costs, against plain expressions
LOOP_EXTRA = 3  # what a for/if/return loop costs in plausibility, over its parts
IF_EXTRA = 3  # an if/else on a synthesized predicate: prone to fit by accident
AFFINE_COST = 10  # two constants fitted to the examples
_DEFAULTS = ("None", "-1", "False", "0", "''", "True")


class Search(Protocol):
    """What the templates use of the search that runs them (``search.Search``)."""

    problem: Problem
    deadline: Deadline
    budget: float
    target: Target
    n: int
    top: Context
    sources: list[Source]
    named: set[str]

    def accept(self, body: str, cost: float) -> None: ...

    def defer(self, body: str, cost: int) -> None: ...


def run_templates(search: Search) -> None:
    """Try the loop and formula templates in turn."""
    _affine(search)
    _early_returns(search)


def run_recurrences(search: Search) -> None:
    """Recurrence bodies join the expression search's queue at an estimated cost.

    Runs inside the expression search, so it gets a slice of the time, not all of it.
    """
    end = search.deadline.end
    search.deadline.end = min(end, time.monotonic() + REC_SHARE * search.budget)
    try:
        _recurrences(search)
    except TimeUp:
        pass
    finally:
        search.deadline.end = end


def run_branches(search: Search) -> None:
    """Try if/else bodies: the template most prone to fit the examples by accident, so last."""
    _if_else(search)


def _emit(search: Search, statements: str, mods: frozenset[str], cost: float) -> None:
    search.accept(render_body("", mods, search.problem.imports, statements), cost)


def _early_returns(search: Search) -> None:
    defaults = [e for e in search.top.leaves if e.code in _DEFAULTS]
    for total in range(2, SEARCH_COST + 1):
        for s in search.sources:
            ctx = search.top.extra.inner(s, total - 1) if search.top.extra else None  # type: ignore[attr-defined]
            if ctx is None:
                return
            for cp in range(1, total):
                preds = [p for p in ctx.bank.at(cp, BOOL) if s.binds(p.uses)]
                for p in preds:
                    for f in ctx.bank.at(total - cp):
                        for d in defaults:
                            _try_loop(search, s, p, f, d)


def _try_loop(search: Search, s: Source, p: Expr, f: Expr, d: Expr) -> None:
    search.deadline.tick()
    if p.magic or f.magic or d.magic:
        return  # a number nobody named
    if f.tag == "bool" and d.tag == "bool":
        return  # any()/all() say it better
    off = s.offsets()
    vals: list[object] = []
    for k in range(len(s.elems)):
        out = d.vals[k]
        for i in range(off[k], off[k + 1]):
            if p.vals[i]:
                out = f.vals[i]
                break
        vals.append(out)
    if not search.target.matches(vals, key_of(tuple(vals))):
        return
    stmts = f"for {s.clause}:\n    if {p.code}:\n        return {f.code}\nreturn {d.code}"
    _emit(search, stmts, p.mods | f.mods, p.cost + f.cost + d.cost + s.cost + LOOP_EXTRA)


def _if_else(search: Search) -> None:
    if search.n < 3:
        return
    full = (1 << search.n) - 1
    best: dict[int, Expr] = {}
    preds: list[Expr] = []
    for cost in sorted(search.top.bank.levels):
        for e in search.top.bank.levels[cost]:
            search.deadline.tick()
            if e.magic:
                continue  # a number nobody named
            if e.tag == "bool" and e.uses:
                preds.append(e)
            m = search.target.mask(e.vals)
            if m and m != full and m not in best and (e.uses or cost <= 3):
                best[m] = e
    pairs = [
        (a, b) for ma, a in best.items() for mb, b in best.items() if ma | mb == full and ma != mb
    ]
    pairs.sort(key=lambda ab: ab[0].cost + ab[1].cost)
    for a, b in pairs:
        ma, mb = search.target.mask(a.vals), search.target.mask(b.vals)
        for p in preds:
            if a.cost + b.cost + p.cost > IF_COST:
                break
            search.deadline.tick()
            if all((ma >> i) & 1 if v else (mb >> i) & 1 for i, v in enumerate(p.vals)):
                stmts = f"if {p.code}:\n    return {a.code}\nreturn {b.code}"
                _emit(search, stmts, a.mods | b.mods | p.mods, a.cost + b.cost + p.cost + IF_EXTRA)
                break


def _recurrences(search: Search) -> None:
    ints = [
        j
        for j in range(len(search.problem.params))
        if all(type(inp[j]) is int and 0 <= inp[j] <= 2000 for inp in search.problem.inputs)  # type: ignore[operator]
    ]
    if len(ints) != 1 or not all(type(o) is int for o in search.target.outputs):
        return
    j = ints[0]
    ns = [inp[j] for inp in search.problem.inputs]
    name = search.problem.params[j]
    steps = _step_bank(search.deadline)
    for cost in range(1, REC_COST + 1):
        for f in steps.bank.at(cost, INT):
            if "a" not in f.code and "b" not in f.code:
                continue
            fn = eval(f"lambda a, b: {f.code}")  # our own generated code over a, b
            for a0 in range(3):
                for b0 in range(3):
                    search.deadline.tick()
                    _try_recurrence(search, fn, f.code, cost, (a0, b0), ns, name)


def _step_bank(deadline: Deadline) -> Context:
    probes = [(0, 1), (1, 1), (2, 3), (5, -2), (7, 4), (-3, 6)]
    leaves = [
        Expr("a", 1, [a for a, _ in probes], uses=1),
        Expr("b", 1, [b for _, b in probes], uses=2),
        *(Expr(str(c), 1, [c] * len(probes)) for c in (1, 2)),
        *(Expr(str(c), 2, [c] * len(probes)) for c in (3,)),
    ]
    comps = [(c, c.cost) for c in LIBRARY if c.name in ("add", "sub", "mul", "floordiv", "max2")]
    ctx = Context(len(probes), leaves, comps, deadline)
    ctx.grow_to(REC_COST)
    return ctx


def _try_recurrence(
    search: Search,
    fn: object,
    code: str,
    cost: int,
    init: tuple[int, int],
    ns: list[object],
    name: str,
) -> None:
    for which in (0, 1):
        vals: list[object] = []
        for n in ns:
            a, b = init
            try:
                for _ in range(n):  # type: ignore[call-overload]
                    a, b = b, fn(a, b)  # type: ignore[operator]
                    if abs(b).bit_length() > MAX_BITS:
                        return
            except Exception:
                return
            vals.append(a if which == 0 else b)
        if search.target.matches(vals, key_of(tuple(vals))):
            ret = "a" if which == 0 else "b"
            stmts = f"a, b = {init[0]}, {init[1]}\nfor _ in range({name}):\n    a, b = b, {code}\nreturn {ret}"
            search.defer(stmts, cost + REC_EXTRA)


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _nice(v: float) -> str | None:
    """A short literal for ``v`` (integral or up to 4 decimals), else None."""
    r = round(v, 4)
    if abs(r - v) > 1e-9 * max(1.0, abs(v)):
        return None
    return str(int(r)) if r == int(r) else repr(r)


def _affine(search: Search) -> None:
    prob = search.problem
    if len(prob.params) != 1 or len({inp[0] for inp in prob.inputs if _number(inp[0])}) < 2:  # type: ignore[misc]
        return
    if not all(_number(inp[0]) for inp in prob.inputs) or not all(_number(o) for o in prob.outputs):
        return
    (x1,), (x2,) = [inp for inp in prob.inputs][:1] + [
        i for i in prob.inputs if i[0] != prob.inputs[0][0]
    ][:1]
    y1 = prob.outputs[0]
    y2 = prob.outputs[[i[0] for i in prob.inputs].index(x2)]
    slope = (y2 - y1) / (x2 - x1)  # type: ignore[operator]
    a, b = _nice(slope), _nice(y1 - slope * x1)  # type: ignore[operator]
    if a is None or b is None or a == "0":
        return
    if len({inp[0] for inp in prob.inputs}) < 3 and not {a, b.removeprefix("-")} <= search.named:
        return  # two constants fitted to two points, nobody named them: no evidence at all
    x = prob.params[0]
    floats = any(isinstance(o, float) for o in prob.outputs)
    if floats and "." not in a + b:
        b = b + ".0"
    term = x if a == "1" else f"{a} * {x}"
    code = (
        term
        if b in ("0", "0.0") and not floats
        else f"{term} - {b[1:]}"
        if b.startswith("-")
        else f"{term} + {b}"
    )
    fn = eval(f"lambda {x}: {code}")  # our own code: a parameter and two literals
    vals = [fn(inp[0]) for inp in prob.inputs]
    if search.target.matches(vals, key_of(tuple(vals))):
        _emit(search, f"return {code}", frozenset(), AFFINE_COST)
