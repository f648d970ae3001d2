"""What the docstring says to ignore: a model's body that is changed by it is asked.

The loop tests drive the real OpenAI engine over HTTP (``tests/fake_openai.py``) with the
in-process runner of ``tests/test_loop.py``.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from typing import Any

from synthls.intent.examples import extract_examples, prose_lines
from synthls.intent.model import Spec
from synthls.synth.loop import Outcome, synthesize
from synthls.synth.rewrites.ignored import ignored, kinds
from tests.fake_openai import FakeOpenAI, PerN, fenced
from tests.intended import User
from tests.test_loop import FakeRunner, openai_engine

DOC = """Sum the squares of the odd numbers in the list.

    Ignore numbers that are negative or not integers.

    >>> odd_squares([1, 3, 2])
    10
    >>> odd_squares([-1, 5])
    25
    """
SPEC = Spec(
    name="odd_squares",
    signature="def odd_squares(xs):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "odd_squares"),
)
FLOATS_TOO = "return sum(x * x for x in xs if x > 0 and x % 2 != 0)"  # counts 3.5 as odd
WHOLE_ONLY = "return sum(x * x for x in xs if isinstance(x, int) and x > 0 and x % 2 == 1)"
CLAUSE = "Ignore numbers that are negative or not integers"


def build(body: str) -> str:
    return "def odd_squares(xs):\n" + textwrap.indent(body, "    ") + "\n"


def right(xs: list[Any]) -> int:
    return sum(x * x for x in xs if isinstance(x, int) and x > 0 and x % 2 == 1)


def spec_of(doc: str, name: str = "f") -> Spec:
    return Spec(
        name=name,
        signature=f"def {name}(s):",
        docstring=doc,
        examples=extract_examples(doc, 1, name),
    )


async def run(engine: Any, user: User | None) -> Outcome:
    return await asyncio.wait_for(synthesize(SPEC, build, [engine], FakeRunner(), ask=user), 30)


def test_the_kinds_of_value_a_docstring_says_to_ignore() -> None:
    assert kinds(SPEC) == [("negative", CLAUSE), ("fraction", CLAUSE)]
    doc = "Count distinct letters, regardless of case; ignore any spaces.\n>>> f('a b')\n2\n"
    assert [k for k, _ in kinds(spec_of(doc))] == ["case", "spaces"]
    assert [k for k, _ in kinds(spec_of("A case-insensitive match.\n"))] == ["case"]
    # a clause that does not ignore, or an example's own lines: nothing
    doc = (
        "Keep the case. Negative numbers count.\n>>> f('ignore spaces')\n1\nf(1) == 'ignore case'\n"
    )
    assert kinds(spec_of(doc)) == []


def test_prose_lines_leave_out_the_examples_and_their_output() -> None:
    doc = "Count it.\n>>> f(1)\n3\n4\n\nMore prose.\nf(2) == 5\nlast"
    assert list(prose_lines(doc, "f")) == ["Count it.", "More prose.", "last"]


def test_ignored_values_are_added_to_the_examples_kinds_taking_turns() -> None:
    assert ignored(SPEC) == [
        ("odd_squares([1, 3, 2, -3])", 0, CLAUSE),
        ("odd_squares([1, 3, 2, 3.5])", 0, CLAUSE),
        ("odd_squares([-1, 5, -5])", 1, CLAUSE),
        ("odd_squares([-1, 5, 5.5])", 1, CLAUSE),
    ]
    assert len(ignored(SPEC, limit=3)) == 3
    doc = "Vowels, regardless of case; ignore spaces.\n\n>>> f('abc', ['Hi', 1])\n1\n"
    spec = Spec(
        name="f", signature="def f(s, xs):", docstring=doc, examples=extract_examples(doc, 1, "f")
    )
    assert [c for c, *_ in ignored(spec)] == ["f('ABC', ['hI', 1])", "f('a bc', ['H i', 1])"]


async def test_a_body_changed_by_an_ignored_value_is_asked_and_the_answer_repairs_it() -> None:
    def script(body: dict[str, Any]) -> Any:
        if len(body["messages"]) == 2:  # the greedy answer to the task alone
            return PerN(lambda i: fenced(FLOATS_TOO))
        return PerN(lambda i: fenced(WHOLE_ONLY))  # told the answer it got wrong, it fixes it

    user = User("odd_squares", right)
    with FakeOpenAI(script) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
        requests = server.requests
    question = next(q for q in user.questions if q.kind == "edge-case")
    assert question.call == "odd_squares([1, 3, 2, 3.5])"
    assert question.context.startswith("`odd_squares([1, 3, 2])` gives 10" + "; ")
    assert f'the docstring says "{CLAUSE}": does it change the answer?' in question.context
    assert question.choices == ("22.25", "10")  # the body's answer, then the example's
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == WHOLE_ONLY
    assert outcome.answers[0].source == question.call and outcome.answers[0].want == "10\n"
    assert question.call in json.dumps(requests[-1]["messages"])  # the failure went back


async def test_a_body_the_ignored_values_leave_alone_is_not_asked_about_them() -> None:
    user = User("odd_squares", right)
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(WHOLE_ONLY))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
    assert not [q for q in user.questions if q.kind == "edge-case"]
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == WHOLE_ONLY


async def test_with_nobody_to_ask_the_body_is_judged_as_before() -> None:
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(FLOATS_TOO))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), None)
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == FLOATS_TOO
