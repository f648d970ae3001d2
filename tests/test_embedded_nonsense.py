"""Bodies that fit the examples by arithmetic coincidence are refused by what they compute.

Each rule is checked on a body that fits its examples (so only the rule can refuse it), next to a
natural body of the same kind that must stay; then the search on the same stub must not offer it.
"""

from __future__ import annotations

from synthls.synth.embedded import nonsense, plausible, search
from synthls.synth.embedded.problem import Problem, build_problem
from tests.test_embedded import compile_body, make_spec

BUDGET = 2.0

NEXT_SQUARE = make_spec(
    "next_square",
    "N",
    "Find the next perfect square greater than a given number.",
    [("next_square(35)", "36"), ("next_square(6)", "9"), ("next_square(9)", "16")],
)
SEARCH = make_spec(
    "sequential_search",
    "dlist, item",
    "Whether item is in the list, and its index.",
    [
        ("sequential_search([11, 23, 58, 31, 56, 77, 43, 12, 65, 19], 31)", "(True, 3)"),
        ("sequential_search([12, 32, 45, 62, 35, 47, 44, 61], 61)", "(True, 7)"),
        ("sequential_search([9, 10, 17, 19, 22, 39, 48, 56], 48)", "(True, 6)"),
    ],
)
EVEN_PAIRS = make_spec(
    "even_pairs",
    "A",
    "Count the pairs of integers in a list that xor to an even number.",
    [("even_pairs([5, 4, 7, 2, 1])", "4"), ("even_pairs([7, 2, 8, 1, 0, 5, 11])", "9")],
)
POLAR = make_spec(
    "convert",
    "numbers",
    "Convert a number to polar coordinates.",
    [("convert(1)", "(1.0, 0.0)"), ("convert(4)", "(4.0, 0.0)"), ("convert(5)", "(5.0, 0.0)")],
)


def problem(spec: object) -> Problem:
    built = build_problem(spec)  # type: ignore[arg-type]
    assert built is not None
    return built


def fits(spec: object, body: str) -> None:
    """The body passes every example: only a plausibility rule can refuse it."""
    fn = compile_body(spec, body)  # type: ignore[arg-type]
    p = problem(spec)
    assert [fn(*args) for args in p.inputs] == list(p.outputs), body


def test_a_number_s_text_length_needs_words_about_digits() -> None:
    body = "return len(bin(N)[2:]) ** 2"
    fits(NEXT_SQUARE, body)
    assert "characters" in (nonsense.static_reason(problem(NEXT_SQUARE), body) or "")
    digits = make_spec("digits", "n", "Count the digits of n.", [("digits(123)", "3")])
    assert nonsense.static_reason(problem(digits), "return len(str(n))") is None


def test_a_count_mixed_with_an_element_s_value() -> None:
    body = "return item in dlist, item // len(dlist)"
    fits(SEARCH, body)
    assert "mixes a count" in (nonsense.static_reason(problem(SEARCH), body) or "")
    natural = "return item in dlist, dlist.index(item)"
    fits(SEARCH, natural)
    assert nonsense.static_reason(problem(SEARCH), natural) is None
    mean = make_spec("mean", "xs", "The mean.", [("mean([1, 2, 3])", "2.0")])
    assert nonsense.static_reason(problem(mean), "return sum(xs) / len(xs)") is None
    pairs = make_spec(
        "count_pairs",
        "pairs",
        "Count pairs.",
        [("count_pairs([(5, 6), (1, 2), (6, 5), (9, 1), (6, 5), (2, 1)])", "3")],
    )
    weird = "return len(pairs) / max(min(pairs))"
    assert "mixes a count" in (nonsense.static_reason(problem(pairs), weird) or "")


def test_a_scaled_value_is_still_a_value() -> None:
    """HumanEval/151's examples (the sum of the odd numbers' squares) fit a squared maximum
    plus a count of twos; scaling keeps a quantity's kind, so the sum still mixes them."""
    spec = make_spec(
        "double_the_difference",
        "lst",
        "Return the sum of squares of the numbers in the list that are odd.",
        [
            ("double_the_difference([1, 3, 2, 0])", "10"),
            ("double_the_difference([-1, -2, 0])", "0"),
            ("double_the_difference([9, -2])", "81"),
            ("double_the_difference([0])", "0"),
        ],
    )
    weird = "return max(lst) ** 2 + lst.count(2)"
    fits(spec, weird)
    assert "mixes a count" in (nonsense.static_reason(problem(spec), weird) or "")
    assert "mixes a count" in (
        nonsense.static_reason(problem(spec), "return len(lst) - 2 * max(lst)") or ""
    )
    for natural in (
        "return sum(x ** 2 for x in lst if x % 2 == 1 and x > 0)",
        "return sum(lst) * 2 / len(lst)",
        "return max(lst) ** 2 + min(lst)",
    ):
        assert nonsense.static_reason(problem(spec), natural) is None, natural


