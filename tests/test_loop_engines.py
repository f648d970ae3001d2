"""Engines together: ``make_engines`` and the embedded search racing the LLM in one loop."""

from __future__ import annotations

import asyncio
import textwrap

import pytest

from synthls.config import load_settings
from synthls.intent.examples import extract_examples
from synthls.intent.model import Param, Spec
from synthls.sandbox import Limits, Sandbox
from synthls.synth.embedded import EmbeddedSynthesizer
from synthls.synth.engines import (
    CHOICES,
    ENGINES,
    engine_class,
    make_engines,
    needs_examples,
    votes_once_per_behaviour,
)
from synthls.synth.loop import Outcome, synthesize
from synthls.synth.openai import OpenAISynthesizer
from tests.fake_openai import FakeOpenAI, PerN, Script, Status, fenced

DOC = """Twice the sum.

    >>> double_sum(1, 2)
    6
    >>> double_sum(0, 5)
    10
    >>> double_sum(4, 3)
    14
    """
SPEC = Spec(
    name="double_sum",
    params=(Param("a"), Param("b")),
    signature="def double_sum(a, b):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "double_sum"),
)
LONG = "total = 0\nfor x in (a, b, a, b):\n    total = total + x\nreturn total"


def build(body: str) -> str:
    return "def double_sum(a, b):\n" + textwrap.indent(body, "    ") + "\n"


def test_make_engines_builds_the_chosen_engines() -> None:
    settings, _ = load_settings({"engine": "openai", "openai": {"model": "m"}}, env={})
    [llm] = make_engines(settings, env={})
    assert isinstance(llm, OpenAISynthesizer) and llm.settings.model == "m"
    kinds = [type(e) for e in make_engines(settings, "all", env={})]
    assert kinds == [EmbeddedSynthesizer, OpenAISynthesizer]
    assert [type(e) for e in make_engines(settings, "embedded")] == [EmbeddedSynthesizer]
    with pytest.raises(ValueError, match="unknown engine 'gpt'"):
        make_engines(settings, "gpt")


def test_every_engine_in_the_table_declares_its_rules() -> None:
    settings, _ = load_settings({}, env={})
    rules = (
        "needs_examples",
        "uses_feedback",
        "votes_once_per_behaviour",
        "holds_out",
        "language_model",
    )
    for name in ENGINES:
        cls = engine_class(name)
        assert cls is not None and cls.name == name
        assert all(isinstance(getattr(cls, rule), bool) for rule in rules), name
        [engine] = make_engines(settings, name, env={})
        assert type(engine) is cls and engine.name == name
    assert ("auto", *ENGINES, "all") == CHOICES and engine_class("current") is None


def test_rules_are_read_from_the_engines() -> None:
    assert needs_examples("embedded") and not needs_examples("openai")
    assert not needs_examples("all")  # one engine of the choice works without examples
    assert votes_once_per_behaviour("embedded") and not votes_once_per_behaviour("openai")
    assert not votes_once_per_behaviour("current")  # a name that is no engine: a sample
    with pytest.raises(ValueError, match="unknown engine 'gpt'"):
        needs_examples("gpt")


async def _all_engines(script: Script) -> tuple[Outcome, FakeOpenAI]:
    box = Sandbox(Limits(timeout=5.0, memory_mb=512, parallel=2))
    await box.start()
    try:
        with FakeOpenAI(script) as server:
            settings, _ = load_settings(
                {
                    "openai": {"baseUrl": server.url, "candidates": 1, "retries": 0},
                    "embedded": {"budget": 2.0},
                },
                env={},
            )
            engines = make_engines(settings, "all", env={"OPENAI_API_KEY": "k"})
            outcome = await asyncio.wait_for(synthesize(SPEC, build, engines, box, settle=30), 120)
    finally:
        await box.close()
    return outcome, server


async def test_both_engines_pass_and_the_more_readable_body_wins() -> None:
    outcome, server = await _all_engines([PerN(lambda i: fenced(LONG))])
    assert outcome.verified and outcome.candidate is not None
    engines = {a.candidate.engine for a in outcome.attempts if a.result.all_passed}
    assert engines == {"embedded", "openai"}
    assert outcome.candidate is not None
    assert outcome.candidate.engine == "embedded" and outcome.candidate.body != LONG
    assert len(server.requests) == 1


async def test_a_failing_endpoint_does_not_stop_the_embedded_answer() -> None:
    outcome, _ = await _all_engines([Status(500, "down")])
    assert outcome.verified and outcome.candidate is not None
    assert outcome.candidate.engine == "embedded"
    assert any("500 server error" in e for e in outcome.errors)
