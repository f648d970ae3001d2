"""Only bodies a programmer could have meant: everyday stubs whose examples nonsense also fits.

Each offered body is judged here independently of the engine's own check: compiled, run on
neighbours of the example inputs; every parameter the examples vary must change the result
somewhere, results keep the examples' types, and no number appears that neither the examples,
the docstring nor the usual small set (0, 1, 2, -1) name.
"""

from __future__ import annotations

import ast
import copy
from typing import Any

import pytest

from synthls.intent.model import Spec
from synthls.synth.embedded import search, search_weighted
from synthls.synth.inputs import mutations
from tests.test_embedded import compile_body, make_spec

BUDGET = 2.0
NATURAL = {0, 1, 2, -1, "", " "}

SAFE_DIV = make_spec(
    "safe_div",
    "a, b",
    "Return a / b, or 0.0 when b is zero.",
    [("safe_div(6, 3)", "2.0"), ("safe_div(1, 0)", "0.0")],
)
MEDIAN = make_spec(
    "median",
    "xs",
    "Return the median of a list of numbers.",
    [("median([3, 1, 2])", "2"), ("median([4, 1, 3, 2])", "2.5")],
)
SAME = make_spec(
    "same",
    "list1, list2",
    "Check whether two lists hold the same elements.",
    [("same([1, 2], [2, 1])", "True"), ("same([3], [3])", "True")],
)
SHIFTED = make_spec(
    "shifted",
    "s",
    "Return a number computed from the string.",
    [("shifted('abc')", "6"), ("shifted('ab')", "2"), ("shifted('abcd')", "1")],
)
STUBS = [SAFE_DIV, MEDIAN, SAME, SHIFTED]


def _calls(spec: Spec) -> list[tuple[Any, ...]]:
    return [
        ast.literal_eval("(" + ex.source.split("(", 1)[1].rsplit(")", 1)[0] + ",)")
        for ex in spec.examples
    ]


def _run(fn: Any, args: tuple[Any, ...]) -> Any:
    try:
        return fn(*copy.deepcopy(args))
    except Exception:
        return None


def _constants(spec: Spec, body: str) -> set[object]:
    named = set(NATURAL)
    for ex in spec.examples:
        named |= {v for v in _calls(spec)[0] if isinstance(v, (int, float, str))}
        named.add(ast.literal_eval(ex.want.strip()))
    for args in _calls(spec):
        named |= {v for v in args if isinstance(v, (int, float, str))}
    used = {
        n.value
        for n in ast.walk(ast.parse(body))
        if isinstance(n, ast.Constant) and not isinstance(n.value, bool) and n.value is not None
    }
    return {c for c in used if c not in named and str(c) not in (spec.docstring or "")}


def _problems(spec: Spec, body: str) -> list[str]:
    fn = compile_body(spec, body)
    calls = _calls(spec)
    wants = [ast.literal_eval(ex.want.strip()) for ex in spec.examples]
    types = {type(w) for w in wants}
    out = []
    for j, name in enumerate(spec.param_names):
        varies = len({repr(c[j]) for c in calls}) > 1
        results = []
        for args in calls:
            for other in mutations(args[j])[:6]:
                moved = (*args[:j], other, *args[j + 1 :])
                a, b = _run(fn, args), _run(fn, moved)
                for v in (a, b):
                    if v is not None and type(v) not in types:
                        out.append(f"returns {v!r}, not of the examples' types")
                if a is not None and b is not None:
                    results.append(repr(a) != repr(b))
        if varies and len(results) >= 2 and not any(results):
            out.append(f"{name} never changes the result")
    magic = _constants(spec, body)
    if magic:
        out.append(f"uses constants nobody named: {magic}")
    return out


@pytest.mark.parametrize("spec", STUBS, ids=lambda s: s.name)
def test_every_offered_body_is_plausible(spec: Spec) -> None:
    for body in search(spec, BUDGET, max_candidates=8):
        assert _problems(spec, body) == [], body


def test_known_nonsense_is_not_offered() -> None:
    offered = {s.name: search(s, BUDGET, max_candidates=8) for s in STUBS}
    assert "return a - b - a / a" not in offered["safe_div"]
    assert "return max(sum(xs) / len(xs), 2)" not in offered["median"]
    assert all("list1 == list1" not in b for b in offered["same"])
    assert all("& 3" not in b for b in offered["shifted"])


def test_the_docstrings_case_comes_first_and_weighs_most() -> None:
    found = search_weighted(SAFE_DIV, BUDGET, max_candidates=6)
    assert found, "no body for safe_div"
    body, top = found[0]
    fn = compile_body(SAFE_DIV, body)
    assert fn(2, 4) == 0.5 and fn(7, 0) == 0.0
    assert all(w < top for b, w in found[1:] if compile_body(SAFE_DIV, b)(2, 4) != 0.5)


def test_alternative_behaviours_keep_coming_after_the_first() -> None:
    found = search_weighted(SAME, BUDGET, max_candidates=6)
    behaviours = {
        tuple(repr(_run(compile_body(SAME, b), args)) for args in [([1], [2]), ([1, 2], [1])])
        for b, _ in found
    }
    assert len(found) >= 3 and len(behaviours) >= 2
