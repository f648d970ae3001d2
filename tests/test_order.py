"""Swapped examples: a model's body that says the order of an example's values matters is asked.

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
from synthls.synth.ambiguity import Question
from synthls.synth.inputs import generate
from synthls.synth.loop import Outcome, synthesize
from synthls.synth.rewrites.example_values import example_value, verdicts
from synthls.synth.rewrites.two_values import swaps
from tests.fake_openai import FakeOpenAI, PerN, fenced
from tests.intended import User
from tests.test_loop import FakeRunner, openai_engine

DOC = """Whether the three sides form a right-angled triangle.

    >>> right_angle_triangle(3, 4, 5)
    True
    >>> right_angle_triangle(1, 2, 3)
    False
    """
SPEC = Spec(
    name="right_angle_triangle",
    signature="def right_angle_triangle(a, b, c):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "right_angle_triangle"),
)
ONE_ORDER = "return a * a + b * b == c * c"  # passes both examples, wrong on (5, 4, 3)
ANY_ORDER = "x, y, z = sorted((a, b, c))\nreturn x * x + y * y == z * z"


def build(body: str) -> str:
    return "def right_angle_triangle(a, b, c):\n" + textwrap.indent(body, "    ") + "\n"


def right(a: int, b: int, c: int) -> bool:
    x, y, z = sorted((a, b, c))
    return x * x + y * y == z * z


async def run(engine: Any, user: User | None, **kw: Any) -> Outcome:
    return await asyncio.wait_for(
        synthesize(SPEC, build, [engine], FakeRunner(), ask=user, **kw), 30
    )


def test_swaps_exchange_two_values_of_one_type() -> None:
    found = swaps(SPEC)
    assert [c for c, i in found if i == 0] == [
        "right_angle_triangle(4, 3, 5)",
        "right_angle_triangle(5, 4, 3)",
        "right_angle_triangle(3, 5, 4)",
    ]
    assert all(i in (0, 1) for _, i in found) and len(found) == 6
    doc = "f(['()(', ')']) == 'Yes'\nf([')', ')']) == 'No'\nf('a', 2) == 1\nf([1, 2, 3]) == 0\n"
    spec = Spec(
        name="f", signature="def f(x, y=0):", docstring=doc, examples=extract_examples(doc, 1, "f")
    )
    # a pair's two items; not two equal items, not values of two types, not a longer list
    assert swaps(spec) == [("f([')', '()('])", 0)]
    assert len(swaps(SPEC, limit=2)) == 2


def test_the_value_of_an_example_is_its_want_or_the_compared_literal() -> None:
    [first, _] = SPEC.examples
    assert example_value(first) == "True"
    doc = ">>> f(2) == 4\nTrue\n>>> f(3) > 1\nTrue\n"
    compared, other = extract_examples(doc, 1, "f")
    assert example_value(compared) == "4" and example_value(other) is None


async def test_a_body_that_tries_one_order_is_asked_and_the_answer_repairs_it() -> None:
    def script(body: dict[str, Any]) -> Any:
        if len(body["messages"]) == 2:  # the greedy answer to the task alone
            return PerN(lambda i: fenced(ONE_ORDER))
        return PerN(lambda i: fenced(ANY_ORDER))  # told the answer it got wrong, it fixes it

    user = User("right_angle_triangle", right)
    with FakeOpenAI(script) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
        requests = server.requests
    question = user.questions[0]
    assert question.context.startswith("`right_angle_triangle(3, 4, 5)` gives True" + "; ")
    assert "does the order matter" in question.context
    assert question.call in ("right_angle_triangle(5, 4, 3)", "right_angle_triangle(3, 5, 4)")
    assert question.choices == ("False", "True")  # the body's answer, then the example's
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == ANY_ORDER
    assert outcome.answers[0].source == question.call and outcome.answers[0].want == "True\n"
    assert question.call in json.dumps(requests[-1]["messages"])  # the failure went back


async def test_an_answer_the_body_gave_settles_it_the_order_matters() -> None:
    # the user means the one order: the body's answer is right, and it is written
    def one_order(a: int, b: int, c: int) -> bool:
        return a * a + b * b == c * c

    user = User("right_angle_triangle", one_order)
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(ONE_ORDER))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
    assert user.questions[0].kind == "edge-case" and len(user.questions) == 1
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == ONE_ORDER and outcome.answers[0].want == "False\n"


async def test_a_body_that_answers_every_swap_as_the_examples_is_not_asked() -> None:
    user = User("right_angle_triangle", right)
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(ANY_ORDER))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
    assert not [q for q in user.questions if q.kind == "edge-case"]
    assert outcome.status == "verified"


async def test_with_nobody_to_ask_or_the_check_off_the_body_is_judged_as_before() -> None:
    for user, mutants in ((None, True), (User("right_angle_triangle", right), False)):
        with FakeOpenAI(lambda body: PerN(lambda i: fenced(ONE_ORDER))) as server:
            outcome = await run(openai_engine(server.url, candidates=1), user, edge_cases=mutants)
        assert outcome.status == "verified" and outcome.candidate is not None
        assert outcome.candidate.body == ONE_ORDER
        assert user is None or not user.questions


def test_only_verdicts_are_asked_about_their_order() -> None:
    def examples(doc: str) -> tuple[Any, ...]:
        return tuple(extract_examples(doc, 1, "f"))

    assert verdicts(SPEC.examples)  # truth values
    assert verdicts(
        examples("f(['()(', ')']) == 'Yes'\nf([')', ')']) == 'No'\n")
    )  # the words for them
    assert not verdicts(examples(">>> f(6, 3)\n2.0\n>>> f(1, 0)\n0.0\n"))  # a computed value
    assert not verdicts(examples(">>> f('a', 'b')\n'ab'\n>>> f('b', 'c')\n'bc'\n"))
    assert verdicts(examples(">>> f('a', 'b')\n'NO'\n"))


async def test_a_computed_value_is_not_asked_about_its_order() -> None:
    doc = "a / b, or 0.0 when b is zero.\n\n>>> safe_div(6, 3)\n2.0\n>>> safe_div(1, 0)\n0.0\n"
    spec = Spec(
        name="safe_div",
        signature="def safe_div(a, b):",
        docstring=doc,
        examples=extract_examples(doc, 1, "safe_div"),
    )
    asked: list[Question] = []

    async def user(question: Question) -> str | None:
        asked.append(question)
        return repr(eval(question.call, {"safe_div": lambda a, b: a / b if b else 0.0}))

    def source(body: str) -> str:
        return "def safe_div(a, b):\n" + textwrap.indent(body, "    ") + "\n"

    right = "return a / b if b else 0.0"
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(right))) as server:
        outcome = await asyncio.wait_for(
            synthesize(
                spec, source, [openai_engine(server.url, candidates=1)], FakeRunner(), ask=user
            ),
            30,
        )
    assert outcome.status == "verified" and not [q for q in asked if q.kind == "edge-case"]


async def test_a_swap_among_the_generated_inputs_is_asked_about_too() -> None:
    # a pair's swap is also the reversed list the generated inputs hold
    doc = "Can the two strings be joined, in some order, into balanced parentheses?\n\n"
    doc += "match_parens(['()(', ')']) == 'Yes'\nmatch_parens([')', ')']) == 'No'\n"
    spec = Spec(
        name="match_parens",
        signature="def match_parens(lst):",
        docstring=doc,
        examples=extract_examples(doc, 1, "match_parens"),
    )
    assert swaps(spec)[0][0] in generate(spec)[0]
    one = "s = lst[0] + lst[1]\nreturn 'Yes' if all(s[:k].count('(') >= s[:k].count(')') for k in range(len(s) + 1)) and s.count('(') == s.count(')') else 'No'"
    asked: list[Question] = []

    async def user(question: Question) -> str | None:
        asked.append(question)
        return None  # dismissed: the question stays pending

    def source(body: str) -> str:
        return "def match_parens(lst):\n" + textwrap.indent(body, "    ") + "\n"

    with FakeOpenAI(lambda body: PerN(lambda i: fenced(one))) as server:
        engine = openai_engine(server.url, candidates=1)
        outcome = await asyncio.wait_for(
            synthesize(spec, source, [engine], FakeRunner(), ask=user), 30
        )
    [question] = asked
    assert question.call == "match_parens([')', '()('])" and question.choices == ("'No'", "'Yes'")
    assert outcome.status == "ambiguous"  # dismissed: not written as verified
