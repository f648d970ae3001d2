"""The trials of one synthesis request in the loop's words: which go back to the engines, and
what to tell the user.

Pure functions over ``Trial`` (a candidate and its sandbox result), shared by the loop's rounds:
``parses`` vets a body before it runs; ``feedback_from`` gives the best few failures back to
the engines; ``failure_reason`` and ``progress_line`` say what happened. Which trial is picked
is ``synthls.synth.ranking``'s.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from synthls.synth.engine_protocol import Trial
from synthls.synth.ranking import rank

FEEDBACK_SIZE = 3  # candidates sent back per round


def parses(body: str) -> str | None:
    """None when ``body`` parses as function statements that do something, else the reason:
    a placeholder (``...``, ``pass``, ``raise NotImplementedError``, a lone string) is no body,
    however the examples turn out (a model shown other stubs of the file copies them)."""
    try:
        tree = ast.parse("def _f():\n" + "\n".join("    " + ln for ln in body.splitlines()))
    except SyntaxError as exc:
        return f"does not parse: {exc.msg} (line {exc.lineno})"
    func = tree.body[0]
    if isinstance(func, ast.FunctionDef) and all(_placeholder(s) for s in func.body):
        return f"no body, only a placeholder: `{body.strip()[:40]}`"
    return None


def _placeholder(node: ast.stmt) -> bool:
    if isinstance(node, ast.Pass):
        return True
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return True  # `...` or a string
    if isinstance(node, ast.Raise) and node.exc is not None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        return isinstance(exc, ast.Name) and exc.id == "NotImplementedError"
    return False


def feedback_from(attempts: Sequence[Trial]) -> list[Trial]:
    ranked = sorted(attempts, key=rank)
    out: list[Trial] = []
    bodies: set[str] = set()
    for a in ranked:
        if a.candidate.body.strip() not in bodies:
            bodies.add(a.candidate.body.strip())
            out.append(a)
        if len(out) == FEEDBACK_SIZE:
            break
    return out


def failure_reason(
    attempts: Sequence[Trial],
    engine_errors: dict[str, str],
    n: int,
    timed_out: bool,
    deadline: float,
) -> str:
    errors = [f"{name}: {text}" for name, text in engine_errors.items()]
    if len(engine_errors) == 1 and not attempts:
        errors = list(engine_errors.values())
    late = f" within the deadline ({deadline:g}s)" if timed_out else ""
    best = min(attempts, key=rank) if attempts else None
    if best is None:
        head = "; ".join(errors) if errors else f"no engine proposed a candidate{late}"
        return head
    if n:
        head = f"no candidate passes every example{late} (best passes {best.result.passed} of {n})"
    else:
        head = f"no usable candidate{late}"
    if best.candidate.note:
        head += f"; e.g. {best.candidate.engine}: {best.candidate.note}"
    return "; ".join([head, *errors])


def progress_line(
    rnd: int, rounds: int, engine_errors: dict[str, str], new: Sequence[Trial], n: int
) -> str:
    if not new:
        why = "; ".join(engine_errors.values()) or "no new candidates"
        return f"round {rnd} of {rounds}: {why}"
    best = min(new, key=rank)
    return f"round {rnd} of {rounds}: best candidate passes {best.result.passed} of {n} examples"
