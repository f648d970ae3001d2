"""One-token changes of a model's body find the edge its examples leave open.

The loop tests drive the real OpenAI engine over HTTP (``tests/fake_openai.py``) with the
in-process runner of ``tests/test_loop.py``.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from pathlib import Path
from typing import Any

from synthls.config import load_settings
from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.synth.checks.one_token import mutants
from synthls.synth.loop import Outcome, synthesize
from tests.fake_openai import FakeOpenAI, PerN, fenced
from tests.intended import User
from tests.test_loop import FakeRunner, Scripted, openai_engine

DOC = """How many of the ages are of adults: 18 or older.

    >>> adults([12, 30, 45])
    2
    >>> adults([17, 5])
    0
    """
SPEC = Spec(
    name="adults",
    signature="def adults(ages):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "adults"),
)
SLIP = "return sum(1 for a in ages if a > 18)"  # passes both examples, wrong at 18
RIGHT = "return sum(1 for a in ages if a >= 18)"


def build(body: str) -> str:
    return "def adults(ages):\n" + textwrap.indent(body, "    ") + "\n"


def adults(ages: list[int]) -> int:
    return sum(a >= 18 for a in ages)


async def run(engine: Any, user: User | None, mutants: bool = True) -> Outcome:
    return await asyncio.wait_for(
        synthesize(SPEC, build, [engine], FakeRunner(), ask=user, edge_cases=mutants), 30
    )


def test_mutants_change_one_token_at_a_time() -> None:
    found = mutants("return sum([x for x in arr[:k] if 0 <= x <= 99])")
    assert "return sum([x for x in arr[:k] if 0 < x <= 99])" in found
    assert "return sum([x for x in arr[:k] if x <= 99])" in found  # a bound dropped
    assert "return sum([x for x in arr[:k] if 0 <= x <= 100])" in found  # one off
    assert "return sum([x for x in arr[:k + 1] if 0 <= x <= 99])" not in found  # names stay
    assert len(found) == len(set(found)) and all(f.count("<") == 2 for f in found[:2])
    assert mutants("return a if a and b else max(a, b)") == [
        "return a if a else max(a, b)",
        "return a if b else max(a, b)",
        "return a if a and b else min(a, b)",
    ]
    assert mutants("return (") == []


def test_loops_and_counters_are_left_alone() -> None:
    body = "i = 0\nwhile i < n:\n    i += 1\nreturn i"
    assert mutants(body) == ["i = 1\nwhile i < n:\n    i += 1\nreturn i"]


async def test_a_slip_the_examples_miss_becomes_a_question_and_the_answer_repairs_it() -> None:
    def script(body: dict[str, Any]) -> Any:
        if len(body["messages"]) == 2:  # the greedy answer to the task alone
            return PerN(lambda i: fenced(SLIP))
        return PerN(lambda i: fenced(RIGHT))  # told the answer it got wrong, the model fixes it

    user = User("adults", adults)
    with FakeOpenAI(script) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
        requests = server.requests
    [question] = user.questions
    assert "18" in question.call and question.choices[0] == "0" and not question.confirms
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == RIGHT
    [answer] = outcome.answers
    assert answer.source == question.call and answer.want == "1\n"
    repair = json.dumps(requests[-1]["messages"])
    assert question.call in repair  # the failing answer went back to the model


async def test_a_body_that_predicts_the_answer_is_verified_after_that_one_question() -> None:
    user = User("adults", adults)
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(RIGHT))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
    [question] = user.questions  # no second, confirming question
    assert question.choices[0] == "1" and outcome.status == "verified"
    assert outcome.candidate is not None and outcome.candidate.body == RIGHT
    assert len(outcome.answers) == 1


async def test_with_best_guesses_inserted_the_changes_are_not_tried() -> None:
    # ask.ambiguous "insert": nothing is asked, so the one-token changes are not tried either
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(SLIP))) as server:
        engine = openai_engine(server.url, candidates=1)
        user = User("adults", adults)
        outcome = await asyncio.wait_for(
            synthesize(SPEC, build, [engine], FakeRunner(), ask=user, ambiguous="insert"), 30
        )
    assert user.questions == [] and outcome.status == "verified"


async def test_with_nobody_to_ask_the_changes_are_not_tried() -> None:
    # a question nobody can answer would only leave the body unwritten (the CLI without --ask)
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(SLIP))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), None)
    assert outcome.status == "verified" and outcome.answers == ()
    assert "one-token change" not in outcome.reason


async def test_a_search_engines_body_is_not_challenged() -> None:
    # the embedded search already tried the programs one token away (and holds examples out)
    outcome = await run(Scripted("s", [SLIP]), User("adults", adults))
    assert outcome.status == "verified" and outcome.answers == ()


async def test_off_the_slip_is_verified_as_before() -> None:
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(SLIP))) as server:
        outcome = await run(
            openai_engine(server.url, candidates=1), User("adults", adults), mutants=False
        )
    assert outcome.status == "verified" and outcome.answers == ()


async def test_on_by_default() -> None:
    def script(body: dict[str, Any]) -> Any:
        return PerN(lambda i: fenced(SLIP if len(body["messages"]) == 2 else RIGHT))

    user = User("adults", adults)
    with FakeOpenAI(script) as server:
        engine = openai_engine(server.url, candidates=1)
        outcome = await asyncio.wait_for(
            synthesize(SPEC, build, [engine], FakeRunner(), ask=user), 30
        )
    assert len(user.questions) == 1 and outcome.status == "verified"
    assert load_settings(None, env={})[0].ask.edge_cases is True


def test_the_setting_reaches_the_loop_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.synthls.ask]\nedgeCases = false\n")
    settings, problems = load_settings(None, env={}, root=tmp_path)
    assert settings.ask.edge_cases is False and not problems
    editor, problems = load_settings({"ask": {"edgeCases": True}}, env={}, root=tmp_path)
    assert editor.ask.edge_cases is True and not problems  # the editor's settings override it
