"""The example extractor: every written form, source lines, and what it must refuse."""

from __future__ import annotations

import ast

import pytest

from synthls.intent.examples import extract_examples
from synthls.intent.model import Example, Param


def values(doc: str, name: str = "f", first_line: int = 0) -> list[tuple[str, str, int]]:
    return [
        (e.source, e.want, e.line)
        for e in extract_examples(doc, first_line, name)
        if e.style == "value"
    ]


@pytest.mark.parametrize(
    ("line", "source", "want"),
    [
        ("f(1, 2) == 3", "f(1, 2)", "3"),
        ("f([1, 2]) -> [2, 1]", "f([1, 2])", "[2, 1]"),
        ("f('a') => 'b'", "f('a')", "'b'"),
        ("f('a') ==> 'b'", "f('a')", "'b'"),
        ("f([1, 2], 5) ➞ False", "f([1, 2], 5)", "False"),
        ("f(3) returns 6", "f(3)", "6"),
        ("f(148, 412) should return 16.", "f(148, 412)", "16"),
        ("assert f(2) == 4", "f(2)", "4"),
        ("for f(7, 34, 12) == 34", "f(7, 34, 12)", "34"),
        ("* f([]) => []", "f([])", "[]"),
        ('f(15)   # returns "db1111db"', "f(15)", '"db1111db"'),
        ("f('x.dll') # => 'No' (the name must start with a letter)", "f('x.dll')", "'No'"),
        ("f(1, 4) => true", "f(1, 4)", "True"),
        ("f(12, 15) = 14", "f(12, 15)", "14"),
        ("f([1, 3, 2, 0]) == 1 + 9 + 0 + 0 = 10", "f([1, 3, 2, 0])", "10"),
        ("f(5) returns [1, 5] # the odd ones are 1 and 5", "f(5)", "[1, 5]"),
        ('f("#a@C") = "#A@c"', 'f("#a@C")', '"#A@c"'),
        ("f(0.5) == 0.25", "f(0.5)", "0.25"),
        ("e.g. f(2) -> 4", "f(2)", "4"),
        ("For instance, f(2) -> 4", "f(2)", "4"),
        ("Example 2: f(2) -> 4", "f(2)", "4"),
        ("1) f(2) -> 4", "f(2)", "4"),
    ],
)
def test_value_forms(line: str, source: str, want: str) -> None:
    doc = f"Do the thing.\n\nExamples:\n    {line}\n"
    assert values(doc) == [(source, want, 3)]


def test_lines_are_document_lines() -> None:
    doc = "Summary.\n\n    f(1) == 2\n    f(2) == 3\n"
    assert [line for _, _, line in values(doc, first_line=10)] == [12, 13]


def test_multi_line_call_keeps_its_span() -> None:
    doc = "Find it.\n\nExamples:\nf([\n  [1, 2],\n  [3, 1]\n], 1) == [(0, 0), (1, 1)]\nf([], 1) == []\n"
    found = [e for e in extract_examples(doc, 5, "f") if e.style == "value"]
    assert [(e.source, e.want, e.line, e.end_line) for e in found] == [
        ("f([ [1, 2], [3, 1] ], 1)", "[(0, 0), (1, 1)]", 8, 11),
        ("f([], 1)", "[]", 12, 12),
    ]


def test_multi_line_want() -> None:
    doc = "f(2) == [\n    1,\n    2,\n]\nafter\n"
    found = extract_examples(doc, 0, "f")
    assert [(e.source, e.want, e.line, e.end_line) for e in found] == [("f(2)", "[ 1, 2, ]", 0, 3)]


def test_input_output_blocks() -> None:
    doc = """Pick.

    Example 1:
        Input: [4,2,3]
        Output: [2, 1]
        Explanation: 2 is the smallest even value.

    Example 2:
        Input: arr = [-3, -4, 5], k = 3
        Output: [-4, -3, 5]

    Example 3:
        Input:
            grid : [[0, 1], [1, 1]]
            capacity : 1
        Output: 3  # three buckets
    """
    assert values(doc) == [
        ("f([4,2,3])", "[2, 1]", 3),
        ("f([-3, -4, 5], 3)", "[-4, -3, 5]", 8),
        ("f([[0, 1], [1, 1]], 1)", "3", 12),
    ]
    ends = [e.end_line for e in extract_examples(doc, 0, "f")]
    assert ends == [4, 9, 15]


