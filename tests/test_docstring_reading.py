"""Before a question is asked, the model reads the docstring for the answer.

The loop talks to the real OpenAI engine over HTTP (``tests/fake_openai.py``): the scripted server
answers a request for bodies with two bodies that pass the examples and differ elsewhere, and a
request for the docstring's reading (``fake_openai.is_reading``) with assert lines as scripted.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Callable
from typing import Any

from synthls.synth.docstring_reading import offered, settled
from synthls.synth.loop import Outcome, synthesize
from synthls.synth.question import Question
from synthls.synth.reading_votes import Reading, ReadTest
from tests.fake_openai import FakeOpenAI, PerN, fenced, is_reading
from tests.test_loop import FakeRunner, Scripted, openai_engine
from tests.test_loop_ask import NONSENSE, RIGHT, SPEC, Oracle, build, truth

CALL = re.compile(r"what does `(?P<call>[^`]+)` return")
Answer = Callable[[str, int], str]  # (the call asked about, the sample) -> the value written


def server(answer: Answer | None) -> FakeOpenAI:
    """Bodies: a wrong greedy answer, then NONSENSE and RIGHT (both pass the examples) in the
    repair round. Readings: ``answer`` per sample."""

    def script(body: dict[str, Any]) -> Any:
        if is_reading(body):
            assert answer is not None, "no reading was expected"
            text = str(body["messages"][-1]["content"])
            match = CALL.search(text)
            assert match is not None
            call = match["call"]
            return PerN(lambda i: fenced(f"assert {call} == {answer(call, i)}"))
        if len(body["messages"]) == 2:  # round 1 is one greedy answer: a wrong one
            return PerN(lambda i: fenced("return a * b"))
        bodies = [NONSENSE, RIGHT]
        return PerN(lambda i: fenced(bodies[i % 2]))

    return FakeOpenAI(script)


def right(call: str, i: int) -> str:
    return repr(eval(call, {"safe_div": truth}))


def wrong(call: str, i: int) -> str:
    return "12345.0"


def halves() -> Answer:
    """Every other sample written (greedy first) is right, the others say -7.0: two to two."""
    turn = itertools.count()
    return lambda call, i: right(call, i) if next(turn) % 2 == 0 else "-7.0"


async def run(fake: FakeOpenAI, ask: Any = None, **kw: Any) -> Outcome:
    engine = openai_engine(fake.url, candidates=4)
    return await asyncio.wait_for(
        synthesize(SPEC, build, [engine], FakeRunner(), ask=ask, read_docstring=True, **kw), 30
    )


async def test_a_unanimous_reading_settles_the_question_without_asking() -> None:
    with server(right) as fake:
        outcome = await run(fake)  # nobody to ask: without the reading, nothing is written
        readings = [r for r in fake.requests if is_reading(r)]
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == RIGHT
    assert outcome.settled and outcome.answers == ()  # the reading never becomes a doctest
    assert "answered by the model's reading of the docstring" in outcome.reason
    assert readings and all("(its body is not shown)" in str(r["messages"]) for r in readings)
    assert all(NONSENSE not in str(r["messages"]) for r in readings)  # no body is shown


async def test_without_the_reading_the_same_task_stays_ambiguous() -> None:
    with server(None) as fake:
        engine = openai_engine(fake.url, candidates=4)
        outcome = await asyncio.wait_for(
            synthesize(SPEC, build, [engine], FakeRunner(), read_docstring=False), 30
        )
    assert outcome.status == "ambiguous" and outcome.settled == ()


async def test_a_split_reading_asks_and_offers_its_answer_first() -> None:
    user = Oracle()
    with server(halves()) as fake:
        outcome = await run(fake, ask=user)
    assert outcome.status == "verified" and outcome.settled == ()
    first = user.questions[0]
    # the samples split 2 to 2: no answer has a majority, so nothing is proposed either
    assert first.proposal == "" and "the model says" not in first.context


async def test_a_reading_no_candidate_gives_is_asked_with_its_answer_as_a_choice() -> None:
    user = Oracle()
    with server(wrong) as fake:
        outcome = await run(fake, ask=user)
    first = user.questions[0]
    assert first.choices[0] == "12345.0" and first.proposal == "12345.0"
    assert "reading the docstring, the model says 12345.0" in first.context
    assert outcome.status == "verified" and outcome.settled == ()
    assert all(e.want.strip() != "12345.0" for e in outcome.answers)  # the user chose otherwise


async def test_nobody_to_ask_and_a_wrong_reading_writes_nothing() -> None:
    with server(wrong) as fake:
        outcome = await run(fake)
    assert outcome.status == "ambiguous" and outcome.settled == ()


def reading(*tests: tuple[str, str, int]) -> Reading:
    return Reading(tuple(ReadTest(c, v, n) for c, v, n in tests), samples=4)


def test_settling_needs_unanimous_samples_and_a_candidates_answer() -> None:
    q = Question("f", "f(2)", ("4", "5"), 2, 0)
    assert settled(reading(("f(2)", "4", 3)), q) == "4"
    assert settled(reading(("f(2)", "4.0", 4)), q) == "4"  # equal as literals
    assert settled(reading(("f(2)", "4", 2)), q) is None  # too few samples
    assert settled(reading(("f(2)", "4", 3), ("f(2)", "5", 1)), q) is None  # not unanimous
    assert settled(reading(("f(2)", "6", 4)), q) is None  # no candidate gives it
    assert settled(reading(), q) is None


def test_a_confirmation_is_settled_only_by_the_bodys_own_answer() -> None:
    q = Question("f", "f(2)", ("True", "False"), 1, 0, kind="confirm")
    assert settled(reading(("f(2)", "True", 4)), q) == "True"
    assert settled(reading(("f(2)", "False", 4)), q) is None  # contradicts the body: ask
    crash = Question("f", "f(2)", (), 1, 0, kind="crash")
    assert settled(reading(("f(2)", "3", 4)), crash) is None  # no candidate answers a crash
    assert offered(reading(("f(2)", "3", 4)), crash).choices == ("3",)


def test_offered_puts_the_majority_first_and_leaves_a_tie_alone() -> None:
    q = Question("f", "f(2)", ("4", "5"), 2, 0)
    assert offered(reading(("f(2)", "5", 3), ("f(2)", "4", 1)), q).choices == ("5", "4")
    assert offered(reading(("f(2)", "5", 2), ("f(2)", "4", 2)), q) == q
    assert offered(reading(("f(2)", "5", 1)), q) == q


def reading_server(lines: str) -> FakeOpenAI:
    """The greedy body is NONSENSE (it passes both examples); a repair gives RIGHT. The
    reading of the docstring writes ``lines``; a one-call reading answers as ``right``."""

    def script(body: dict[str, Any]) -> Any:
        if is_reading(body):
            text = str(body["messages"][-1]["content"])
            match = CALL.search(text)
            if match is not None:
                return PerN(
                    lambda i: fenced(f"assert {match['call']} == {right(match['call'], i)}")
                )
            return PerN(lambda i: fenced(lines))
        if len(body["messages"]) == 2:
            return PerN(lambda i: fenced(NONSENSE))
        return PerN(lambda i: fenced(RIGHT))

    return FakeOpenAI(script)


CONTRADICTS = "assert safe_div(8, 2) == 4.0\nassert safe_div(9, 3) == 3.0"


async def test_a_body_the_docstrings_reading_contradicts_is_not_written() -> None:
    with reading_server(CONTRADICTS) as fake:
        outcome = await run(fake)  # nobody to ask
        bodies = [r for r in fake.requests if not is_reading(r)]
        readings = [str(r["messages"]) for r in fake.requests if is_reading(r)]
    # the greedy answer writes the calls; samples are asked those same calls again
    assert any(
        "assert safe_div(8, 2) == ?" in r and "assert safe_div(9, 3) == ?" in r for r in readings
    )
    assert outcome.status == "ambiguous" and outcome.candidate is not None
    assert outcome.candidate.body == NONSENSE  # the best guess, not inserted
    assert outcome.ambiguity is not None and outcome.ambiguity.question is not None
    question = outcome.ambiguity.question
    assert question.kind == "reading" and question.call == "safe_div(8, 2)"
    assert question.choices == ("5.0", "4.0")  # the body's answer, then the reading's
    assert "the model expects 4.0; the body says 5.0" in question.context
    assert len(bodies) == 1  # the greedy answer only: nothing was searched for it


async def test_the_users_answer_to_the_reading_repairs_the_body() -> None:
    user = Oracle()
    with reading_server(CONTRADICTS) as fake:
        outcome = await run(fake, ask=user)
    assert user.questions[0].kind == "reading"
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == RIGHT
    assert [e.source for e in outcome.answers][0] == "safe_div(8, 2)"  # the user's choice


async def test_a_reading_the_body_agrees_with_adds_no_question() -> None:
    with reading_server("assert safe_div(7, 7) == 1.0") as fake:  # NONSENSE gives 7-7-1 = -1.0
        outcome = await run(fake)
    assert outcome.status == "ambiguous"  # contradicted: -1.0, not 1.0
    with reading_server("assert safe_div(8, 0) == 0.0") as fake:  # 8 - 0 - 1 = 7.0
        outcome = await run(fake)
    assert outcome.status == "ambiguous"
    agreeing = "assert safe_div(5, 2) == 2.0\nassert safe_div(4, 1) == 2.0"  # what NONSENSE says
    with reading_server(agreeing) as fake:
        outcome = await run(fake)
    assert outcome.status == "verified" and outcome.answers == () and outcome.settled == ()


async def test_a_single_samples_claim_doubts_nothing() -> None:
    turn = itertools.count()

    def once(body: dict[str, Any]) -> Any:
        if is_reading(body):  # only the greedy answer writes the contradicting test
            return PerN(lambda i: fenced(CONTRADICTS if next(turn) == 0 else "no tests here"))
        return PerN(lambda i: fenced(NONSENSE))

    with FakeOpenAI(once) as fake:
        outcome = await run(fake)
    assert outcome.status == "verified"


async def test_the_reading_judges_a_body_from_an_engine_that_reads_no_words() -> None:
    """Engine ``all``: a body the search found (its engine has no reader) faces the language
    model's reading of the docstring like a model's own body."""

    def script(body: dict[str, Any]) -> Any:
        if is_reading(body):
            return PerN(lambda i: fenced(CONTRADICTS))
        return PerN(lambda i: fenced("return 1 / 0"))  # the model's bodies fail the examples

    search = Scripted("embedded", [NONSENSE], [], [])
    with FakeOpenAI(script) as fake:
        model = openai_engine(fake.url, candidates=1)
        outcome = await asyncio.wait_for(
            synthesize(SPEC, build, [search, model], FakeRunner(), read_docstring=True, rounds=1),
            30,
        )
        readings = [r for r in fake.requests if is_reading(r)]
    assert readings, "the model read the docstring"
    assert outcome.status == "ambiguous" and outcome.candidate is not None
    assert outcome.candidate.body == NONSENSE and outcome.candidate.engine == "embedded"
    assert outcome.ambiguity is not None and outcome.ambiguity.question is not None
    assert outcome.ambiguity.question.kind == "reading"
