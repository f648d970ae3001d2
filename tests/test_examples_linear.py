"""The example reader takes linear time on any docstring line (issue 38, item 1).

Each adversarial line is read in a child process with a timeout, so a reader that backtracks
exponentially (the old label pattern took hours on 30 repeats of ``ex 1.``) fails the test
instead of hanging the suite. Times are generous bounds for a loaded 2-core machine: the readers
take milliseconds on these lines, the old ones seconds to hours.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import textwrap

import pytest

from synthls.intent import example_forms, prefix
from synthls.intent.examples import MAX_LINE, extract_examples
from synthls.intent.model import Param
from synthls.intent.prose_values import _without_remark, clean_want

KB = 1000


def _rep(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


# name -> Python expression of the line, in terms of n (its length, about) and _rep
LINES = {
    "ex-1 labels then a call": '_rep("ex 1.", n) + "! f(1) == 2"',
    "ex-1 labels before a call": '_rep("ex 1.", n) + " f(1) == 2"',
    "e.g. labels": '_rep("e.g. ", n) + "! f(1) == 2"',
    "numbered labels": '_rep("example 1 ", n) + "! f(1) == 2"',
    "numbers": '_rep("1. ", n) + "! f(1) == 2"',
    "bullets": '_rep("- ", n) + "! f(1) == 2"',
    "for words": '_rep("for ", n) + "! f(1) == 2"',
    "for with spaces": '"for x" + _rep(" ", n) + "y"',
    "for with commas": '"for x" + _rep(", ", n)',
    "for with tails": '"for x" + _rep(" the output", n)',
    "for without tail": '"For " + _rep("x = 1, ", n) + " the output is"',
    "separators": '"f(1) " + _rep("== ", n)',
    "spaces before a remark": '"f(1) == 2 (" + _rep(" ", n) + "x"',
    "comment marks": '"f(1) == " + _rep(" #", n)',
    "spaces in a value": '"Input: x = a" + _rep(" ", n) + "b\\nOutput: 1"',
    "named values": '_rep("x = 1, ", n) + "\\nreturn 1"',
    "nested brackets": '"f(" + _rep("[(", n) + " == 1"',
    "strings": '"f(" + _rep("\'a\', ", n)',
    "calls": '_rep("f(1) ", n)',
}

_CHILD = textwrap.dedent(
    """
    import json, sys, time
    from synthls.intent import example_forms
    from synthls.intent.examples import extract_examples
    from synthls.intent.model import Param

    def _rep(unit, n):
        return (unit * (n // len(unit) + 1))[:n]

    out = {}
    for n in (50_000, 100_000, 200_000):
        lines = (EXPR).split("\\n")
        out[n] = 1e9
        for _ in range(3):  # the best of three: a busy machine only slows some runs
            start = time.perf_counter()
            for i in range(len(lines)):  # every form, on every line, without the length cap
                example_forms.find(lines, i, "f", ("x",))
            out[n] = min(out[n], time.perf_counter() - start)
    out["capped"] = 1e9
    for _ in range(3):
        start = time.perf_counter()
        extract_examples("\\n".join(lines), 0, "f", (Param("x", "str"),))
        out["capped"] = min(out["capped"], time.perf_counter() - start)
    json.dump(out, sys.stdout)
    """
)


def _timed(expr: str, timeout: float = 30) -> dict[str, float]:
    """Times of reading the line ``expr`` makes, in a child process (killed after ``timeout``)."""
    code = _CHILD.replace("EXPR", expr)
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"reading the line took more than {timeout} s")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(LINES))
def test_adversarial_line_of_100_kb_is_read_in_linear_time(name: str) -> None:
    times = _timed(LINES[name])
    assert times["100000"] < 1.0, times
    # four times the text, about four times the time (16x would be quadratic); slack for a busy
    # machine, where one size's best of three can still be slowed down
    assert times["200000"] < 8.0 * times["50000"] + 0.2, times
    assert times["capped"] < 0.5, times  # the line is over MAX_LINE: not read at all


def test_the_issue_line_of_150_bytes_is_read_at_once() -> None:
    """22 repeats of ``ex 1.`` took 9 s; 30 would take hours."""
    times = _timed('"ex 1." * 30 + "! f(1) == 2"', timeout=10)
    assert times["100000"] < 0.5, times


_DOCSTRINGS = {
    # a 20 KB docstring of such lines: each is read in its own few milliseconds
    "unclosed assert lines": '_rep("assert f(" + "1," * 45 + "\\n", n // 5)',
    "ex-1 lines": '_rep("ex 1." * 30 + "! f(1) == 2\\n", n // 5)',
    "for lines": '_rep("for x" + " " * 90 + "y\\n", n // 5)',
    "comment lines": '_rep("f(1) == \'a #" + " #" * 40 + "\\n", n // 5)',
}


@pytest.mark.parametrize("name", sorted(_DOCSTRINGS))
def test_docstring_of_many_adversarial_lines_is_read_quickly(name: str) -> None:
    times = _timed(_DOCSTRINGS[name])
    assert times["capped"] < 1.0, times


def test_lines_over_the_cap_are_not_read_as_examples() -> None:
    pad = " " * (MAX_LINE - len("f(1) == 2  #"))
    under = f"f(1) == 2  #{pad}"
    assert len(under) == MAX_LINE
    params = (Param("x"),)
    assert [e.source for e in extract_examples(under, 0, "f", params)] == ["f(1)"]
    over = under + "x"
    assert extract_examples(over, 0, "f", params) == ()
    # a multi-line example whose value line is too long is not read either
    assert extract_examples(f"f(\n  1) == 2  #{pad}x", 0, "f", params) == ()
    # doctest examples are read as doctest reads them, however long
    assert len(extract_examples(f">>> f(1)\n{'2' * (MAX_LINE + 1)}", 0, "f", params)) == 1


# -- the rewritten readers accept what the old patterns accepted --------------------------------

_OLD_PREFIX = re.compile(
    r"(?:[*\-•+]\s*|\d+[.)]\s*|(?:(?:for|assert|instance|examples?|samples?|tests?|usage|ex)"
    r"(?:\s*\d+)?\b|e\.g\.?|i\.e\.?)[.:,]?\s*)*",
    re.I,
)
_OLD_LINE_CALL = re.compile(rf"\s*(?:{_OLD_PREFIX.pattern})([A-Za-z_]\w*)\s*\(", re.I)
_OLD_FOR = re.compile(
    r"\s*for\s+(?P<args>.+?),?\s+(?:then\s+)?(?:the\s+)?(?:output|result|answer|return\s+value)"
    r"\s+(?:should\s+be|will\s+be|is)\s*:?\s+(?P<want>.+)$",
    re.I,
)
_OLD_REMARK = re.compile(r"\s+\([^()]*\)\s*$")
_TOKENS = [
    *("ex", "EX", "1", "12", ".", ":", ",", "-", "*", "•", "+", ")", "(", "e.g", "I.E."),
    *("for", "examples", "Example", "sample", "tests", "usage", "assert", "instance", "f", "g"),
    *(" ", "  ", "\t", "x = 1", "the", "then", "output", "result", "is", "should be", "value"),
    *("return", "answer", "=", "==", "#", " #", "'", "a", "[", "]", "3", "true", "ſ", "٣"),
]


def _samples(seed: int, count: int, length: int) -> list[str]:
    rng = random.Random(seed)
    return [
        "".join(rng.choice(_TOKENS) for _ in range(rng.randint(0, length))) for _ in range(count)
    ]


def test_labels_are_read_as_the_old_pattern_read_them() -> None:
    for text in _samples(1, 20_000, 8):
        assert prefix.is_prefix(text) == (_OLD_PREFIX.fullmatch(text) is not None), text
        old = _OLD_LINE_CALL.match(text)
        assert prefix.line_call(text) == (old.group(1) if old else None), text


def test_for_lines_are_read_as_the_old_pattern_read_them() -> None:
    rng = random.Random(2)
    words = ["x = 1", "y", ",", "the", "then", "output", "result", "return value", "is"]
    words += ["should be", "will  be", ":", "3", " ", "  ", ", ", "\t"]
    hits = 0
    for _ in range(20_000):
        text = rng.choice(["for ", "For  ", " for\t"]) + " ".join(
            rng.choice(words) for _ in range(rng.randint(0, 9))
        )
        old = _OLD_FOR.match(text)
        new = example_forms._for_parts(text)
        if old is not None and not old.group("args").strip():
            assert new is None  # arguments of whitespace only: no example either way
            continue
        assert new == ((old.group("args"), old.group("want")) if old else None), text
        hits += old is not None
    assert hits > 1000


def test_values_are_cleaned_as_before() -> None:
    for text in _samples(3, 5_000, 8):
        stripped = text.strip()
        assert _without_remark(stripped) == _OLD_REMARK.sub("", stripped), text
    assert clean_want("2  # the answer # and more", "f") == "2"
    assert clean_want("'a # b' # c", "f") == "'a # b'"
    assert clean_want("3 (see above)", "f") == "3"
    assert clean_want("true.", "f") == "True"