def test_a_position_looked_for_among_the_elements() -> None:
    """HumanEval/62 (a polynomial's derivative): ``i in xs`` tests an index of ``xs`` as if it
    were one of its values."""
    spec = make_spec(
        "derivative",
        "xs",
        "xs are the coefficients of a polynomial; return its derivative in the same form.",
        [("derivative([3, 1, 2, 4, 5])", "[1, 4, 12, 20]"), ("derivative([1, 2, 3])", "[2, 6]")],
    )
    weird = "return [i * x for i, x in enumerate(xs) if i in xs]"
    fits(spec, weird)
    assert "among the elements" in (nonsense.static_reason(problem(spec), weird) or "")
    natural = "return [i * x for i, x in enumerate(xs)][1:]"
    fits(spec, natural)
    assert nonsense.static_reason(problem(spec), natural) is None
    assert "among the elements" in (
        nonsense.static_reason(problem(spec), "return len(xs) in xs") or ""
    )
    assert (
        nonsense.static_reason(problem(spec), "return [x for i, x in enumerate(xs) if x in xs]")
        is None
    )


def test_an_element_s_value_as_a_position() -> None:
    spec = make_spec(
        "even_at_even",
        "arr",
        "Sum of even numbers at even positions.",
        [("even_at_even([5, 6, 12, 1, 18, 8])", "30"), ("even_at_even([5, 6, 12, 1])", "12")],
    )
    assert "position" in (nonsense.static_reason(problem(spec), "return sum(arr[min(arr):])") or "")
    rotate = make_spec("rotate", "l, n", "Rotate.", [("rotate([1, 2, 3], 1)", "[2, 3, 1]")])
    assert nonsense.static_reason(problem(rotate), "return l[n:] + l[:n]") is None


def test_numbers_read_only_through_their_count() -> None:
    body = "return (len(A) // 2) ** 2"
    fits(EVEN_PAIRS, body)
    assert "only the length" in (nonsense.static_reason(problem(EVEN_PAIRS), body) or "")
    words = make_spec("chars", "s", "Count the characters.", [("chars('abc')", "3")])
    assert nonsense.static_reason(problem(words), "return len(s)") is None


def test_a_disguised_constant() -> None:
    body = "return float(numbers), numbers - float(numbers)"
    fits(POLAR, body)
    p = problem(POLAR)
    why = nonsense.disguised_constant(p, body, lambda src: plausible._results(p, src))
    assert why == "`numbers - float(numbers)` is always 0.0"
    natural = "return float(numbers), 0.0"
    assert nonsense.disguised_constant(p, natural, lambda src: plausible._results(p, src)) is None
    assert plausible.behaviour(p, body, 1) is None
    assert plausible.behaviour(p, natural, 1) is not None


def test_the_search_no_longer_offers_them() -> None:
    cases = {
        NEXT_SQUARE: "len(bin(",
        SEARCH: "// len(dlist)",
        EVEN_PAIRS: "(len(A) // 2) ** 2",
        POLAR: "numbers - float(numbers)",
    }
    for spec, nonsense_part in cases.items():
        offered = search(spec, BUDGET, max_candidates=8)
        assert all(nonsense_part not in body for body in offered), (spec.name, offered)


# --- a shifted length, a guarded constant, records, keys by length -------------------------

MIDDLE = make_spec(
    "inner_count",
    "xs",
    "How many letters of the word have a neighbour on each side.",
    [("inner_count('kite')", "2"), ("inner_count('sky')", "1"), ("inner_count('ox')", "0")],
)
IS_EMPTY = make_spec(
    "no_entries",
    "table",
    "Whether the table has no entries.",
    [
        ("no_entries({'ab': 3})", "False"),
        ("no_entries({'cd': 3})", "False"),
        ("no_entries({})", "True"),
    ],
)
LAST_FIELD = make_spec(
    "last_fields",
    "rows",
    "The last field of each row.",
    [
        ("last_fields([[7, 'Ann', 31], [8, 'Bob', 22]])", "[31, 22]"),
        ("last_fields([[1, 'Cy', 40], [2, 'Di', 18], [3, 'Ed', 27]])", "[40, 18, 27]"),
    ],
)
LONGEST = make_spec(
    "longest_row",
    "rows",
    "The row having the maximum length.",
    [
        ("longest_row([['x'], ['x', 'y'], ['x', 'y', 'z']])", "['x', 'y', 'z']"),
        ("longest_row([[2], [2, 4], [2, 4, 6]])", "[2, 4, 6]"),
    ],
)


