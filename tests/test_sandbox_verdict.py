"""The pure parts of the sandbox: per-example verdicts and judging a child's event stream."""

from __future__ import annotations

from typing import Any

import pytest

from synthls.intent.model import Example
from synthls.sandbox.results import build_result
from synthls.sandbox.types import ExampleResult, Program, RunResult
from synthls.sandbox.verdict import check, decide, values_equal
from synthls.synth.report import describe_failures

TRACEBACK = "Traceback (most recent call last):\n  ...\nValueError: bad\n"
IGNORE = ("IGNORE_EXCEPTION_DETAIL",)


def doc(want: str, flags: tuple[str, ...] = (), exc_msg: str | None = None) -> Example:
    return Example(source="f()", want=want, line=0, flags=flags, exc_msg=exc_msg)


def val(want: str) -> Example:
    return Example(source="f()", want=want, line=0, style="value")


@pytest.mark.parametrize(
    ("example", "got", "exc", "expected"),
    [
        (doc("3\n"), "3\n", None, True),
        (doc("3\n"), "4\n", None, False),
        (doc("[1, ...]\n", ("ELLIPSIS",)), "[1, 2, 3]\n", None, True),
        (doc("[1, ...]\n"), "[1, 2, 3]\n", None, False),
        (doc("a   b\n", ("NORMALIZE_WHITESPACE",)), "a b\n", None, True),
        (doc("True\n"), "1\n", None, False),
        (doc("", exc_msg="ValueError: bad\n"), "", ("ValueError", "bad"), True),
        (doc("", exc_msg="ValueError: bad\n"), "", ("ValueError", "worse"), False),
        (doc("", ("IGNORE_EXCEPTION_DETAIL",), "ValueError: x\n"), "", ("ValueError", "y"), True),
        (doc("", exc_msg="KeyError: 'k'\n"), "", ("TypeError", "'k'"), False),
        (doc("3\n"), "", ("ValueError", "bad"), False),
        (doc(TRACEBACK, exc_msg="ValueError: bad\n"), "", None, False),
        (doc(TRACEBACK, exc_msg="ValueError: bad\n"), TRACEBACK, None, True),  # printed, as text
        (doc("", exc_msg="MyError: boom\n"), "", ("pkg.mod.MyError", "boom"), False),
        (doc("", IGNORE, "MyError: boom\n"), "", ("pkg.mod.MyError", "boom"), True),
        # doctest compares text: a literal written differently fails (python -m doctest agrees)
        (doc('"21"\n'), "'21'\n", None, False),
        (doc('"21"\n'), "'12'\n", None, False),
        (doc("[1,2]\n"), "[1, 2]\n", None, False),
        (doc("0.3\n"), "0.30000000000000004\n", None, False),
        (doc("0.2836621854632268\n"), "0.28366218546322675\n", None, False),
        (doc("abc\n"), "abc", None, True),  # print("abc", end=""): doctest adds the newline
        (doc("1\n"), "True\n", None, True),  # doctest's True-for-1 ...
        (doc("1\n", ("DONT_ACCEPT_TRUE_FOR_1",)), "True\n", None, False),  # ... and its flag
        (doc("a\n<BLANKLINE>\nb\n"), "a\n\nb\n", None, True),
        (doc("[1, 2]\n"), "(1, 2)\n", None, False),
        (doc("'a'\n"), "a\n", None, False),
        (val("0.3"), "0.30000000000000004", None, True),
        (val("0.2836621854632268"), "0.28366218546322675", None, True),
        (val("6.62607015e-34"), "0", None, False),  # no absolute tolerance
        (val("1234567.89"), "1234568.0", None, False),  # a tight relative one
        (val("1e308"), str(10**400), None, False),  # OverflowError inside: a plain failure
        (val(str(10**400)), str(10**400), None, True),
        (val("'21'"), '"21"', None, True),  # informal forms: the same literal passes
        (val("[1,2]"), "[1, 2]", None, True),
        (val("[1.0, {'a': (2, 3.0)}]"), "[1.0000000001, {'a': (2, 3.0)}]", None, True),
        (val("[1, 2]"), "(1, 2)", None, False),
        (val("{1.0, 2.0}"), "{2.0000000001, 1.0}", None, True),
        (val("True"), "1", None, False),
        (val("float('nan')"), "nan", None, False),
        (val("'abc'"), "'abd'", None, False),
        (val("Point(x=1)"), "Point(x=1)", None, True),
        (val("3"), "", ("ValueError", "x"), False),
    ],
)
def test_check(example: Example, got: str, exc: tuple[str, str] | None, expected: bool) -> None:
    exc_type, exc_msg = exc if exc else (None, None)
    assert check(example, got, exc_type, exc_msg) is expected


