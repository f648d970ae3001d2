"""Generated inputs: type-aware mutations of the example arguments, deterministic."""

from __future__ import annotations

import ast
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from synthls.intent.examples import extract_examples
from synthls.intent.model import Example, Param, Spec
from synthls.synth.inputs import RANDOM_SHARE, generate, generate_inputs, mutations


def spec_from(doc: str, name: str = "f", params: tuple[Param, ...] = ()) -> Spec:
    return Spec(name=name, params=params, examples=extract_examples(doc, 0, name))


def call_args(source: str) -> list[object]:
    call = ast.parse(source, mode="eval").body
    assert isinstance(call, ast.Call)
    return [ast.literal_eval(a) for a in call.args]


def test_mutations_by_type() -> None:
    assert mutations(5) == [6, 4, 0, -5, 1, 7]
    assert mutations(True) == [False]
    assert "" in mutations("abc") and "ab" in mutations("abc") and "abcc" in mutations("abc")
    assert mutations([1, 2, 3])[:4] == [[1, 2], [2, 3], [], [1, 2, 3, 3]]
    assert [-1, -2, -3] in mutations([1, 2, 3])
    assert mutations((1, 2))[:3] == [(1,), (2,), ()]
    assert {} in mutations({"a": 1})
    assert mutations(None) == []


def test_mutations_never_repeat_the_value_or_themselves() -> None:
    values: tuple[object, ...] = (0, 1, -1, 0.0, "", "a", [], [0], (), {}, "aa", [1, 1])
    for value in values:
        out = mutations(value)
        assert all(repr(v) != repr(value) or type(v) is not type(value) for v in out)
        assert len({(type(v), repr(v)) for v in out}) == len(out)


def test_inputs_come_from_the_examples_and_keep_types() -> None:
    spec = spec_from("f([1, 2, 3], 'ab') == 3\nf([4], 'x') == 1\n")
    inputs = generate_inputs(spec, limit=50)
    assert inputs, "expected generated inputs"
    originals = {"f([1, 2, 3], 'ab')", "f([4], 'x')"}
    assert not originals & set(inputs)
    for source in inputs:
        args = call_args(source)
        assert source.startswith("f(")
        assert isinstance(args[0], list) and isinstance(args[1], str)
    assert "f([1, 2], 'ab')" in inputs  # shorter list
    assert "f([1, 2, 3], '')" in inputs  # empty string
    assert "f([1, 2, 3], 'x')" in inputs  # argument taken from the other example
    assert "f([-1, -2, -3], 'ab')" in inputs  # sign flip


def test_inputs_respect_the_limit_and_are_deterministic() -> None:
    spec = spec_from(">>> f(10, 'abc')\n3\n>>> f(2, 'z')\n1\n")
    first = generate_inputs(spec, limit=7)
    assert len(first) == 7
    assert first == generate_inputs(spec, limit=7)
    mutated = 7 - int(7 * RANDOM_SHARE)  # the rest are random values shaped like the examples
    assert generate_inputs(spec, limit=30)[:mutated] == first[:mutated]
    assert len(set(first)) == 7


def test_round_robin_covers_every_argument_first() -> None:
    spec = spec_from("f(10, 'abc') == 1\n")
    first_two = [call_args(s) for s in generate_inputs(spec, limit=2)]
    assert first_two == [[11, "abc"], [10, "ab"]]


def test_doctest_call_inside_an_expression_and_keywords() -> None:
    spec = Spec(name="f", examples=(Example("sorted(f(3, key=2))", "[1]\n", 0),))
    inputs = generate_inputs(spec, limit=3)
    assert inputs == ("f(4, key=2)", "f(3, key=3)", "f(2, key=2)")


def test_non_literal_examples_fall_back_to_annotations() -> None:
    params = (Param("n", "int"), Param("words", "list[str]"))
    spec = Spec(name="g", params=params, examples=(Example("g(x, y)", "1\n", 0),))
    inputs = generate_inputs(spec, limit=24)
    assert inputs and all(s.startswith("g(") for s in inputs)
    for source in inputs:
        n, words = call_args(source)
        assert isinstance(n, int) and isinstance(words, list)


def test_unannotated_parameters_get_values_of_several_types() -> None:
    inputs = generate_inputs(Spec(name="f", params=(Param("x"),)))
    kinds = {type(call_args(s)[0]) for s in inputs}
    assert {int, str, list} <= kinds