def test_for_x_the_output_should_be() -> None:
    doc = """Sum it.
    For lst = [1,2,3] the output should be 14
    For s = "abcde", c = "ae", the result should be ('bcd',False)
    For N = 150, the sum of digits will be 6 the output should be "110".
    """
    assert values(doc) == [
        ("f([1,2,3])", "14", 1),
        ('f("abcde", "ae")', "('bcd',False)", 2),
        ("f(150)", '"110"', 3),
    ]


@pytest.mark.parametrize(
    "doc",
    [
        "Returns the sum. Calling g(1) == 2 is another function.",
        "f(n) = f(n - 1) + f(n - 2), if n is odd.",  # a recurrence, not an example
        "is_happy(a) => False",  # prose variable `a`, not a value (under name is_happy below)
        "f(3) == 2 + tri",  # the want names a prose variable
        "We call f(1) twice == not an example",
        "f(x) is the value at x",
        "f(1) == (unbalanced",
        "Note that f(3) == 4 only when the moon is full",  # prose before the call
        "f(3) == f(2) + 1",  # expected value refers to the function itself
        'f(["aaaaaaa", "bb"]) == ""aaaaaaa"',  # broken want: no guessing a prefix
        "Returns:\n    int: f(3) = 4 in this case",  # a type label is not an example label
        "f(3) -> the result of the computation",
        "f(a, b) = a + b",
    ],
)
def test_prose_is_not_an_example(doc: str) -> None:
    assert values(doc, "is_happy") == []
    assert values(doc, "f") == []


def test_doctest_stays_doctest_and_is_not_read_twice() -> None:
    doc = "Add.\n\n>>> f(1, 2) == 3\nTrue\n>>> f(2, 2)\n4\n\nf(3, 3) == 6\n"
    found = extract_examples(doc, 0, "f")
    assert [(e.style, e.source, e.want, e.line, e.end_line) for e in found] == [
        ("doctest", "f(1, 2) == 3", "True\n", 2, 3),
        ("doctest", "f(2, 2)", "4\n", 4, 5),
        ("value", "f(3, 3)", "6", 7, 7),
    ]


def test_without_function_name_only_doctest() -> None:
    doc = ">>> f(1)\n2\nf(2) == 3\n"
    assert [e.style for e in extract_examples(doc)] == ["doctest"]


def test_name_must_match_exactly() -> None:
    doc = "ff(1) == 2\nobj.f(1) == 2\nf_(1) == 2\nf (1) == 2\n"
    assert values(doc) == [("f (1)", "2", 3)]


def test_bad_doctest_indentation_does_not_hide_value_examples() -> None:
    doc = "  >>> f(1)\n 2\nf(2) == 3\n"
    assert values(doc) == [("f(2)", "3", 2)]


def test_extracted_sides_parse() -> None:
    doc = "f(1) -> 2\nf([1,\n  2]) == [2,\n 1]\nInput: 3\nOutput: 4\n"
    found: list[Example] = [e for e in extract_examples(doc, 0, "f") if e.style == "value"]
    assert len(found) == 3
    for ex in found:
        call = ast.parse(ex.source, mode="eval").body
        assert isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
        ast.parse(ex.want, mode="eval")


def test_doctest_equality_without_output_means_true() -> None:
    doc = "Roman.\n\n    >>> f(19) == 'xix'\n    >>> f(2)\n    'ii'\n"
    found = extract_examples(doc, 0, "f")
    assert [(e.style, e.source, e.want, e.line, e.end_line) for e in found] == [
        ("doctest", "f(19) == 'xix'", "True\n", 2, 2),
        ("doctest", "f(2)", "'ii'\n", 3, 4),
    ]


def test_one_malformed_doctest_block_spoils_only_itself() -> None:
    doc = "Vowels.\n    >>> f('a\nb')\n    'b'\n    >>> f('abc')\n    'bc'\n"
    found = extract_examples(doc, 0, "f")
    assert [(e.source, e.want, e.line) for e in found] == [("f('abc')", "'bc'\n", 4)]


