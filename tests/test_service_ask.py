"""The synthesis job with ambiguous examples: what is inserted, what the report says, the settings."""

from __future__ import annotations

import asyncio

from synthls.config import Settings, load_settings
from synthls.intent.document import Document
from synthls.intent.targets import find_functions
from synthls.synth.ambiguity import Question
from synthls.synth.service import SynthReport, synthesize_target
from tests.test_loop import FakeRunner, Scripted
from tests.test_loop_ask import NONSENSE, RIGHT, truth

TEXT = '''def safe_div(a, b):
    """a / b, or 0.0 when b is zero.

    >>> safe_div(6, 3)
    2.0
    >>> safe_div(1, 0)
    0.0
    """
    ...
'''


async def job(settings: Settings, **kw: object) -> SynthReport:
    [target] = find_functions(Document(TEXT))
    engines = [Scripted("s", [NONSENSE, RIGHT])]
    return await asyncio.wait_for(
        synthesize_target(TEXT, target, engines, FakeRunner(), settings, **kw),  # type: ignore[arg-type]
        30,
    )


def with_policy(policy: str) -> Settings:
    settings, problems = load_settings({"ask": {"ambiguous": policy}})
    assert problems == []
    return settings


async def test_ambiguous_is_reported_with_numbers_and_not_inserted() -> None:
    report = await job(Settings())
    assert report.status == "ambiguous" and report.body is None
    assert report.message.startswith(
        "safe_div: ambiguous: passes 2/2 examples; 1 behaviour also passes; they disagree on `"
    )
    assert report.message.endswith("; not inserted")
    [line] = report.details
    assert line.startswith("What should `safe_div(") and " / " in line


async def test_policy_insert_inserts_the_best_guess_and_says_so() -> None:
    report = await job(with_policy("insert"))
    assert report.status == "ambiguous" and report.body is not None
    assert "inserted the most likely body (ask.ambiguous = insert)" in report.message


async def test_policy_never_neither_asks_nor_inserts() -> None:
    asked: list[Question] = []

    async def ask(q: Question) -> str | None:
        asked.append(q)
        return None

    report = await job(with_policy("never"), ask=ask)
    assert report.status == "ambiguous" and report.body is None and asked == []


async def test_an_answer_gives_a_verified_body_and_the_example_to_insert() -> None:
    async def ask(q: Question) -> str | None:
        return repr(eval(q.call, {"safe_div": truth}))

    report = await job(Settings(), ask=ask)
    assert report.status == "verified" and report.body == RIGHT
    examples = report.answers  # the answer that split the behaviours, and a confirmation
    assert len(examples) == 2 and len({e.source for e in examples}) == 2
    assert all(e.source.startswith("safe_div(") and e.line == -1 for e in examples)


async def test_max_questions_zero_asks_nothing() -> None:
    asked: list[Question] = []

    async def ask(q: Question) -> str | None:
        asked.append(q)
        return "0.5"

    settings, _ = load_settings({"ask": {"maxQuestions": 0}})
    report = await job(settings, ask=ask)
    assert report.status == "ambiguous" and asked == []


def test_ask_settings_defaults_and_validation() -> None:
    assert Settings().ask.max_questions == 3 and Settings().ask.ambiguous == "ask"
    settings, problems = load_settings({"ask": {"maxQuestions": 1, "ambiguous": "insert"}})
    assert problems == [] and settings.ask.max_questions == 1
    assert settings.ask.ambiguous == "insert"
    bad, problems = load_settings({"ask": {"maxQuestions": -2, "ambiguous": "sometimes"}})
    assert bad.ask == Settings().ask
    assert problems == [
        "ask.maxQuestions: must not be negative, got -2",
        "ask.ambiguous: expected one of ask, insert, never, got 'sometimes'",
    ]