def test_list_annotations_pick_element_types() -> None:
    spec = Spec(name="f", params=(Param("words", "List[str]"),))
    inputs = generate_inputs(spec)
    assert inputs
    for source in inputs:
        (words,) = call_args(source)
        assert isinstance(words, list) and all(isinstance(w, str) for w in words)


def test_no_parameters_and_no_examples_give_nothing() -> None:
    assert generate_inputs(Spec(name="f")) == ()


def test_sets_render_the_same_way_every_time() -> None:
    spec = Spec(name="f", examples=(Example("f({'b', 'a', 'c'})", "3\n", 0),))
    inputs = generate_inputs(spec)
    assert "f(set())" in inputs
    assert all("{'a', 'b'}" in s or "{" not in s for s in inputs if s != "f(set())")


literals = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(calls=st.lists(st.lists(literals, min_size=1, max_size=3), min_size=1, max_size=3))
def test_any_literal_examples_give_parsable_calls_of_the_function(
    calls: list[list[object]],
) -> None:
    examples = tuple(
        Example(f"f({', '.join(map(repr, args))})", "1", i, "value") for i, args in enumerate(calls)
    )
    spec = Spec(name="f", examples=examples)
    inputs = generate_inputs(spec, limit=30)
    assert len(inputs) <= 30 and len(set(inputs)) == len(inputs)
    arity = {len(args) for args in calls}
    for source in inputs:
        call = ast.parse(source, mode="eval").body
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
        assert call.func.id == "f"
        args = eval(source, {"__builtins__": {"float": float}, "f": lambda *a: a})
        assert len(args) in arity
    assert inputs == generate_inputs(spec, limit=30)


def test_method_examples_keep_their_callee() -> None:
    from synthls.intent.model import Example, Spec
    from synthls.synth.inputs import generate_inputs

    spec = Spec(
        name="c_to_f",
        examples=(Example(source="Temperature.c_to_f(100)", want="212.0\n", line=0),),
    )
    inputs = generate_inputs(spec)
    assert inputs and all(i.startswith("Temperature.c_to_f(") for i in inputs)
    spec2 = Spec(name="area", examples=(Example(source="Square(2).area()", want="4\n", line=0),))
    assert generate_inputs(spec2) == () or all(
        i.startswith("Square(2).area(") for i in generate_inputs(spec2)
    )


def test_random_values_shaped_like_the_examples_fill_the_limit() -> None:
    spec = spec_from("f(['aa', 'a', 'aaa']) == ['aa']\nf(['ab', 'cd']) == ['ab', 'cd']\n")
    inputs = generate_inputs(spec, limit=60)
    assert len(inputs) == 60 and len(set(inputs)) == 60
    assert inputs == generate_inputs(spec, limit=60)  # seeded: the same every time
    mutated = [f"f({v!r})" for v in mutations(["aa", "a", "aaa"]) + mutations(["ab", "cd"])]
    assert inputs[:8] == generate_inputs(spec, limit=10)[:8]  # the mutations come first
    shaped = [s for s in inputs if s not in mutated]
    assert len(shaped) >= 40
    for source in shaped:
        (words,) = call_args(source)
        assert isinstance(words, list) and len(words) <= 5
        assert all(isinstance(w, str) and set(w) <= set(string.ascii_lowercase) for w in words)
    lengths = {len(w) for source in shaped for w in call_args(source)[0]}
    assert lengths - {1, 2, 3}  # sizes the examples never had
    letters = {c for source in shaped for w in call_args(source)[0] for c in w}
    assert letters - set("abcd")  # letters of the same class the examples never used


def test_the_first_inputs_are_mutations_of_the_examples_the_rest_random_draws() -> None:
    doc = ">>> total([1, 2, 4])\n7\n>>> total([5, 0, 3, 9])\n17\n"
    spec = Spec(
        name="total",
        signature="def total(xs):",
        docstring=doc,
        examples=extract_examples(doc, 0, "total"),
    )
    probes, mutated = generate(spec)
    assert probes == generate_inputs(spec) and 0 < mutated < len(probes)
    # a mutation keeps most of an example's items; a random draw is a fresh list like them
    assert "total([4, 2, 1])" in probes[:mutated]
    assert all(p not in probes[:mutated] for p in probes[mutated:])
