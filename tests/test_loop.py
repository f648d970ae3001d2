"""The refinement loop: validation as candidates arrive, feedback rounds, engines together, faults.

Most tests use a small in-process runner (trusted test code only) so they are fast and exact; the
refinement and fault tests talk to the real OpenAI engine over HTTP (``tests/fake_openai.py``).
"""

from __future__ import annotations

import asyncio
import textwrap
import traceback
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from synthls.config import OpenAISettings
from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.sandbox.types import ExampleResult, Program, RunResult
from synthls.synth.attempts import parses
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.loop import Outcome, synthesize
from synthls.synth.openai import EngineError, OpenAISynthesizer
from tests.fake_openai import FakeOpenAI, Hang, PerN, Status, fenced, reply

DOC = """Add two numbers.

    >>> add(1, 2)
    3
    >>> add(-1, 1)
    0
    """
SPEC = Spec(
    name="add", signature="def add(a, b):", docstring=DOC, examples=extract_examples(DOC, 1, "add")
)


def build(body: str) -> str:
    return "def add(a, b):\n" + textwrap.indent(body, "    ") + "\n"


class FakeRunner:
    """Runs the module in-process and compares ``repr`` of each example's value with ``want``."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.programs: list[Program] = []
        self.cancelled = 0

    async def run(self, program: Program) -> RunResult:
        self.programs.append(program)
        try:
            await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        ns: dict[str, Any] = {}
        try:
            exec(program.setup, ns)
        except Exception as exc:
            return RunResult("setup_error", setup_error=f"{type(exc).__name__}: {exc}")
        results = []
        for i, ex in enumerate(program.examples):
            try:
                value = eval(ex.source, ns)
            except Exception as exc:
                tb = traceback.format_exc()
                results.append(
                    ExampleResult(
                        i, "error", exc_type=type(exc).__name__, exc_msg=str(exc), traceback=tb
                    )
                )
                continue
            got = "" if value is None else repr(value)
            results.append(
                ExampleResult(i, "passed" if got == ex.want.strip() else "failed", got=got)
            )
        return RunResult("ok", tuple(results), tuple(_probe(p, ns) for p in program.probes))


def _probe(source: str, ns: dict[str, Any]) -> str | None:
    try:
        return repr(eval(source, ns))
    except Exception:
        return None


class Scripted:
    """An engine yielding scripted bodies per round and recording the feedback it was given."""

    holds_out = False

    def __init__(
        self, name: str, *rounds: Sequence[str], uses_feedback: bool = True, hang: bool = False
    ) -> None:
        self.name = name
        self.rounds = list(rounds)
        self.uses_feedback = uses_feedback
        self.hang = hang
        self.feedback: list[Sequence[Trial]] = []

    async def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
        self.feedback.append(feedback)
        bodies = self.rounds.pop(0) if self.rounds else []
        for body in bodies:
            await asyncio.sleep(0)
            yield Candidate(body, self.name)
        if self.hang:
            await asyncio.sleep(3600)


class Broken:
    name = "broken"
    holds_out = False

    async def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
        raise RuntimeError("index out of range in search")
        yield Candidate("", "broken")  # pragma: no cover


def openai_engine(url: str, candidates: int = 2, **kw: Any) -> OpenAISynthesizer:
    settings = OpenAISettings(
        base_url=url, candidates=candidates, retries=kw.pop("retries", 0), **kw
    )
    return OpenAISynthesizer(settings, env={"OPENAI_API_KEY": "k"}, backoff=0.01)


async def run(
    engines: Sequence[Any], spec: Spec = SPEC, runner: FakeRunner | None = None, **kw: Any
) -> tuple[Outcome, list[str]]:
    messages: list[str] = []
    outcome = await asyncio.wait_for(
        synthesize(spec, build, engines, runner or FakeRunner(), progress=messages.append, **kw), 30
    )
    return outcome, messages


async def test_wrong_then_right_refinement_sends_expected_and_got_back() -> None:
    def script(body: dict[str, Any]) -> Any:
        if len(body["messages"]) == 2:
            return PerN(lambda i: fenced(f"return a - b + {i}"))
        return PerN(lambda i: fenced("return a + b"))

    with FakeOpenAI(script) as server:
        outcome, messages = await run([openai_engine(server.url)])
    assert outcome.verified and outcome.candidate is not None
    assert outcome.candidate.body == "return a + b" and outcome.rounds == 2
    assert (
        outcome.reason.startswith("passes 2/2 examples") and "(openai, round 2)" in outcome.reason
    )
    assert messages == ["round 1 of 3: best candidate passes 0 of 2 examples"]
    repairs = server.requests[1:]
    assert repairs and all(len(r["messages"]) == 4 for r in repairs)
    said = {r["messages"][2]["content"]: r["messages"][3]["content"] for r in repairs}
    assert "`add(1, 2)`: expected 3, got -1" in said["```python\nreturn a - b + 0\n```"]
    # round 1 is one greedy answer (synth/openai/schedule.py): its repair names both failures
    assert "`add(-1, 1)`: expected 0, got -2" in said["```python\nreturn a - b + 0\n```"]


async def test_every_round_failing_reports_the_best_and_stops_after_rounds() -> None:
    engine = Scripted("s", ["return 3"], ["return b"], ["return 0"], ["return 1"])
    outcome, messages = await run([engine], rounds=3)
    assert not outcome.verified and outcome.candidate is None
    assert outcome.rounds == 3 and len(engine.feedback) == 3
    assert outcome.reason == "no candidate passes every example (best passes 1 of 2)"
    assert [m.split(":")[0] for m in messages] == ["round 1 of 3", "round 2 of 3", "round 3 of 3"]
    assert [f.candidate.body for f in engine.feedback[1]] == ["return 3"]
    assert outcome.best is not None and outcome.best.result.passed == 1


async def test_engine_error_becomes_the_reason() -> None:
    with FakeOpenAI([Status(401, "bad key")]) as server:
        outcome, messages = await run([openai_engine(server.url)])
    assert not outcome.verified and outcome.candidate is None
    assert outcome.reason.startswith("401 Unauthorized") and "$OPENAI_API_KEY" in outcome.reason
    assert outcome.errors == (outcome.reason,)
    assert messages == [f"round 1 of 3: {outcome.reason}"]


async def test_engine_error_is_appended_when_another_engine_only_failed() -> None:
    with FakeOpenAI([Status(503, "down")]) as server:
        outcome, _ = await run([Scripted("s", ["return 3"]), openai_engine(server.url)], rounds=1)
    assert outcome.reason.startswith("no candidate passes every example (best passes 1 of 2)")
    assert "openai: 503 server error" in outcome.reason


async def test_unexpected_engine_crash_is_reported_not_raised() -> None:
    outcome, _ = await run([Broken()])
    assert outcome.reason == "index out of range in search"


async def test_prose_only_replies_say_why() -> None:
    with FakeOpenAI([reply("Sorry, I can't.")]) as server:
        outcome, _ = await run([openai_engine(server.url, candidates=1)], rounds=1)
    assert 'no code in the reply: "Sorry, I can\'t."' in outcome.reason
    assert outcome.attempts[0].result.status == "setup_error"


async def test_verified_answer_from_either_engine_wins() -> None:
    wrong = Scripted("embedded", ["return a * b"])
    with FakeOpenAI([PerN(lambda i: fenced("return b + a"))]) as server:
        outcome, _ = await run([wrong, openai_engine(server.url)])
    assert outcome.verified and outcome.candidate == Candidate("return b + a", "openai")


async def test_when_both_pass_the_simpler_one_is_chosen() -> None:
    long = "total = a\ntotal = total + b\nreturn total"
    outcome, _ = await run([Scripted("embedded", [long]), Scripted("other", ["return a + b"])])
    assert outcome.verified and outcome.candidate is not None
    assert outcome.candidate.body == "return a + b"
    assert {a.candidate.body for a in outcome.attempts} == {long, "return a + b"}


async def test_a_pass_does_not_wait_for_a_hanging_engine() -> None:
    slow = Scripted("slow", [], hang=True)
    outcome, _ = await run([slow, Scripted("fast", ["return a + b"])], settle=0.05, deadline=600)
    assert outcome.verified and outcome.candidate is not None and outcome.candidate.engine == "fast"


async def test_engines_without_feedback_are_only_asked_once() -> None:
    once = Scripted("embedded", ["return a"], ["return a + b"], uses_feedback=False)
    outcome, _ = await run([once])
    assert not outcome.verified and len(once.feedback) == 1 and outcome.rounds == 1


async def test_candidates_are_run_with_examples_and_probes() -> None:
    runner = FakeRunner()
    outcome, _ = await run([Scripted("s", ["return a + b"])], runner=runner)
    [program] = runner.programs
    assert program.examples == SPEC.examples and program.timeout == 5.0
    assert program.probes and all(p.startswith("add(") for p in program.probes)
    assert outcome.result is not None and len(outcome.result.probes) == len(program.probes)


async def test_duplicates_and_unparsable_bodies_are_not_run() -> None:
    runner = FakeRunner()
    outcome, _ = await run(
        [Scripted("s", ["return a + b", " return a + b", "return (a +"])], runner=runner, rounds=1
    )
    assert len(runner.programs) == 1
    bad = [a for a in outcome.attempts if a.candidate.note]
    assert len(bad) == 1 and bad[0].candidate.note.startswith("does not parse")


async def test_placeholders_are_no_body_and_are_not_run() -> None:
    # a model shown the file's other stubs (`def f(...): ...`) copies them
    placeholders = [
        "...",
        "pass",
        "raise NotImplementedError",
        "'todo'\n...",
        "raise NotImplementedError()",
    ]
    runner = FakeRunner()
    outcome, _ = await run(
        [Scripted("s", [*placeholders, "return a + b"])], runner=runner, rounds=1
    )
    assert len(runner.programs) == 1 and outcome.status == "verified"
    notes = [a.candidate.note for a in outcome.attempts if a.candidate.note]
    assert len(notes) == len(placeholders)
    assert all(n.startswith("no body, only a placeholder") for n in notes)
    assert parses("raise ValueError('no')") is None and parses("x = 1\n...") is None


async def test_no_examples_gives_an_unverified_candidate_after_one_round() -> None:
    spec = Spec(name="add", signature="def add(a, b):", docstring="Add two numbers.")
    engine = Scripted("s", ["return (", "return a + b"], ["return b + a"])
    outcome, _ = await run([engine], spec=spec)
    assert not outcome.verified and outcome.candidate == Candidate("return a + b", "s")
    assert "unverified" in outcome.reason and len(engine.feedback) == 1


async def test_deadline_keeps_what_was_validated() -> None:
    outcome, _ = await run([Scripted("s", ["return 3"], hang=True)], deadline=0.3)
    assert not outcome.verified
    assert (
        outcome.reason
        == "no candidate passes every example within the deadline (0.3s) (best passes 1 of 2)"
    )


async def test_nothing_proposed() -> None:
    outcome, _ = await run([Scripted("s", [])])
    assert outcome.reason == "no engine proposed a candidate" and outcome.rounds == 1


async def test_cancel_aborts_the_http_request() -> None:
    with FakeOpenAI([Hang(20)]) as server:
        task = asyncio.ensure_future(
            synthesize(SPEC, build, [openai_engine(server.url)], FakeRunner())
        )
        assert await asyncio.to_thread(server.hanging.wait, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(server.disconnected.wait, 5)


async def test_cancel_aborts_the_sandbox_runs() -> None:
    runner = FakeRunner(delay=3600)
    task = asyncio.ensure_future(
        synthesize(SPEC, build, [Scripted("s", ["return a", "return b"])], runner)
    )
    while len(runner.programs) < 2:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert runner.cancelled == 2


def test_engine_error_is_user_facing() -> None:
    assert EngineError("x").user_facing is True


async def test_an_engine_silent_until_the_deadline_is_named() -> None:
    with FakeOpenAI([Hang(20)]) as server:
        outcome, _ = await run([openai_engine(server.url)], deadline=0.5)
        assert await asyncio.to_thread(server.disconnected.wait, 5)
    assert outcome.reason == "openai gave no answer before the deadline (0.5s)"
