"""A session is kept while its question waits, and an answer resumes it.

Resuming runs no candidate again on an input it already ran, searches again only when no
candidate gives the answer, and asks no question twice. The runner is the in-process one of
``tests/test_loop.py``: every program it runs is counted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from synthls.synth.loop import Outcome, resume, synthesize
from tests.test_loop import FakeRunner, Scripted
from tests.test_loop_ask import RIGHT, SPEC, build, truth

BODIES = [RIGHT, "return a - b - 1.0", "return a / b / (b - 2) if b else 0.0"]


def right_answer(outcome: Outcome) -> tuple[str, str]:
    assert outcome.ambiguity is not None and outcome.ambiguity.question is not None
    call = outcome.ambiguity.question.call
    return call, repr(eval(call, {"safe_div": truth}))


async def answered_to_the_end(
    outcome: Outcome, engine: Scripted, runner: FakeRunner
) -> tuple[Outcome, list[str]]:
    """Answer every waiting question through ``resume`` until nothing waits; the calls asked."""
    asked = []
    while outcome.status == "ambiguous" and len(asked) < 4:
        assert outcome.session is not None  # kept while its question waits
        call, answer = right_answer(outcome)
        asked.append(call)
        outcome = await asyncio.wait_for(resume(outcome.session, answer, [engine]), 30)
    return outcome, asked


async def test_an_answer_resumes_the_session_without_running_anything_again() -> None:
    engine = Scripted("s", BODIES)
    runner = FakeRunner()
    first = await asyncio.wait_for(synthesize(SPEC, build, [engine], runner), 30)
    assert first.status == "ambiguous" and first.session is not None
    searches, ran = len(engine.feedback), len(runner.programs)
    assert ran == len(BODIES)  # each body ran once, on the examples and every probe input

    final, asked = await answered_to_the_end(first, engine, runner)

    assert final.status == "verified" and final.candidate is not None
    assert final.candidate.body == RIGHT
    assert len(engine.feedback) == searches  # a candidate gave each answer: no new search
    assert len(runner.programs) == ran  # no candidate ran again, on any input
    assert len(asked) == len(set(asked)) >= 1  # no question asked twice
    assert [e.source for e in final.answers] == asked  # every answer kept as an example
    assert final.session is None  # nothing waits any more


async def test_a_session_counts_its_sandbox_runs() -> None:
    engine = Scripted("s", BODIES)
    runner = FakeRunner()
    first = await asyncio.wait_for(synthesize(SPEC, build, [engine], runner), 30)
    assert first.session is not None and first.session.runs == len(runner.programs) == 3
    call, answer = right_answer(first)
    resumed = await asyncio.wait_for(resume(first.session, answer, [engine]), 30)
    assert resumed.answers and resumed.answers[0].source == call
    assert first.session.runs == 3  # the answer's verdicts came from the probes already run


async def test_an_answer_nobody_predicted_searches_again_with_it() -> None:
    # no candidate gives the answer: the engines get the new example, and only new bodies run
    engine = Scripted("s", ["return a - b - 1.0", "return 2.0 if b else 0.0"], [RIGHT])
    runner = FakeRunner()
    first = await asyncio.wait_for(synthesize(SPEC, build, [engine], runner), 30)
    assert first.status == "ambiguous" and first.session is not None
    ran = len(runner.programs)
    call, answer = right_answer(first)
    resumed = await asyncio.wait_for(resume(first.session, answer, [engine]), 30)
    assert len(engine.feedback) == 2  # a second round, told the answer
    new = runner.programs[ran:]
    assert [p.setup for p in new] == [build(RIGHT)]  # only the new body ran
    assert any(e.source == call for e in resumed.answers)


async def test_the_waiting_session_is_left_as_it_was_by_an_answer_to_its_fork() -> None:
    engine = Scripted("s", BODIES)
    runner = FakeRunner()
    first = await asyncio.wait_for(synthesize(SPEC, build, [engine], runner), 30)
    session = first.session
    assert session is not None and session.pending is not None
    before: dict[str, Any] = {
        "examples": session.spec.examples,
        "attempts": list(session.attempts),
        "pending": session.pending.question,
    }
    _, answer = right_answer(first)
    once = await asyncio.wait_for(resume(session.fork(), answer, [engine]), 30)
    twice = await asyncio.wait_for(resume(session.fork(), answer, [engine]), 30)
    assert once.status == twice.status and once.answers == twice.answers
    assert session.spec.examples == before["examples"]
    assert session.attempts == before["attempts"]
    assert session.pending is not None and session.pending.question == before["pending"]


async def test_resuming_without_an_answer_keeps_the_question_waiting() -> None:
    engine = Scripted("s", BODIES)
    runner = FakeRunner()
    first = await asyncio.wait_for(synthesize(SPEC, build, [engine], runner), 30)
    assert first.session is not None
    again = await asyncio.wait_for(resume(first.session, None, [engine]), 30)
    assert again.status == "ambiguous" and again.session is first.session
    assert again.ambiguity == first.ambiguity and len(runner.programs) == 3
