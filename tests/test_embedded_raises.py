"""Examples that raise become guards: ``if <condition>: raise Error('message')``."""

from __future__ import annotations

import textwrap

import pytest

from synthls.intent.examples import extract_examples
from synthls.intent.model import Param, Spec
from synthls.sandbox import Program, run_programs_sync
from synthls.synth.embedded import search, search_isolated
from synthls.synth.embedded.problem import build_problem, exception_of

ISQRT = """Square root, rounded down; refuses negative numbers.

>>> isqrt(9)
3
>>> isqrt(10)
3
>>> isqrt(0)
0
>>> isqrt(-4)
Traceback (most recent call last):
    ...
ValueError: negative input
"""


def spec_of(name: str, params: str, doc: str) -> Spec:
    return Spec(
        name=name,
        params=tuple(Param(p.strip()) for p in params.split(",")),
        docstring=doc,
        examples=extract_examples(doc, 0, name),
    )


def module(spec: Spec, body: str) -> str:
    return f"def {spec.name}({', '.join(spec.param_names)}):\n{textwrap.indent(body, '    ')}\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ValueError: negative input\n", ("ValueError", "negative input")),
        (
            "builtins.ZeroDivisionError: division by zero\n",
            ("ZeroDivisionError", "division by zero"),
        ),
        ("TypeError\n", ("TypeError", None)),
        ("KeyError: 'k'\n", None),  # prints the repr of its argument
        ("mypkg.CustomError: no\n", None),  # not a builtin: the body could not name it
        ("SystemExit: 1\n", None),  # not an Exception
        ("", None),
    ],
)
def test_exception_of(text: str, expected: tuple[str, str | None] | None) -> None:
    assert exception_of(text) == expected


def test_raising_examples_are_kept_apart() -> None:
    problem = build_problem(spec_of("isqrt", "n", ISQRT))
    assert problem is not None
    assert problem.inputs == ((9,), (10,), (0,))
    assert problem.raising == (((-4,), "ValueError", "negative input"),)


def test_guarded_body_passes_every_example_in_the_sandbox_and_generalises() -> None:
    spec = spec_of("isqrt", "n", ISQRT)
    bodies = search_isolated(spec, 4.0, max_candidates=6)
    guarded = [b for b in bodies if "raise ValueError('negative input')" in b]
    assert guarded, bodies
    results = run_programs_sync(
        [
            Program(setup=module(spec, b), examples=spec.examples, probes=("isqrt(-1)",))
            for b in bodies
        ]
    )
    passing = [b for b, r in zip(bodies, results) if r.all_passed]
    assert passing and all(b in guarded for b in passing)  # the unguarded ones fail isqrt(-4)
    ns: dict[str, object] = {}
    exec(module(spec, passing[0]), ns)
    with pytest.raises(ValueError, match="negative input"):
        ns["isqrt"](-1)  # type: ignore[operator]
    assert ns["isqrt"](26) == 5  # type: ignore[operator]


def test_a_body_that_already_raises_is_offered_plain_first() -> None:
    doc = ">>> div(6, 3)\n2.0\n>>> div(1, 0)\nTraceback (most recent call last):\n"
    doc += "ZeroDivisionError: division by zero\n"
    spec = spec_of("div", "a, b", doc)
    bodies = search(spec, 3.0, max_candidates=2)
    assert bodies[0] == "return a / b"
    assert bodies[1].startswith("if ") and bodies[1].endswith("return a / b")
    results = run_programs_sync(
        [Program(setup=module(spec, b), examples=spec.examples) for b in bodies]
    )
    assert all(r.all_passed for r in results)


def test_no_condition_found_gives_plain_bodies() -> None:
    # the same input both returns and raises: no condition can tell them apart
    doc = ">>> f(2)\n4\n>>> f(3)\n6\n>>> f(2)\nTraceback (most recent call last):\nValueError: no\n"
    bodies = search(spec_of("f", "x", doc), 2.0, max_candidates=3)
    assert bodies and not any("raise" in b for b in bodies)


def test_the_least_strict_of_the_smallest_conditions_wins() -> None:
    # 9, 10 and -4 fit both `n < 0` and `n < 2`; only the first accepts n = 1 as the prose means
    doc = ISQRT.replace(">>> isqrt(0)\n0\n", "")
    bodies = search(spec_of("isqrt", "n", doc), 3.0, max_candidates=2)
    guarded = [b for b in bodies if "raise" in b]
    assert guarded and guarded[0].startswith("if n < 0:\n    raise ValueError('negative input')\n")
