"""A case the docstring names, as a guard: ``if b == 0: return 0.0`` before the general body.

"a / b, or 0.0 when b is zero": the examples with ``b == 0`` all return the same value, so the
body is searched on the other examples only and the guard returns that value first. Only cases
the docstring's words name are tried (zero, empty, negative, none), on a parameter whose value
sets the examples apart; the guarded body is offered at a lower cost than its parts, because
it says what the docstring says, where an arithmetic coincidence (``a - b - a / a``) does not.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from synthls.synth.embedded.problem import Problem

CASE_SHARE = 0.3  # of the budget, spent on the bodies behind the guards
CASE_BONUS = 4  # cost taken off a guarded body for naming the docstring's case
GUARD_COST = 3  # what ``if p == 0: return v`` costs
MAX_BODIES = 3  # bodies searched per guard

Predicate = Callable[[Any], bool]
# (words, condition format, predicate, applies to a column of values)
_CASES: tuple[tuple[frozenset[str], str, Predicate, Callable[[Any], bool]], ...] = (
    (frozenset({"zero", "zeros"}), "{} == 0", lambda v: v == 0, lambda v: _number(v)),
    (frozenset({"negative"}), "{} < 0", lambda v: v < 0, lambda v: _number(v)),
    (
        frozenset({"empty"}),
        "not {}",
        lambda v: not v,
        lambda v: isinstance(v, (str, list, tuple, dict, set)),
    ),
    (frozenset({"none", "null"}), "{} is None", lambda v: v is None, lambda v: True),
)

Found = Callable[[str, float], None]
Searcher = Callable[[Problem, float, int, Found], object]


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _literal(v: object) -> str | None:
    text = repr(v)
    try:
        return text if repr(ast.literal_eval(text)) == text else None
    except (ValueError, SyntaxError):
        return None


def named_cases(problem: Problem) -> Iterator[tuple[str, str, tuple[int, ...]]]:
    """(condition, returned literal, examples it covers) for each case the docstring names."""
    for words, fmt, pred, applies in _CASES:
        if not words & problem.words:
            continue
        for j, name in enumerate(problem.params):
            col = [inp[j] for inp in problem.inputs]
            if not all(applies(v) or v is None for v in col):
                continue
            hit = tuple(i for i, v in enumerate(col) if v is not None and _safe(pred, v))
            if not hit or len(hit) == len(col):
                continue
            outs = {repr(problem.outputs[i]) for i in hit}
            value = _literal(problem.outputs[hit[0]])
            if len(outs) == 1 and value is not None:
                yield fmt.format(name), value, hit


def _safe(pred: Predicate, v: object) -> bool:
    try:
        return bool(pred(v))
    except Exception:
        return False


def search_cases(
    problem: Problem, budget: float, accept: Callable[[str, float], None], searcher: Searcher
) -> None:
    """Search the general body behind each named case's guard; ``accept`` gets the whole body."""
    if problem.condition or problem.raising:
        return
    cases = list(named_cases(problem))
    for condition, value, hit in cases:
        rest = [i for i in range(len(problem.inputs)) if i not in hit]
        sub = dataclasses.replace(
            problem,
            inputs=tuple(problem.inputs[i] for i in rest),
            outputs=tuple(problem.outputs[i] for i in rest),
        )
        bodies: list[tuple[str, float]] = []
        searcher(sub, budget / len(cases), MAX_BODIES, _collect(bodies))
        for body, w in bodies:
            guarded = _guarded(condition, value, body)
            if guarded is not None:
                accept(guarded, w)


def _collect(into: list[tuple[str, float]]) -> Found:
    return lambda body, w: into.append((body, w))


def _guarded(condition: str, value: str, body: str) -> str | None:
    """``if condition: return value`` after the body's imports, before its statements."""
    lines = body.split("\n")
    imports = [ln for ln in lines if ln.startswith(("import ", "from "))]
    rest = [ln for ln in lines if ln not in imports]
    if not rest:
        return None
    return "\n".join([*imports, f"if {condition}:", f"    return {value}", *rest])
