"""The loop with the real sandbox: an LLM refinement over HTTP verified by real child processes."""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import AsyncIterator
from typing import Any

import pytest

from synthls.config import OpenAISettings
from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.sandbox import Limits, Program, RunResult, Sandbox
from synthls.synth.loop import synthesize
from synthls.synth.openai import OpenAISynthesizer
from tests.fake_openai import FakeOpenAI, PerN, fenced

DOC = """Reverse the words of a sentence.

    >>> flip("a b c")
    'c b a'
    >>> flip("hello")
    'hello'
    >>> flip("")
    ''
    """
SPEC = Spec(
    name="flip",
    signature="def flip(s: str) -> str:",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "flip"),
)


def build(body: str) -> str:
    return f'def flip(s: str) -> str:\n    """{DOC}"""\n' + textwrap.indent(body, "    ") + "\n"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    box = Sandbox(Limits(timeout=5.0, memory_mb=512, parallel=2))
    await box.start()
    try:
        yield box
    finally:
        await box.close()


def engine(url: str) -> OpenAISynthesizer:
    settings = OpenAISettings(base_url=url, candidates=2, retries=0)
    return OpenAISynthesizer(settings, env={"OPENAI_API_KEY": "k"})


async def test_refinement_verified_in_the_real_sandbox(sandbox: Sandbox) -> None:
    wrong = "return ' '.join(s.split(' ')[1:])"  # round 1 is one greedy answer

    def script(body: dict[str, Any]) -> Any:
        if len(body["messages"]) == 2:
            return PerN(lambda i: fenced(wrong))
        return PerN(lambda i: fenced("return ' '.join(reversed(s.split()))"))

    with FakeOpenAI(script) as server:
        outcome = await asyncio.wait_for(synthesize(SPEC, build, [engine(server.url)], sandbox), 60)
    assert outcome.verified and outcome.candidate is not None, outcome.reason
    assert outcome.candidate.body == "return ' '.join(reversed(s.split()))"
    assert outcome.rounds == 2
    feedback = "\n".join(r["messages"][3]["content"] for r in server.requests[1:])
    assert "`flip(\"a b c\")`: expected 'c b a', got 'c b a'" not in feedback
    assert "expected 'c b a', got 'b c'" in feedback  # the wrong candidate's actual output
    assert "expected 'hello', got ''" in feedback


class Spy:
    """Passes runs to the sandbox, noting when they start and when they are cancelled."""

    def __init__(self, box: Sandbox) -> None:
        self.box = box
        self.started = asyncio.Event()
        self.cancelled = 0

    async def run(self, program: Program) -> RunResult:
        self.started.set()
        try:
            return await self.box.run(program)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise


async def test_cancel_stops_a_running_candidate(sandbox: Sandbox) -> None:
    spy = Spy(sandbox)
    with FakeOpenAI([PerN(lambda i: fenced("while True:\n    pass"))]) as server:
        task = asyncio.ensure_future(synthesize(SPEC, build, [engine(server.url)], spy, timeout=60))
        await asyncio.wait_for(spy.started.wait(), 30)
        await asyncio.sleep(0.2)  # let the child start spinning
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert spy.cancelled == 1  # two identical replies: one run, now cancelled
    # the sandbox is still usable, its slots were freed
    with FakeOpenAI([PerN(lambda i: fenced("return ' '.join(s.split()[::-1])"))]) as server:
        outcome = await asyncio.wait_for(synthesize(SPEC, build, [engine(server.url)], sandbox), 60)
    assert outcome.verified, outcome.reason