def test_values_equal_nan_and_nesting() -> None:
    assert values_equal(float("nan"), float("nan"))
    assert not values_equal({"a": [1]}, {"a": [1], "b": 2})
    assert values_equal(1, 1.0000000001)
    assert not values_equal(10**400, 1.0) and values_equal(10**400, 10**400)


def test_near_equal_sets_of_20k_tuples_are_judged() -> None:
    """Once O(n²): 20k tuples that differ in the last float digit each."""
    a = {(i, i * 0.1, f"k{i}") for i in range(20_000)}
    b = {(i, i * 0.1 * (1 + 1e-12), f"k{i}") for i in range(20_000)}
    assert values_equal(a, b)
    assert not values_equal(a, b - {(5, 0.5 * (1 + 1e-12), "k5")} | {(5, 0.6, "k5")})
    assert check(val(repr(b)), repr(a), None, None)


def test_sets_needing_a_non_sorted_pairing_still_match() -> None:
    a = {(1.0, 2), (1.0 + 1e-12, 1)}
    b = {(1.0 + 1e-13, 2), (1.0, 1)}
    assert values_equal(a, b)


@pytest.mark.parametrize(
    ("want", "got", "flags", "expected"),
    [
        ("start\n...\n", "start\n" + "x" * 100, ("ELLIPSIS",), True),
        ("start\n...end\n", "start\n" + "x" * 100, ("ELLIPSIS",), False),  # tail unseen
        ("start\n...\n", "start\n" + "x" * 100, (), False),  # no ELLIPSIS: not the whole
        ("other\n...\n", "start\n" + "x" * 100, ("ELLIPSIS",), False),
        ("start ...", "start\n  " + "x " * 50, ("ELLIPSIS", "NORMALIZE_WHITESPACE"), True),
    ],
)
def test_output_cut_at_the_cap_passes_only_when_any_tail_would(
    want: str, got: str, flags: tuple[str, ...], expected: bool
) -> None:
    assert decide(doc(want, flags), got, None, None, truncated=True) == (expected, None)


@pytest.mark.parametrize(
    ("example", "got"),
    [
        (val("[" * 3000 + "]" * 3000), "[" * 3000 + "]" * 3000),
        (val("1e308"), str(10**4000)),
        (val("{1.5, 2.5}"), "{" + ", ".join(str(10**300 + i) for i in range(2)) + "}"),
        (doc("x\n", ("NORMALIZE_WHITESPACE", "ELLIPSIS")), "\x00" * 100_000),
    ],
)
def test_verdicts_are_total(example: Example, got: str) -> None:
    passed, _reason = decide(example, got, None, None)
    assert isinstance(passed, bool)


def test_a_comparison_past_its_budget_fails_with_a_reason() -> None:
    nested = "[" + ", ".join(["[1.0, 2.0, 3.0]"] * 5_000) + "]"
    close = nested.replace("3.0", "3.0000000000001")
    assert decide(val(nested), close, None, None) == (True, None)
    passed, reason = decide(val(nested), close, None, None, seconds=0.0)
    assert not passed and reason is not None and "longer than" in reason


PROGRAM = Program(setup="", examples=(doc("3\n"), doc("4\n")), probes=("p",))
NORMAL_END = {"ev": "end", "exit": 0, "signal": None, "reason": None, "elapsed": 0.01}


def _ex(i: int, got: str) -> dict[str, Any]:
    return {"ev": "ex", "i": i, "got": got}


def test_complete_stream_is_judged() -> None:
    events = [
        {"ev": "setup_ok"},
        _ex(0, "3\n"),
        _ex(1, "5\n"),
        {"ev": "probe", "i": 0, "repr": "1"},
        {"ev": "done"},
    ]
    result = build_result(PROGRAM, events, NORMAL_END, ())
    assert result.status == "ok"
    assert [r.status for r in result.examples] == ["passed", "failed"]
    assert result.probes == ("1",)


