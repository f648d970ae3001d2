"""Fuzz the example extractor: it never crashes, and what it returns is always well formed."""

from __future__ import annotations

import ast

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synthls.intent.examples import extract_examples
from synthls.intent.model import Param

# fmt: off
PIECES = [
    "f(", ")", "(", "[", "]", "{", "}", "'", '"', "\\", ",", " ", "\n", "    ", "==", "=", "->",
    "=>", "==>", "➞", "#", "returns", "should return", "assert ", "for ", "Input:", "Output:",
    "Example:", ">>> ", "... ", "1", "-2.5", "x", "True", "None", "a = ", "k : ", "For ", "\t",
    "the output should be", "\x00", "\u2028", "f", "*", "(not this)", ".",
]
# fmt: on

docstrings = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=80).map("".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=docstrings, first_line=st.integers(min_value=0, max_value=1000))
def test_extractor_never_crashes_and_returns_well_formed_examples(
    doc: str, first_line: int
) -> None:
    found = extract_examples(doc, first_line, "f")
    n_lines = doc.count("\n") + 1
    for ex in found:
        assert first_line <= ex.line < first_line + n_lines
        assert ex.end_line is None or ex.line <= ex.end_line < first_line + n_lines
        if ex.style == "value":
            tree = ast.parse(ex.source, mode="eval")
            calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
            assert any(isinstance(c.func, ast.Name) and c.func.id == "f" for c in calls)
            ast.parse(ex.want, mode="eval")
    assert [e.line for e in found] == sorted(e.line for e in found)


@settings(max_examples=200, deadline=None)
@given(doc=st.text(alphabet=st.characters(blacklist_characters="f>x"), max_size=300))
def test_text_that_never_names_the_function_yields_nothing(doc: str) -> None:
    """No ``f``, no ``>>>`` and no ``Example`` heading (no ``x``): nothing is an example."""
    assert extract_examples(doc, 0, "f", (Param("s", "str"), Param("n"))) == ()


PARAMS = (Param("s", "str"), Param("n"))
LOOSE = [*PIECES, "g(", "Examples:\n", "s = ", "n = ", "return ", "-> ", "abc", "string", ", "]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=st.lists(st.sampled_from(LOOSE), max_size=80).map("".join))
def test_loose_forms_never_crash_and_always_call_the_function(doc: str) -> None:
    """With parameters known (bare words, ``s = ...`` / ``return``, old names) the same holds."""
    found = extract_examples(doc, 0, "f", PARAMS)
    for ex in found:
        if ex.style == "value":
            tree = ast.parse(ex.source, mode="eval")
            assert any(
                isinstance(c, ast.Call) and isinstance(c.func, ast.Name) and c.func.id == "f"
                for c in ast.walk(tree)
            )
            assert "g(" not in ex.source
            ast.parse(ex.want, mode="eval")


@settings(max_examples=200, deadline=None)
@given(
    args=st.lists(
        st.integers(-1000, 1000)
        | st.text(max_size=8)
        | st.floats(allow_nan=False, allow_infinity=False),
        max_size=3,
    ),
    want=st.lists(st.integers(), max_size=4),
    sep=st.sampled_from(["==", "->", "=>", "==>", "➞", "returns", "should return"]),
    indent=st.sampled_from(["", "    ", "\t"]),
)
def test_generated_examples_round_trip(
    args: list[object], want: list[int], sep: str, indent: str
) -> None:
    source = f"f({', '.join(map(repr, args))})"
    doc = f"Summary.\n\nExamples:\n{indent}{source} {sep} {want!r}\n"
    found = extract_examples(doc, 7, "f")
    assert [(e.source, ast.literal_eval(e.want), e.line) for e in found] == [(source, want, 10)]
