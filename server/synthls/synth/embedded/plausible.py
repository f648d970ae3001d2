"""Would a programmer have meant this body? A check on inputs near the examples, and a weight.

The search only knows the few examples; many bodies fit them by accident (``a - b - a / a``,
``list1 == list1``, ``max(mean, 2)``). Before a body is offered it is run on neighbours of the
example inputs (each argument mutated alone, ``synthls.synth.inputs.mutations``) and refused when

- a parameter the examples vary never changes the result (it only looks used), or
- it returns a value of another type than the examples do (``2`` where they show ``2.5``), or
  another type than the return annotation names, or
- it computes what no programmer means (``synthls.synth.embedded.nonsense``: a disguised
  constant, a count mixed with a value, a value used as a position).

Offered bodies carry a plausibility weight, ``exp(-ALPHA * cost)``: the loop's ambiguity analysis
compares the weights of the behaviours that pass the examples, so one cheap natural body against
dear alternatives reads as one dominant behaviour, and two of similar cost as an ambiguity.
The body runs in the search's own process (the worker, resource-limited), each call under a
short alarm.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from synthls.synth.behaviour import RAISED
from synthls.synth.embedded.nonsense import disguised_constant, static_reason
from synthls.synth.embedded.problem import Problem
from synthls.synth.embedded.value_vectors import small_enough

ALPHA = 0.7  # weight = exp(-ALPHA * cost): a cost gap of 2 makes a weight ratio of about 4
CALL_SECONDS = 0.05  # longest one probe call may run
MUTATIONS = 7  # mutations per argument
_TYPES = {"int": int, "float": float, "bool": bool, "str": str, "list": list, "tuple": tuple}
_TYPES |= {"dict": dict, "set": set, "None": type(None)}


def weight(cost: float) -> float:
    """The plausibility weight of a body of this search cost (higher is more plausible)."""
    return math.exp(-ALPHA * max(0.0, cost))


def cost_of(w: float) -> float:
    """The cost a weight stands for (the inverse of ``weight``)."""
    return -math.log(w) / ALPHA if w > 0 else 1e9


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt a runaway call (only in the main thread, where signals work)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(signum: int, frame: object) -> None:
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def compile_body(problem: Problem, body: str) -> Callable[..., Any] | None:
    src = "def _f({}):\n{}\n".format(
        ", ".join(problem.params), "\n".join("    " + ln for ln in body.splitlines())
    )
    ns: dict[str, Any] = {"math": math, "Counter": Counter}
    try:
        exec(compile(src, "<candidate>", "exec"), ns)  # the search's own code, in the worker
    except Exception:
        return None
    fn = ns["_f"]
    return fn if callable(fn) else None


_RAISED = object()


def _call(fn: Callable[..., Any], args: Sequence[object]) -> object:
    import copy

    try:
        with _alarm(CALL_SECONDS):
            out = fn(*copy.deepcopy(list(args)))
    except BaseException as exc:  # a probe that raises or runs away says nothing
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return _RAISED
    return out if small_enough(out) else _RAISED


def _shape(v: object) -> tuple[type, frozenset[type]]:
    """The value's type, and for a collection the types of its items (empty when it has none)."""
    t = type(v)
    if t is Counter:
        t = dict
    if isinstance(v, (list, tuple, set, frozenset)):
        return t, frozenset(type(x) for x in v)
    return t, frozenset()


def _fits(v: object, allowed: set[type], items: set[type] | None) -> bool:
    t, inner = _shape(v)
    if t not in allowed:
        return False
    return items is None or not inner or inner <= items


def _allowed(problem: Problem, returns: str | None) -> tuple[set[type], set[type] | None]:
    """The result types the examples (and a plain annotation) allow, and their item types."""
    allowed = {_shape(o)[0] for o in problem.outputs}
    inner: set[type] = set()
    collections = [o for o in problem.outputs if isinstance(o, (list, tuple, set, frozenset))]
    for o in collections:
        inner |= _shape(o)[1]
    head = (returns or "").replace(" ", "")
    base, _, arg = head.partition("[")
    ann = _TYPES.get(base.lower() if base in ("List", "Tuple", "Dict", "Set") else base)
    if ann is not None and allowed <= {ann}:
        allowed = {ann}
        item = _TYPES.get(arg.rstrip("]")) if arg and "," not in arg else None
        if item is not None:
            inner = {item}
    items = inner if collections and inner and len(collections) == len(problem.outputs) else None
    return allowed, items


def _record(v: object, depth: int = 2) -> bool:
    """Whether ``v`` holds a sequence whose items are of different kinds (``(1, 'Rash', 21)``):
    a neighbour that drops one field brings another kind of value within reach of an index."""
    if not isinstance(v, list | tuple) or depth == 0:
        return False
    kinds = {"number" if _number(x) else type(x).__name__ for x in v}
    return len(kinds) > 1 or any(_record(x, depth - 1) for x in v)


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def neighbours(problem: Problem, j: int) -> Iterator[tuple[tuple[object, ...], tuple[object, ...]]]:
    """(example input, the same input with argument ``j`` mutated), for each example."""
    from synthls.synth.inputs import mutations  # pure; imported late to keep start-up light

    for args in problem.inputs:
        for other in mutations(args[j])[:MUTATIONS]:
            yield args, (*args[:j], other, *args[j + 1 :])


def _probe_inputs(problem: Problem) -> list[tuple[object, ...]]:
    """The example inputs and each one's neighbours (every argument mutated in turn)."""
    calls = [*problem.inputs]
    for j in range(len(problem.params)):
        calls += [moved for _, moved in neighbours(problem, j)]
    return calls


def _results(
    problem: Problem, expression: str, calls: Sequence[tuple[object, ...]] | None = None
) -> list[object]:
    """``expression``'s results on ``calls`` (by default the example inputs and their
    neighbours), without the ones where it raised."""
    fn = compile_body(problem, "return " + expression)
    if fn is None:
        return []
    inputs = _probe_inputs(problem) if calls is None else calls
    return [v for v in (_call(fn, args) for args in inputs) if v is not _RAISED]


def behaviour(
    problem: Problem, body: str, varying: int, returns: str | None = None
) -> tuple[str, ...] | None:
    """``body``'s results on the neighbouring inputs, or None when a programmer could not have
    meant it: a varying parameter never changes the result, or a result has the wrong type."""
    if static_reason(problem, body) is not None:
        return None
    fn = compile_body(problem, body)
    if fn is None:
        return None
    allowed, items = _allowed(problem, returns)
    if any(_record(v) for args in problem.inputs for v in args):
        items = None  # a record's neighbours may put another field where the item was
    cache: dict[str, object] = {}

    def run(args: tuple[object, ...]) -> object:
        key = repr(args)
        if key not in cache:
            cache[key] = _call(fn, args)
        return cache[key]

    for j in range(len(problem.params)):
        compared = changed = 0
        for base, moved in neighbours(problem, j):
            a, b = run(base), run(moved)
            for v in (a, b):
                if v is not _RAISED and not _fits(v, allowed, items):
                    return None
            if a is not _RAISED and b is not _RAISED:
                compared += 1
                changed += repr(a) != repr(b)
        if (varying >> j) & 1 and compared >= 2 and not changed:
            return None  # the parameter only looks used (``a / a``, ``x == x``)
    calls = _probe_inputs(problem)
    if disguised_constant(problem, body, lambda src: _results(problem, src, calls)) is not None:
        return None
    return tuple(RAISED if v is _RAISED else repr(v) for v in cache.values())
