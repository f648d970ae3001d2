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
