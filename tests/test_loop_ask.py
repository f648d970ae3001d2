"""The loop asks when several behaviours pass the examples, and keeps each answer as a test.

The runner is the in-process one of ``tests/test_loop.py`` (trusted test code); the OpenAI path
talks to the real engine over HTTP (``tests/fake_openai.py``).
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Sequence
from typing import Any

import pytest

from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.synth.ambiguity import Question
from synthls.synth.engine_protocol import Candidate
from synthls.synth.loop import Outcome, synthesize
from tests.fake_openai import FakeOpenAI, PerN, fenced
from tests.test_loop import FakeRunner, Scripted, openai_engine

DOC = """a / b, or 0.0 when b is zero.

    >>> safe_div(6, 3)
    2.0
    >>> safe_div(1, 0)
    0.0
    """
SPEC = Spec(
    name="safe_div",
    signature="def safe_div(a, b):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "safe_div"),
)
RIGHT = "return a / b if b else 0.0"
NONSENSE = "return a - b - a / a"


def build(body: str) -> str:
    return "def safe_div(a, b):\n" + textwrap.indent(body, "    ") + "\n"


def truth(a: float, b: float) -> float:
    return a / b if b else 0.0


class Oracle:
    """A user who answers with the intended function's result (or as scripted)."""

    def __init__(self, *scripted: str | None) -> None:
        self.questions: list[Question] = []
        self.scripted = list(scripted)

    async def __call__(self, question: Question) -> str | None:
        self.questions.append(question)
        await asyncio.sleep(0)
        if self.scripted:
            return self.scripted.pop(0)
        return repr(eval(question.call, {"safe_div": truth}))


async def run(engines: Sequence[Any], runner: FakeRunner | None = None, **kw: Any) -> Outcome:
    return await asyncio.wait_for(
        synthesize(SPEC, build, engines, runner or FakeRunner(), **kw), 30
    )


async def test_without_a_way_to_ask_an_ambiguous_result_is_not_verified() -> None:
    outcome = await run([Scripted("s", [NONSENSE, RIGHT])])
    assert outcome.status == "ambiguous" and not outcome.verified
    assert outcome.candidate is not None  # the best guess, for the "insert" policy
    amb = outcome.ambiguity
    assert amb is not None and amb.ambiguous and amb.behaviours == 2
    assert amb.question is not None and len(amb.question.choices) == 2
    assert "1 behaviour also passes; they disagree on" in outcome.reason
    assert outcome.answers == ()


async def test_the_answer_picks_the_body_and_becomes_an_example() -> None:
    oracle = Oracle()
    outcome = await run([Scripted("s", [NONSENSE, RIGHT])], ask=oracle)
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == RIGHT
    # the answer rules out the other behaviour; one predicted answer could still be luck
    # (``WRONG_AGREES``), so the survivor is asked to confirm another
    question, confirming = oracle.questions
    assert question.function == "safe_div" and question.behaviours == 2
    assert not question.confirms and confirming.confirms and confirming.call != question.call
    answer, confirmed = outcome.answers
    assert answer.source == question.call and confirmed.source == confirming.call
    assert answer.want == repr(eval(question.call, {"safe_div": truth})) + "\n"
    assert outcome.result is not None and outcome.result.passed == 4
    assert outcome.ambiguity is not None and outcome.ambiguity.behaviours == 1
    assert outcome.reason.endswith("(s, round 1); 2 answers kept as examples")


async def test_dismissed_question_stays_pending() -> None:
    oracle = Oracle(None)
    outcome = await run([Scripted("s", [NONSENSE, RIGHT])], ask=oracle)
    assert outcome.status == "ambiguous" and len(oracle.questions) == 1
    assert outcome.ambiguity is not None and outcome.ambiguity.question == oracle.questions[0]


async def test_policies_insert_and_never_do_not_ask() -> None:
    for policy in ("insert", "never"):
        oracle = Oracle()
        outcome = await run([Scripted("s", [NONSENSE, RIGHT])], ask=oracle, ambiguous=policy)
        assert outcome.status == "ambiguous" and oracle.questions == []


async def test_an_answer_no_candidate_gives_starts_a_round_with_the_new_example() -> None:
    engine = Scripted("s", [NONSENSE, RIGHT], ["return 12345.0 if a == b else 2.0"])
    spec_seen: list[Spec] = []
    original = engine.propose

    def spying(spec: Spec, feedback: Any) -> Any:
        spec_seen.append(spec)
        return original(spec, feedback)

    engine.propose = spying  # type: ignore[method-assign]
    runner = FakeRunner()
    oracle = Oracle("12345.0")  # a value no candidate gives
    outcome = await run([engine], runner=runner, ask=oracle)
    [question] = oracle.questions
    assert len(spec_seen) >= 2 and len(spec_seen[1].examples) == 3
    assert spec_seen[1].examples[-1].source == question.call
    assert runner.programs[-1].examples[-1].want == "12345.0\n"
    assert outcome.status == "failed" and outcome.candidate is None  # nobody gives 12345.0
    assert "(best passes 2 of 3)" in outcome.reason and len(outcome.answers) == 1


