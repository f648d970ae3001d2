"""The embedded search's parts: example parsing, guards, values, the prior; shared helpers."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from synthls.intent.examples import extract_examples
from synthls.intent.model import Example, Param, Spec
from synthls.synth.embedded import guards, search
from synthls.synth.embedded.bank import Expr
from synthls.synth.embedded.components import LIBRARY
from synthls.synth.embedded.parts import Parts
from synthls.synth.embedded.prior import component_cost
from synthls.synth.embedded.problem import build_problem
from synthls.synth.embedded.render import render_body
from synthls.synth.embedded.value_vectors import Target, small_enough

BUDGET = 3.0


def make_spec(name: str, params: str, doc: str, examples: list[tuple[str, str]], **kw: Any) -> Spec:
    return Spec(
        name=name,
        params=tuple(Param(p.strip()) for p in params.split(",") if p.strip()),
        docstring=doc,
        examples=tuple(
            Example(source=s, want=w + "\n", line=i) for i, (s, w) in enumerate(examples)
        ),
        **kw,
    )


def compile_body(spec: Spec, body: str) -> Any:
    src = f"def {spec.name}({', '.join(spec.param_names)}):\n{textwrap.indent(body, '    ')}\n"
    ns: dict[str, Any] = {}
    exec(src, ns)
    return ns[spec.name]


def first_body(spec: Spec) -> Any:
    bodies = search(spec, BUDGET, max_candidates=1)
    assert bodies, f"no body found for {spec.name}"
    return compile_body(spec, bodies[0])


# --- examples become a problem -------------------------------------------------------------


def test_problem_reads_literal_calls_keywords_and_defaults() -> None:
    spec = Spec(
        name="f",
        params=(Param("a"), Param("b", default="10")),
        examples=(
            Example(source="f(1)", want="11\n", line=0),
            Example(source="f(2, b=3)", want="5\n", line=2),
            Example(source="f(x)", want="1\n", line=4),  # not a literal: skipped
            Example(source="f(1, 2)", want="Traceback...\n", line=6, exc_msg="ValueError: no\n"),
        ),
    )
    problem = build_problem(spec)
    assert problem is not None
    assert problem.inputs == ((1, 10), (2, 3))
    assert problem.outputs == (11, 5)
    assert 10 in problem.constants


def test_constants_come_from_the_prose_not_from_informal_examples() -> None:
    """A quoted string or a number inside an informal example is data: a body that spells it
    (``class_name + '.' + 'AA'``, ``'aBCdEf'.count(s)``) copied the example, it was not told."""
    doc = (
        "Join the class name and its strongest extension with a '.'.\n\n"
        "Example:\n"
        "for strongest('my_class', ['AA', 'Be']) == 'my_class.AA'\n"
        "strongest('k', ['xY']) returns 'k.xY'\n"
    )
    spec = Spec(
        name="strongest",
        params=(Param("class_name"), Param("extensions")),
        docstring=doc,
        examples=extract_examples(doc, 0, "strongest", (Param("class_name"), Param("extensions"))),
    )
    problem = build_problem(spec)
    assert problem is not None and len(problem.inputs) == 2
    assert "." in problem.constants  # stated in the prose
    for copied in ("AA", "my_class", "my_class.AA", "k.xY"):
        assert copied not in problem.constants
    assert "returns" not in problem.words and "example" in problem.words


def test_problem_drops_self_for_methods_and_reads_counter_output() -> None:
    spec = Spec(
        name="freq",
        params=(Param("self"), Param("xs")),
        class_name="Tools",
        examples=(Example(source="Tools().freq([1, 1])", want="Counter({1: 2})\n", line=0),),
    )
    problem = build_problem(spec)
    assert problem is not None and problem.params == ("xs",)
    assert problem.outputs[0] == {1: 2}


def test_no_usable_examples_means_no_problem_and_no_bodies() -> None:
    spec = make_spec("f", "x", "Nothing literal here.", [("f(g())", "1")])
    assert build_problem(spec) is None
    assert search(spec, BUDGET) == []


# --- guards and values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "args"),
    [
        (guards.mul, ("ab", 10**9)),
        (guards.power, (3, 10**6)),
        (guards.rng, (10**9,)),
        (guards.lshift, (1, 10**6)),
        (guards.replace, ("a" * 100, "a", "b" * 1000)),
    ],
)
def test_guards_refuse_huge_results(fn: Any, args: tuple[Any, ...]) -> None:
    with pytest.raises(guards.TooBig):
        fn(*args)


def test_values_size_bound_and_float_matching() -> None:
    assert small_enough([0] * 100) and not small_enough([0] * 100_000)
    assert not small_enough(2**10_000)
    target = Target([0.1 + 0.2, 3])
    assert target.matches([0.3, 3], "")
    assert not target.matches([0.3, 3.0], "")  # 3.0 prints differently from 3
    assert Target([1]).mask([True]) == 0  # True is not 1 for a doctest


def test_prior_makes_named_components_cheaper() -> None:
    comp = next(c for c in LIBRARY if c.name == "sorted")
    assert component_cost(comp, frozenset({"sort", "the", "list"}), "") < comp.cost
    assert component_cost(comp, frozenset({"add", "numbers"}), "") == comp.cost


@pytest.mark.parametrize(
    ("imports", "want"),
    [
        ((), "import math\nreturn math.sqrt(x)"),
        (("import math",), "return math.sqrt(x)"),
        (("import  math",), "return math.sqrt(x)"),
        (("from math import sqrt",), "import math\nreturn math.sqrt(x)"),
    ],
)
def test_bodies_import_what_the_file_lacks(imports: tuple[str, ...], want: str) -> None:
    assert render_body("math.sqrt(x)", frozenset({"math"}), imports) == want


def test_parts_solve_each_position_of_pair_outputs() -> None:
    parts = Parts([(1, "a"), (2, "b")])
    assert parts.active and not Parts([(1, 2), (3,)]).active and not Parts([5, 6]).active
    first = Expr("n", 1, [1, 2], uses=1)
    second = Expr("s", 1, ["a", "b"], uses=2)
    assert parts.see(first) is None
    both = parts.see(second)
    assert both is not None and parts.code(both) == "n, s"
