"""Ties: examples of unequal values never show which one wins a tie, so a model's body is also
run where two of an example's values tie, and a one-token change (``<`` for ``<=``) that passes
every example but answers a tie otherwise finds the question.

The loop tests drive the real OpenAI engine over HTTP (``tests/fake_openai.py``) with the
in-process runner of ``tests/test_loop.py``.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from typing import Any

from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.synth.inputs import generate
from synthls.synth.loop import Outcome, synthesize
from synthls.synth.rewrites.two_values import ties
from tests.fake_openai import FakeOpenAI, PerN, fenced
from tests.intended import User
from tests.test_loop import FakeRunner, openai_engine

DOC = """The list whose strings have fewer chars in all; if the two have the same number of
    chars, the first list.

    total_match([], []) ➞ []
    total_match(['hi', 'admin'], ['hI', 'Hi']) ➞ ['hI', 'Hi']
    total_match(['hi', 'admin'], ['hi', 'hi', 'admin', 'project']) ➞ ['hi', 'admin']
    total_match(['hi', 'admin'], ['hI', 'hi', 'hi']) ➞ ['hI', 'hi', 'hi']
    total_match(['4'], ['1', '2', '3', '4', '5']) ➞ ['4']
    """
SPEC = Spec(
    name="total_match",
    signature="def total_match(lst1, lst2):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "total_match"),
)
SIZE = "sum(len(s) for s in {})"
SECOND_WINS = f"return lst1 if {SIZE.format('lst1')} < {SIZE.format('lst2')} else lst2"
FIRST_WINS = f"return lst1 if {SIZE.format('lst1')} <= {SIZE.format('lst2')} else lst2"


def build(body: str) -> str:
    return "def total_match(lst1, lst2):\n" + textwrap.indent(body, "    ") + "\n"


def right(lst1: list[str], lst2: list[str]) -> list[str]:
    return lst1 if sum(map(len, lst1)) <= sum(map(len, lst2)) else lst2


async def run(engine: Any, user: User | None, **kw: Any) -> Outcome:
    return await asyncio.wait_for(
        synthesize(SPEC, build, [engine], FakeRunner(), ask=user, **kw), 30
    )


def test_ties_reverse_one_sequence_into_the_other_and_copy_a_number() -> None:
    found = ties(SPEC)
    assert found[:2] == [
        "total_match(['hi', 'admin'], ['admin', 'hi'])",
        "total_match(['Hi', 'hI'], ['hI', 'Hi'])",
    ]
    assert "total_match(['5', '4', '3', '2', '1'], ['1', '2', '3', '4', '5'])" in found
    # what generated inputs hold: random lists of strings rarely tie, and none does here
    assert not set(found) & set(generate(SPEC)[0])
    doc = ">>> f(3, 4, 'ab')\n1\n>>> f(2, 2, 'a')\n0\n>>> f(True, False, 'x')\n0\n"
    spec = Spec(
        name="f", signature="def f(a, b, s):", docstring=doc, examples=extract_examples(doc, 1, "f")
    )
    # two numbers tie as equal numbers; never equal values already, a palindrome, or a bool
    assert ties(spec) == ["f(3, 3, 'ab')", "f(4, 4, 'ab')"]
    assert len(ties(SPEC, limit=1)) == 1


async def test_a_body_that_breaks_a_tie_the_other_way_is_asked_and_repaired() -> None:
    def script(body: dict[str, Any]) -> Any:
        if len(body["messages"]) == 2:  # the greedy answer to the task alone
            return PerN(lambda i: fenced(SECOND_WINS))
        return PerN(lambda i: fenced(FIRST_WINS))  # told the answer it got wrong, it fixes it

    user = User("total_match", right)
    with FakeOpenAI(script) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
        requests = server.requests
    [question] = user.questions
    assert question.call in ties(SPEC)
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == FIRST_WINS
    assert outcome.answers[0].source == question.call
    assert question.call in json.dumps(requests[-1]["messages"])  # the failure went back


async def test_a_body_that_breaks_ties_as_the_user_means_is_verified_after_the_question() -> None:
    user = User("total_match", right)
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(FIRST_WINS))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
    assert len(user.questions) == 1 and user.questions[0].call in ties(SPEC)
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == FIRST_WINS


async def test_with_nobody_to_ask_the_ties_are_not_tried() -> None:
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(SECOND_WINS))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), None)
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == SECOND_WINS
