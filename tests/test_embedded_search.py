"""The embedded search in-process: expression bodies, statement templates, order and prior."""

from __future__ import annotations

from typing import Any

import pytest

from synthls.intent.model import Spec
from synthls.synth.embedded import search
from tests.test_embedded import BUDGET, compile_body, first_body, make_spec

# --- expressions -------------------------------------------------------------------------------

CASES: list[tuple[Spec, list[tuple[tuple[Any, ...], Any]]]] = [
    (
        make_spec(
            "common",
            "a, b",
            "Return the shared elements of two lists, sorted.",
            [("common([1, 2, 3], [2, 3, 4])", "[2, 3]"), ("common([5, 1], [1, 5, 7])", "[1, 5]")],
        ),
        [(([9, 8, 7], [7, 9]), [7, 9]), (([], [1]), [])],
    ),
    (
        make_spec(
            "squares",
            "nums",
            "Squares of the elements of a list.",
            [("squares([1, 2, 3])", "[1, 4, 9]"), ("squares([10, 5])", "[100, 25]")],
        ),
        [(([4, -1],), [16, 1])],
    ),
    (
        make_spec(
            "count_positive",
            "xs",
            "Count the positive numbers in a list.",
            [
                ("count_positive([1, -2, 3, -4])", "2"),
                ("count_positive([3, 4, 5, -1])", "3"),
                ("count_positive([-1, -2])", "0"),
                ("count_positive([7, 0, 2, 9, 1])", "4"),
            ],
        ),
        [(([5, 5, 5, -5, 6],), 4)],
    ),
    (
        make_spec(
            "digit_sum",
            "n",
            "Sum of the digits of a non-negative integer.",
            [("digit_sum(345)", "12"), ("digit_sum(12)", "3"), ("digit_sum(97)", "16")],
        ),
        [((1000,), 1), ((99999,), 45)],
    ),
    (
        make_spec(
            "by_second",
            "pairs",
            "Sort a list of tuples by their second value.",
            [
                ("by_second([('a', 3), ('b', 1), ('c', 2)])", "[('b', 1), ('c', 2), ('a', 3)]"),
                ("by_second([('x', 10), ('y', 5), ('z', 7)])", "[('y', 5), ('z', 7), ('x', 10)]"),
            ],
        ),
        [(([("p", 2), ("q", 2), ("r", 1)],), [("r", 1), ("p", 2), ("q", 2)])],
    ),
    (
        make_spec(
            "flatten",
            "rows",
            "Flatten a list of lists into a set.",
            [
                ("flatten([[3, 4], [4, 5, 7]])", "{3, 4, 5, 7}"),
                ("flatten([[1], [1, 2], []])", "{1, 2}"),
            ],
        ),
        [(([[9], [8, 9]],), {8, 9})],
    ),
    (
        make_spec(
            "shout",
            "s",
            "Upper-case the words of a sentence and join them with dashes.",
            [("shout('a b c')", "'A-B-C'"), ("shout('hi there')", "'HI-THERE'")],
        ),
        [(("one two",), "ONE-TWO")],
    ),
]


@pytest.mark.parametrize(("spec", "hidden"), CASES, ids=[c[0].name for c in CASES])
def test_expression_bodies_generalise(
    spec: Spec, hidden: list[tuple[tuple[Any, ...], Any]]
) -> None:
    fn = first_body(spec)
    for args, want in hidden:
        assert fn(*args) == want


def test_bodies_satisfy_examples_are_distinct_and_deterministic() -> None:
    spec = CASES[0][0]
    first = search(spec, BUDGET, max_candidates=3)
    assert len(first) == len(set(first)) >= 2
    for body in first:
        fn = compile_body(spec, body)
        assert fn([1, 2, 3], [2, 3, 4]) == [2, 3]
    assert search(spec, BUDGET, max_candidates=3) == first


def test_imports_are_added_to_the_body_unless_the_file_has_them() -> None:
    examples = [
        ("freq([1, 1, 2])", "Counter({1: 2, 2: 1})"),
        ("freq('aba')", "Counter({'a': 2, 'b': 1})"),
    ]
    spec = make_spec("freq", "xs", "Count how often each item occurs.", examples)
    body = search(spec, BUDGET, max_candidates=1)[0]
    assert body.startswith("from collections import Counter\n")
    with_import = make_spec(
        "freq",
        "xs",
        "Count how often each item occurs.",
        examples,
        imports=("from collections import Counter",),
    )
    assert not search(with_import, BUDGET, max_candidates=1)[0].startswith("from")


# --- statement templates -----------------------------------------------------------------------


def test_recurrence_template() -> None:
    spec = make_spec(
        "fib",
        "n",
        "The n-th Fibonacci number.",
        [("fib(1)", "1"), ("fib(5)", "5"), ("fib(10)", "55"), ("fib(0)", "0")],
    )
    fn = first_body(spec)
    assert fn(20) == 6765


