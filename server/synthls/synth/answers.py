"""An answer to a question, kept: the candidates that agree with it, and the doctest example.

The answer to an ``ambiguity.Question`` is compared with each candidate's result on the probe it
asked about (as literals, floats within 1e-9); it becomes an example in the docstring
(``>>> f(2, 4)`` / ``0.5``), and every attempt gets its verdict on it from that probe, without
running again.

The user may also answer that the call is not a valid input (``INVALID``: the function is not
meant for negative ages, an empty list, ...). That answer is no example: the input is ruled out
(``outside``), so behaviours that differ only there are one behaviour, and the next question is
about another input.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Mapping, Sequence

from synthls.intent.model import Example
from synthls.sandbox.types import ExampleResult, RunResult
from synthls.sandbox.verdict import Exhausted, values_equal
from synthls.synth.ambiguity import RAISED, Question
from synthls.synth.engine_protocol import Trial

INVALID = "not a valid input"  # the answer that rules the call out (no Python literal reads so)
OUTSIDE = "\x00outside"  # the result every candidate gets on a ruled-out probe


def consistent(pool: Sequence[Trial], question: Question, answer: str) -> list[Trial]:
    """The candidates whose result on ``question.call`` is ``answer`` (compared as literals)."""
    return [s for s in pool if same_value(_result_at(s, question.index), answer)]


def answer_example(question: Question, answer: str) -> Example:
    """The doctest example that keeps ``answer`` (``>>> f(2, 4)`` / ``0.5``).

    A choice's own repr is kept as written; a typed literal is written as its repr; a ``None``
    answer becomes ``f(x) is None`` / ``True`` (a doctest of a None result prints nothing).
    """
    text = answer.strip()
    for choice in question.choices:
        if same_value(choice, text):
            text = choice
            break
    else:
        text = _canonical(text)
    # a want ends with its newline, as the extractor gives it (doctest compares the whole text)
    if text == "None":
        return Example(source=f"{question.call} is None", want="True\n", line=-1)
    return Example(source=question.call, want=text + "\n", line=-1)


def _canonical(text: str) -> str:
    try:
        return repr(ast.literal_eval(text))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return text


def outside(result: RunResult, invalid: Mapping[int, str]) -> RunResult:
    """``result`` with the probes the user ruled out (``INVALID``) all giving one mark, so
    that no behaviour differs there and nothing reads as a crash."""
    if not invalid or not any(0 <= j < len(result.probes) for j in invalid):
        return result
    probes = tuple(OUTSIDE if j in invalid else p for j, p in enumerate(result.probes))
    return dataclasses.replace(result, probes=probes)


def with_answer(result: RunResult, question: Question, example: Example) -> RunResult:
    """``result`` with a verdict for the answer's ``example`` taken from the probe it asked."""
    index = len(result.examples)
    if result.status != "ok" or not result.examples:
        verdict = ExampleResult(index, "not_run")
    else:
        got = result.probes[question.index] if 0 <= question.index < len(result.probes) else None
        want = "None" if example.source.endswith(" is None") else example.want
        if got is None:
            verdict = ExampleResult(index, "error", exc_type="Error", exc_msg="the call raised")
        elif same_value(got, want):
            verdict = ExampleResult(index, "passed", got=example.want)
        else:
            shown = "False" if want == "None" else got
            verdict = ExampleResult(index, "failed", got=shown)
    return dataclasses.replace(result, examples=(*result.examples, verdict))


def same_value(got: str | None, answer: str) -> bool:
    """Whether a probe's repr ``got`` means the literal ``answer``, equal as an example's
    verdict would find them (``sandbox.verdict.values_equal``: floats within a tight tolerance)."""
    if got is None or got == RAISED:
        return False
    if got.strip() == answer.strip():
        return True
    try:
        a, b = ast.literal_eval(got.strip()), ast.literal_eval(answer.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    try:
        return values_equal(a, b)  # what the sandbox's verdict calls equal
    except Exhausted:
        return False


def _result_at(s: Trial, index: int) -> str | None:
    probes = s.result.probes
    return probes[index] if 0 <= index < len(probes) else None
