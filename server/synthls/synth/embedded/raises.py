"""Examples that raise: a guard ``if <condition>: raise Error('message')`` before the body.

A doctest may show the function refusing an input (``Traceback ...`` then ``ValueError: ...``).
The condition is searched like any other expression, as a predicate that is true on the
raising examples' inputs and false on every other example's, so the guard comes from the same
enumerative search as the body and generalises the same way. Each body found for the other
examples is offered twice: as it is (it may already raise the right error, ``a / b`` does) and
behind the guards; the sandbox and the selection decide between them.
"""

from __future__ import annotations

import ast
import dataclasses
import math
import re
from collections.abc import Callable

from synthls.synth.embedded.problem import Problem

Search = Callable[[Problem, float, int, Callable[[str, float], None] | None], list[str]]

GUARD_SHARE = 0.3  # of the budget, spent looking for the guards' conditions
CONDITIONS = 6  # conditions found per guard, the least strict one wins
_RETURN = re.compile(r"return (?P<expr>[^\n]+)")


def search_guarded(
    problem: Problem,
    budget: float,
    max_candidates: int,
    exclude: frozenset[str],
    on_found: Callable[[str, float], None] | None,
    search: Search,
) -> list[str]:
    """Bodies for ``problem``, each also behind the guards that raise on the raising examples."""
    guards = _guards(problem, budget * GUARD_SHARE, search)
    rest = budget * (1 - GUARD_SHARE) if guards else budget
    found: list[str] = []

    def offer(body: str, weight: float) -> None:
        for variant in (body, f"{guards}\n{body}") if guards else (body,):
            if variant not in exclude and variant not in found and len(found) < max_candidates:
                found.append(variant)
                if on_found is not None:
                    on_found(variant, weight)

    plain = dataclasses.replace(problem, raising=())
    search(plain, rest, max_candidates, offer)
    return found


def _guards(problem: Problem, budget: float, search: Search) -> str:
    """The guard statements, one per distinct error, or ``""`` when a condition is not found."""
    groups: dict[tuple[str, str | None], list[tuple[object, ...]]] = {}
    for args, name, message in problem.raising:
        groups.setdefault((name, message), []).append(args)
    lines: list[str] = []
    keys = list(groups)
    for k, key in enumerate(keys):
        later = [args for other in keys[k + 1 :] for args in groups[other]]
        inputs = (*groups[key], *problem.inputs, *later)
        outputs = (True,) * len(groups[key]) + (False,) * (len(inputs) - len(groups[key]))
        sub = dataclasses.replace(
            problem, inputs=inputs, outputs=outputs, raising=(), condition=True
        )
        found = [_condition(b) for b in search(sub, budget / len(keys), CONDITIONS, None)]
        conditions = [c for c in found if c is not None]
        if not conditions:
            return ""
        condition = min(conditions, key=lambda c: (_size(c[1]), _strictness(c[1], problem)))
        imports, expr = condition
        name, message = key
        error = f"{name}({message!r})" if message is not None else name
        lines += [*imports, f"if {expr}:", f"    raise {error}"]
    return "\n".join(dict.fromkeys(lines))


def _size(expr: str) -> int:
    try:
        return sum(1 for _ in ast.walk(ast.parse(expr, mode="eval")))
    except SyntaxError:
        return 1 << 30


def _strictness(expr: str, problem: Problem) -> int:
    """On how many neighbours of the accepted inputs the condition holds (or fails to run).

    Of the smallest conditions that fit the examples, the one refusing the fewest nearby inputs
    is the author's (``n < 0`` rather than ``n < 2`` when the examples are 9, 10 and -4)."""
    from synthls.synth.inputs import mutations  # pure; only needed when guards are searched

    try:
        test = eval(f"lambda {', '.join(problem.params)}: {expr}", {"math": math})
    except Exception:
        return 1 << 30
    count = 0
    for args in problem.inputs:
        for j, value in enumerate(args):
            for other in mutations(value)[:6]:
                try:
                    count += bool(test(*args[:j], other, *args[j + 1 :]))
                except Exception:
                    count += 1
    return count


def _condition(body: str) -> tuple[list[str], str] | None:
    """The imports and the expression of a ``[imports...] return <expr>`` body."""
    *imports, last = body.split("\n")
    m = _RETURN.fullmatch(last)
    if m is None or not all(line.startswith(("import ", "from ")) for line in imports):
        return None
    return imports, m.group("expr")