def test_early_return_template() -> None:
    spec = make_spec(
        "first_negative",
        "xs",
        "The first negative number, or None.",
        [
            ("first_negative([1, -2, 3])", "-2"),
            ("first_negative([4, 5])", "None"),
            ("first_negative([-7, 1, -3])", "-7"),
        ],
    )
    bodies = search(spec, BUDGET, max_candidates=1)
    assert bodies and bodies[0].startswith("for ")
    fn = compile_body(spec, bodies[0])
    assert fn([3, 0, -9, -1]) == -9 and fn([]) is None


def test_if_else_template() -> None:
    spec = make_spec(
        "sign",
        "x",
        "Say whether x is positive or negative.",
        [("sign(5)", "'pos'"), ("sign(-2)", "'neg'"), ("sign(3)", "'pos'"), ("sign(-9)", "'neg'")],
    )
    fn = first_body(spec)
    assert fn(100) == "pos" and fn(-100) == "neg"


def test_affine_template_solves_constants_from_the_examples() -> None:
    spec = make_spec(
        "c_to_f",
        "c",
        "Convert degrees Celsius to Fahrenheit.",
        [("c_to_f(100)", "212.0"), ("c_to_f(0)", "32.0"), ("c_to_f(-40)", "-40.0")],
    )
    fn = first_body(spec)
    assert fn(37) == pytest.approx(98.6)


def test_unnamed_constants_are_tried_after_named_ideas() -> None:
    # ``len(xs) - 2`` fits these examples and is cheaper, but 2 is a number nobody named.
    spec = make_spec(
        "count_big",
        "xs, limit",
        "How many items of xs exceed the limit.",
        [
            ("count_big([1, 5, 7, 9], 4)", "3"),
            ("count_big([8, 1, 2], 4)", "1"),
            ("count_big([6, 7, 8, 1, 9], 2)", "4"),
        ],
    )
    fn = first_body(spec)
    assert fn([10, 20, 30], 15) == 2 and fn([], 0) == 0


def test_search_survives_inputs_that_make_expressions_explode() -> None:
    # ``s * n``, ``range(n)``, ``2 ** n``… must be refused, not built
    spec = make_spec(
        "longer",
        "s, n",
        "The length of s plus n.",
        [
            ("longer('ab', 1000000000)", "1000000002"),
            ("longer('xyz', 99999999999)", "100000000002"),
        ],
    )
    fn = first_body(spec)
    assert fn("hello", 3) == 8


def test_separators_that_disappear_become_constants() -> None:
    spec = make_spec(
        "snake_to_camel",
        "word",
        "Convert a snake case string to camel case.",
        [
            ("snake_to_camel('python_program')", "'PythonProgram'"),
            ("snake_to_camel('big_data_set')", "'BigDataSet'"),
        ],
    )
    fn = first_body(spec)
    assert fn("hello_world") == "HelloWorld"


def test_no_body_depends_on_the_order_of_a_set_of_strings() -> None:
    spec = make_spec(
        "dedupe",
        "words",
        "The distinct words.",
        [("dedupe(['b', 'a', 'b'])", "['a', 'b']"), ("dedupe(['c', 'c'])", "['c']")],
    )
    bodies = search(spec, BUDGET, max_candidates=3)
    assert bodies, "the search found no body, so nothing was checked"
    for body in bodies:
        assert "list(set(" not in body and "tuple(set(" not in body
        assert compile_body(spec, body)(["b", "a", "b"]) == ["a", "b"]


def test_mixed_types_can_still_be_compared() -> None:
    spec = make_spec(
        "all_equal",
        "items, value",
        "Check whether all items equal the value.",
        [
            ("all_equal(['a', 'b'], 'a')", "False"),
            ("all_equal([1, 1], 1)", "True"),
            ("all_equal(['g', 'g', 'g'], 'g')", "True"),
            ("all_equal([2, 3, 3], 3)", "False"),
        ],
    )
    fn = first_body(spec)
    assert fn([5, 5, 6], 5) is False and fn([], 1) is True


def test_tuple_outputs_are_solved_one_position_at_a_time() -> None:
    spec = make_spec(
        "split_at",
        "xs, n",
        "Split the list in two parts, the first of length n.",
        [
            ("split_at([1, 1, 2, 3, 4], 3)", "([1, 1, 2], [3, 4])"),
            ("split_at(['a', 'b', 'c', 'd'], 2)", "(['a', 'b'], ['c', 'd'])"),
            ("split_at([5, 6], 0)", "([], [5, 6])"),
        ],
    )
    fn = first_body(spec)
    assert fn([9, 8, 7], 1) == ([9], [8, 7])
