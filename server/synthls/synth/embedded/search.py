"""The search: expressions first (cheapest first), then statement templates.

Pure and synchronous: give it a Problem and a time budget, get bodies that satisfy every
usable example on the search's own evaluation, simplest first. Used in-process by tests and in
the worker process by the engine.

Order: a solution is accepted at its cost level. One that looks like an accident of the few
examples (it ignores a parameter, uses a number nobody named, or fails ``plausible.behaviour`` on
neighbouring inputs) is never offered, and one that behaves like a body already offered is a
respelling and skipped, so the candidates are different behaviours, each with its plausibility
weight. A guard's condition (``problem.condition``) may ignore a parameter: it waits, with a
penalty. A case the docstring names (``cases``) is searched first, recurrences join the queue at an
estimated cost, and the other templates run once the expression time is spent.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from synthls.synth.embedded.bank import Deadline, Expr, TimeUp
from synthls.synth.embedded.cases import CASE_BONUS, CASE_SHARE, GUARD_COST, search_cases
from synthls.synth.embedded.components import LIBRARY, Comp
from synthls.synth.embedded.comprehensions import Forms
from synthls.synth.embedded.context import Context
from synthls.synth.embedded.leaves import const_prec, constants, named, topics, varying
from synthls.synth.embedded.parts import Parts
from synthls.synth.embedded.plausible import behaviour, cost_of, weight
from synthls.synth.embedded.prior import component_cost
from synthls.synth.embedded.problem import Problem
from synthls.synth.embedded.render import render_body
from synthls.synth.embedded.sources import BOUND_SHIFT, Source, build_sources
from synthls.synth.embedded.templates import run_branches, run_recurrences, run_templates
from synthls.synth.embedded.value_vectors import Target

log = logging.getLogger(__name__)

UNUSED_PENALTY = 3  # cost added per parameter a solution ignores
MAGIC_PENALTY = 5  # cost added per constant (other than 0, 1, '', ' ') the docstring did not name
EXPR_SHARE = 0.75  # share of the budget for expressions when templates may still help
MAX_COST = 40
FAR_BEHIND = 0.25  # a body weighing less than this share of the best one offered is not offered
RECURRENCE_LEVEL = 5  # the expression level after which recurrences are tried

OnFound = Callable[[str, float], None]  # a body and its plausibility weight


class Enough(Exception):
    """As many candidates as asked for were found."""


class Search:
    """One search over one problem."""

    def __init__(
        self,
        problem: Problem,
        budget: float,
        max_candidates: int,
        exclude: frozenset[str] = frozenset(),
        on_found: OnFound | None = None,
    ) -> None:
        self.problem = problem
        self.deadline = Deadline(budget)
        self.budget = budget
        self.max = max_candidates
        self.exclude = exclude
        self.on_found = on_found
        self.target = Target(problem.outputs)
        self.parts = Parts(problem.outputs)
        self.found: list[str] = []
        self.refused: set[str] = set()
        self.best_weight = 0.0  # of the bodies offered so far
        self.behaviours: set[tuple[str, ...]] = set()  # results on neighbouring inputs, offered
        self.pending: list[tuple[int, int, str]] = []
        self.varying = varying(problem)
        self.all_params = 0 if problem.condition else self.varying
        self.n = len(problem.inputs)
        self.consts = constants(problem)
        self.named = named(problem)
        self.comps: list[tuple[Comp, int]] = [
            (c, component_cost(c, problem.words, problem.prose)) for c in LIBRARY
        ]
        self.top = Context(self.n, self._top_leaves(), self.comps, self.deadline, self._hook)
        self.top.goal = self.target.matches
        self.top.topics = topics(problem.words)
        self.top.offsets = frozenset({"1", "-1"} | {repr(v) for v in problem.constants})
        self.sources = build_sources(problem.params, problem.inputs)
        self.top.extra = Forms(
            self.top, self.sources, self.comps, self._inner_leaves, self.deadline
        )

    def _top_leaves(self) -> list[Expr]:
        leaves = [
            Expr(p, 1, [inp[j] for inp in self.problem.inputs], uses=1 << j)
            for j, p in enumerate(self.problem.params)
        ]
        for v, code, cost, mods in self.consts:
            leaves.append(
                Expr(
                    code,
                    cost,
                    [v] * self.n,
                    mods=mods,
                    prec=const_prec(v),
                    magic=self._magic(code),
                )
            )
        return leaves

    def _magic(self, code: str) -> int:
        return 0 if code in self.named else 1

    def _inner_leaves(self, s: Source) -> list[Expr]:
        leaves = []
        for k, name in enumerate(s.names):
            vals = [e[k] for ex in s.elems for e in ex]
            leaves.append(Expr(name, 1, vals, uses=1 << (BOUND_SHIFT + k)))
        counts = [len(ex) for ex in s.elems]
        for j, p in enumerate(self.problem.params):
            vals = [inp[j] for inp, cnt in zip(self.problem.inputs, counts) for _ in range(cnt)]
            leaves.append(Expr(p, 1, vals, uses=1 << j))
        size = sum(counts)
        for v, code, cost, mods in self.consts:
            leaves.append(
                Expr(code, cost, [v] * size, mods=mods, prec=const_prec(v), magic=self._magic(code))
            )
        return leaves

    def _hook(self, e: Expr) -> None:
        whole = self.parts.see(e)
        if whole is not None:
            self._solution(self.parts.code(whole), whole, 1)
        if e.uses and self.target.matches(e.vals, e.key):
            self._solution(e.code, [e], 0)

    def _solution(self, code: str, exprs: list[Expr], extra: int) -> None:
        """Accept ``return code`` now, or later when it looks like an accident of the examples."""
        uses = magic = 0
        mods: frozenset[str] = frozenset()
        for e in exprs:
            uses, magic, mods = uses | e.uses, magic + e.magic, mods | e.mods
        body = render_body(code, mods, self.problem.imports)
        cost = sum(e.cost for e in exprs) + extra
        unused = bin(self.all_params & ~uses).count("1")
        if (unused or magic) and not self.problem.condition:
            return  # ignores a parameter or uses a number nobody named: an accident of the examples
        doubt = UNUSED_PENALTY * unused + MAGIC_PENALTY * magic
        if doubt or extra:  # a guard's condition may ignore a parameter: try it later
            self.defer(body, cost + doubt)
        else:
            self.accept(body, cost)

    def defer(self, body: str, cost: int) -> None:
        """Queue a body found outside the expression search, as if it cost ``cost``."""
        self.pending.append((cost, len(self.pending), body))

    def flush(self, upto: int) -> None:
        """Accept the deferred solutions whose penalised cost is at most ``upto``."""
        self.pending.sort()
        while self.pending and self.pending[0][0] <= upto:
            cost, _, body = self.pending.pop(0)
            self.accept(body, cost)

    def accept(self, body: str, cost: float) -> None:
        """Offer ``body`` (of this search cost) unless a programmer could not have meant it."""
        if body in self.found or body in self.refused:
            return
        if not self.problem.condition:
            sig = behaviour(self.problem, body, self.varying, self.problem.returns)
            if sig is None or sig in self.behaviours or body in self.exclude:
                self.refused.add(body)  # implausible, a respelling, or tried already
                if sig is not None:
                    self.behaviours.add(sig)
                return
            self.behaviours.add(sig)
        elif body in self.exclude:
            return
        w = weight(cost)
        if not self.problem.condition and w < self.best_weight * FAR_BEHIND:
            return  # far less plausible than a body already offered: it cannot make it doubtful
        self.best_weight = max(self.best_weight, w)
        self.found.append(body)
        if self.on_found is not None:
            self.on_found(body, w)
        if len(self.found) >= self.max:
            raise Enough

    def run(self) -> list[str]:
        end = self.deadline.end
        try:
            with contextlib.suppress(TimeUp):
                self._cases()
            self.deadline.end = end - self.budget * (1 - EXPR_SHARE)
            with contextlib.suppress(TimeUp):
                self._expressions()
            self.deadline.end = end
            with contextlib.suppress(TimeUp):
                run_templates(self)
            self.flush(MAX_COST * 2)  # the suspect expressions, after the templates
            with contextlib.suppress(TimeUp):
                run_branches(self)
        except Enough:
            pass
        except MemoryError:
            log.warning("embedded search ran out of memory")
        return self.found

    def _cases(self) -> None:
        """Bodies behind a guard for a case the docstring names (``if b == 0: return 0.0``)."""

        def searcher(p: Problem, budget: float, n: int, found: OnFound) -> list[str]:
            return Search(p, budget, n, self.exclude, found).run()

        def accept(body: str, w: float) -> None:
            self.accept(body, cost_of(w) + GUARD_COST - CASE_BONUS)

        search_cases(self.problem, self.budget * CASE_SHARE, accept, searcher)

    def _expressions(self) -> None:
        for c in range(1, MAX_COST):
            if c == RECURRENCE_LEVEL:
                run_recurrences(self)
            self.flush(c - 1)
            self.top.grow_to(c)


def search_problem(
    problem: Problem,
    budget: float,
    max_candidates: int = 5,
    exclude: frozenset[str] = frozenset(),
    on_found: OnFound | None = None,
) -> list[str]:
    """Bodies that satisfy the problem's examples, simplest first (raising examples: guarded)."""
    if problem.raising:
        from synthls.synth.embedded.raises import search_guarded

        def plain(p: Problem, b: float, n: int, found: OnFound | None) -> list[str]:
            return Search(p, b, n, frozenset(), found).run()

        return search_guarded(problem, budget, max_candidates, exclude, on_found, plain)
    return Search(problem, budget, max_candidates, exclude, on_found).run()