@pytest.mark.parametrize(
    "events",
    [
        [{"ev": "setup_ok"}, _ex(0, "3\n"), {"ev": "done"}],  # done before all examples
        [{"ev": "setup_ok"}, _ex(0, "3\n"), _ex(0, "3\n"), _ex(1, "4\n"), {"ev": "done"}],  # repeat
        [{"ev": "setup_ok"}, _ex(1, "4\n"), _ex(0, "3\n"), {"ev": "done"}],  # out of order
        [_ex(0, "3\n"), _ex(1, "4\n"), {"ev": "done"}],  # no setup_ok
        [{"ev": "setup_ok"}, _ex(0, "3\n"), _ex(1, "4\n"), {"ev": "forged"}, {"ev": "done"}],
        [{"ev": "setup_ok"}, _ex(0, "3\n"), _ex(1, "4\n"), {"ev": "done"}, {"ev": "done"}],
        [{"ev": "setup_ok"}, _ex(0, "3\n"), _ex(1, "4\n"), {"ev": "garbage"}, {"ev": "done"}],
        [{"ev": "setup_ok"}, {"ev": "ex", "i": "0", "got": "3\n"}, _ex(1, "4\n"), {"ev": "done"}],
        [
            {"ev": "setup_ok"},
            _ex(0, "3\n"),
            _ex(1, "4\n"),
            {"ev": "isolation_error"},
            {"ev": "done"},
        ],
        [{"ev": "setup_ok"}, _ex(0, "3\n"), _ex(1, "4\n")],  # no done: ended early
    ],
)
def test_protocol_violations_never_pass(events: list[dict[str, Any]]) -> None:
    result = build_result(PROGRAM, events, NORMAL_END, ())
    assert not result.all_passed
    assert result.status == "crashed"


@pytest.mark.parametrize(
    ("end", "run_status", "example_status"),
    [
        ({"reason": "timeout"}, "timeout", "timeout"),
        ({"reason": "overflow"}, "overflow", "truncated"),
        ({"signal": 11}, "killed", "killed"),
        ({"signal": 24}, "timeout", "timeout"),  # SIGXCPU: the CPU limit
        ({"exit": 0}, "crashed", "error"),
        ({"reason": "worker_died"}, "crashed", "killed"),
    ],
)
def test_cut_off_runs(end: dict[str, Any], run_status: str, example_status: str) -> None:
    events = [{"ev": "setup_ok"}, _ex(0, "3\n")]
    result = build_result(PROGRAM, events, {"ev": "end", **end}, ())
    assert result.status == run_status
    assert [r.status for r in result.examples] == ["passed", example_status, "not_run"][:2]


def test_cut_off_during_setup_reports_it_as_setup_error() -> None:
    result = build_result(PROGRAM, [], {"ev": "end", "reason": "timeout"}, ())
    assert result.status == "timeout"
    assert result.setup_error is not None and "timeout" in result.setup_error
    assert [r.status for r in result.examples] == ["not_run", "not_run"]


def test_probe_timeout_keeps_the_verdicts() -> None:
    events = [{"ev": "setup_ok"}, _ex(0, "3\n"), _ex(1, "4\n")]
    result = build_result(PROGRAM, events, {"ev": "end", "reason": "timeout"}, ())
    assert result.status == "ok" and result.all_passed
    assert result.probes == (None,)


def test_per_example_pads_the_examples_a_run_did_not_reach() -> None:
    examples = tuple(Example(source=f"f({i})", want=f"{i}\n", line=i) for i in range(3))
    run = RunResult("timeout", (ExampleResult(1, "failed", got="7"), ExampleResult(0, "passed")))
    joined = run.per_example(examples)
    assert [ex for ex, _ in joined] == list(examples)
    assert [(r.index, r.status) for _, r in joined] == [
        (0, "passed"),
        (1, "failed"),
        (2, "not_run"),
    ]
    # every reader of a run says the same: here the report of the failures
    assert describe_failures(examples, run) == [
        "line 2: f(1): expected 1, got 7",
        "line 3: f(2): expected 2, but the example did not run",
    ]