@pytest.mark.parametrize(
    ("line", "source", "want"),
    [
        ("assert set(f((3, 4), (5, 4))) == set((4, 5))", "set(f((3, 4), (5, 4)))", "set((4, 5))"),
        ('assert f(2) == False, "two is prime"', "f(2)", "False"),
        ("assert math.isclose(f(1.5), 4.5)", "bool(math.isclose(f(1.5), 4.5))", "True"),
        ("assert not f(4)", "bool(not f(4))", "True"),
    ],
)
def test_assert_statements(line: str, source: str, want: str) -> None:
    assert values(f"Check.\n    {line}\n") == [(source, want, 1)]


@pytest.mark.parametrize("line", ["assert f(x) == 3", "assert g(1) == 2", "assert f(1) == f(2)"])
def test_asserts_that_are_not_examples(line: str) -> None:
    assert values(line) == []


def test_unquoted_words_are_strings_for_string_parameters() -> None:
    doc = "A string s.\nFor example:\nf(a) => False\nf(abcd) => True\nf(x y) => True\n"
    found = extract_examples(doc, 0, "f", (Param("s"),))
    assert [(e.source, e.want, e.line) for e in found] == [
        ("f('a')", "False", 2),
        ("f('abcd')", "True", 3),
    ]


@pytest.mark.parametrize(
    ("doc", "params"),
    [
        ("f(a) => False\nf(abcd) => True\n", (Param("s", "int"),)),  # not a string parameter
        ("No word for the type.\nf(a) => False\nf(b) => True\n", (Param("s"),)),
        ("A string.\nf(word) -> True\n", (Param("s", "str"),)),  # one line is prose
        ("A string.\nf(a) -> b\nf(c) -> d\n", (Param("s", "str"),)),  # wants are not literals
        ("A string s.\nf(s) -> True\nf(t) -> False\n", (Param("s", "str"),)),  # t alone: 1 line
        ("A string.\nf(a, 2) -> True\nf(b, 3) -> False\n", (Param("s", "str"),)),  # arity
    ],
)
def test_unquoted_words_refused(doc: str, params: tuple[Param, ...]) -> None:
    assert extract_examples(doc, 0, "f", params) == ()


def test_examples_under_an_old_name_are_renamed() -> None:
    doc = (
        "Grades.\n\n    Example:\n    grade_equation([4.0, 3]) ==> ['A+', 'B']\n"
        "    assert grade_equation([]) == []\n"
    )
    found = extract_examples(doc, 10, "numerical_letter_grade", (Param("grades"),))
    assert [(e.source, e.want, e.line) for e in found] == [
        ("numerical_letter_grade([4.0, 3])", "['A+', 'B']", 13),
        ("numerical_letter_grade([])", "[]", 14),
    ]


@pytest.mark.parametrize(
    ("doc", "sources"),
    [
        ("Sum.\ng([1]) == 1\n", []),  # no Example heading
        ("Example:\ng([1]) == 1\nh([2]) == 2\n", []),  # two other names: whose examples?
        ("Example:\nlen([1]) == 1\n", []),  # a builtin
        ("Example:\ng([1], 2) == 1\n", []),  # does not fit one parameter
        ("Example:\ng(x) == 1\n", []),  # prose argument
        ("Example:\nf(3) == 1\ng([1]) == 1\n", ["f(3)"]),  # the function has its own
    ],
)
def test_other_names_refused(doc: str, sources: list[str]) -> None:
    assert [e.source for e in extract_examples(doc, 0, "f", (Param("xs"),))] == sources


def test_assignment_then_return_form() -> None:
    doc = (
        "Sort and name.\n  arr = [2, 1, 5]\n        -> sort arr -> [1, 2, 5]\n"
        '  return ["Five", "Two", "One"]\n\n  arr = []\n  return []\n'
        "  arr = [3]\n  Then we think hard.\n  return ['Three']\n"
    )
    found = extract_examples(doc, 0, "by_length", (Param("arr"),))
    assert [(e.source, e.want, e.line, e.end_line) for e in found] == [
        ("by_length([2, 1, 5])", '["Five", "Two", "One"]', 1, 3),
        ("by_length([])", "[]", 5, 6),
    ]
    assert extract_examples(doc, 0, "by_length", (Param("xs"),)) == ()
    assert extract_examples(doc, 0, "by_length") == ()