def test_a_length_shifted_by_a_number_nobody_stated() -> None:
    p = problem(MIDDLE)
    for body in ("return len(xs[2:])", "return len(xs[1:-1])", "return len(xs[:-2])"):
        fits(MIDDLE, body)
        assert "shifted" in (nonsense.static_reason(p, body) or ""), body
    for natural in ("return len(xs[1:])", "return len(xs[:3])", "return len(xs) - 1"):
        assert nonsense.static_reason(p, natural) is None, natural
    stated = make_spec(
        "after_two",
        "xs",
        "How many letters follow the first 2 letters of xs.",
        [("after_two('abc')", "1")],
    )
    assert nonsense.static_reason(problem(stated), "return len(xs[2:])") is None


def test_a_guarded_body_whose_other_branch_is_a_constant_in_disguise() -> None:
    body = "if not table:\n    return True\nreturn max(table).isdigit()"
    fits(IS_EMPTY, body)
    p = problem(IS_EMPTY)
    why = nonsense.disguised_constant(p, body, lambda src: plausible._results(p, src))
    assert why == "`max(table).isdigit()` is always False"
    assert plausible.behaviour(p, body, 1) is None
    assert plausible.behaviour(p, "return len(table) == 0", 1) is not None
    offered = search(IS_EMPTY, BUDGET, max_candidates=8)
    assert "return len(table) == 0" in offered, offered
    assert all(".isdigit()" not in b and ".isalpha()" not in b for b in offered), offered


def test_a_record_s_other_fields_do_not_make_an_index_implausible() -> None:
    p = problem(LAST_FIELD)
    assert plausible.behaviour(p, "return [r[-1] for r in rows]", 1) is not None
    assert search(LAST_FIELD, BUDGET, max_candidates=1) == ["return [t[-1] for t in rows]"]


def test_a_key_function_by_name_costs_what_it_prints() -> None:
    """``max(rows)`` and ``max(rows, key=len)`` agree on these examples and differ on their
    neighbours (a last row that starts with a larger item): both are offered, so the
    examples read as ambiguous instead of ``max(rows)`` being verified alone."""
    offered = search(LONGEST, BUDGET, max_candidates=8)
    assert "return max(rows)" in offered, offered
    assert "return max(rows, key=len)" in offered, offered
    assert all("lambda" not in b or "len(" not in b for b in offered), offered


def test_a_number_nobody_stated_looked_for_among_the_elements() -> None:
    """MBPP/804 (dev half A, "whether the product of numbers is even"): ``2 in arr`` fits
    ``[1, 2, 3] -> True``, ``[1, 2, 1, 4] -> True``, ``[1, 1] -> False``; the 2 of "even" is a
    divisor, not an item. A number the docstring names, or a zero, may be looked for."""
    spec = make_spec(
        "is_product_even",
        "arr",
        "Check whether the product of numbers in a list is even or not.",
        [
            ("is_product_even([1, 2, 3])", "True"),
            ("is_product_even([1, 2, 1, 4])", "True"),
            ("is_product_even([1, 1])", "False"),
        ],
    )
    weird = "return 2 in arr"
    fits(spec, weird)
    assert "nobody stated" in (nonsense.static_reason(problem(spec), weird) or "")
    natural = "return any(x % 2 == 0 for x in arr)"
    fits(spec, natural)
    assert nonsense.static_reason(problem(spec), natural) is None
    zero = make_spec(
        "has_zero_product",
        "arr",
        "Whether the product of the numbers is zero.",
        [("has_zero_product([1, 0])", "True"), ("has_zero_product([3, 2])", "False")],
    )
    assert nonsense.static_reason(problem(zero), "return 0 in arr") is None
    named = make_spec(
        "has_seven",
        "arr",
        "Whether the list holds a 7.",
        [("has_seven([1, 7])", "True"), ("has_seven([3, 2])", "False")],
    )
    assert nonsense.static_reason(problem(named), "return 7 in arr") is None