async def test_a_new_round_after_an_answer_can_verify() -> None:
    engine = Scripted("s", [NONSENSE, "return 2.0 if b else 0.0"], [RIGHT])
    oracle = Oracle()
    outcome = await run([engine], ask=oracle)
    [question] = oracle.questions  # the user's answer is none of the choices
    assert repr(eval(question.call, {"safe_div": truth})) not in question.choices
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == RIGHT and len(outcome.answers) == 1


async def test_at_most_max_questions_are_asked() -> None:
    bodies = [
        RIGHT,
        NONSENSE,
        "return a * b / 9 if b else 0.0",
        "return (a - b) / 1.5 if b else 0.0",
    ]
    oracle = Oracle()
    outcome = await run([Scripted("s", bodies)], ask=oracle, max_questions=1)
    assert len(oracle.questions) == 1 and len(outcome.answers) == 1
    assert outcome.status in ("verified", "ambiguous")
    many = await run([Scripted("s", bodies)], ask=Oracle(), max_questions=3)
    assert many.status == "verified" and many.candidate is not None and many.candidate.body == RIGHT


async def test_time_waiting_for_an_answer_is_not_taken_from_the_deadline() -> None:
    class Slow(Oracle):
        async def __call__(self, question: Question) -> str | None:
            await asyncio.sleep(0.5)
            return "12345.0"

    engine = Scripted("s", [NONSENSE, RIGHT], [RIGHT.replace("0.0", "12345.0")])
    outcome = await run([engine], ask=Slow(), deadline=0.4)
    assert len(engine.feedback) >= 2  # a round ran after a 0.5 s answer
    assert outcome.status in ("verified", "failed")


async def test_the_openai_engine_is_asked_about_the_same_way() -> None:
    bodies = [NONSENSE, RIGHT]

    def script(body: dict[str, Any]) -> Any:
        if len(body["messages"]) == 2:  # round 1 is one greedy answer: a wrong one
            return PerN(lambda i: fenced("return a * b"))
        return PerN(lambda i: fenced(bodies[i % 2]))  # the repair round's samples disagree

    with FakeOpenAI(script) as server:
        oracle = Oracle()
        outcome = await run([openai_engine(server.url, candidates=4)], ask=oracle)
    question, confirming = oracle.questions
    assert question.behaviours == 2 and len(question.choices) == 2
    assert confirming.confirms  # one predicted answer could be luck: it confirms another
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == RIGHT and outcome.candidate.engine == "openai"
    assert len(outcome.answers) == 2


async def test_cancelling_while_a_question_waits_cancels_the_question() -> None:
    waiting = asyncio.Event()
    cancelled: list[bool] = []

    async def never_answered(question: Question) -> str | None:
        waiting.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        return None

    task = asyncio.ensure_future(run([Scripted("s", [NONSENSE, RIGHT])], ask=never_answered))
    await asyncio.wait_for(waiting.wait(), 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled == [True]


def test_after_an_answer_the_earlier_ranking_decides_among_the_survivors() -> None:
    from synthls.sandbox.types import ExampleResult, RunResult
    from synthls.synth.engine_protocol import Candidate, Trial
    from synthls.synth.ranking import pick

    ok = RunResult("ok", (ExampleResult(0, "passed"),), ("1", "2"))
    other = RunResult("ok", (ExampleResult(0, "passed"),), ("1", "3"))
    short, long = Candidate("return 1", "s"), Candidate("return x if x else 1", "s")
    attempts = [Trial(short, ok), Trial(long, other)]
    fresh = pick(attempts, 1)
    assert fresh is not None and fresh[0].candidate == short  # a tie: the simpler body
    prior = pick(attempts, 1, prior=(long, short))
    assert prior is not None and prior[0].candidate == long
    assert (
        prior[1] == "passes 1/1 examples; the first of the earlier ranking that gives the answers"
    )


class Weighted:
    """An enumerative engine's stream: bodies with their plausibility weights."""

    name = "embedded"
    uses_feedback = False
    holds_out = False  # its stream is fixed: a second search would repeat it

    def __init__(self, *bodies: tuple[str, float]) -> None:
        self.bodies = bodies

    async def propose(self, spec: Spec, feedback: Sequence[Any]) -> Any:
        for body, weight in self.bodies:
            await asyncio.sleep(0)
            yield Candidate(body, self.name, weight=weight)


async def test_a_verified_body_is_of_the_dominant_behaviour() -> None:
    # the light body agrees with the heavy one except where b is 0 and a is large: it agrees
    # with more of the others' weight than the heavy one does, which must not make it win
    light = "return a / b if b else (0.0 if a < 5 else 1.0)"
    outcome = await run([Weighted((RIGHT, 0.8), (light, 0.2))])
    amb = outcome.ambiguity
    assert amb is not None and amb.behaviours == 2 and not amb.ambiguous
    assert outcome.status == "verified"
    assert outcome.candidate is not None and outcome.candidate.body == RIGHT
