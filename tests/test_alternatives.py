"""The docstring's alternatives: a model's body that treats two of them differently is asked.

The loop tests drive the real OpenAI engine over HTTP (``tests/fake_openai.py``) with the
in-process runner of ``tests/test_loop.py``.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import textwrap
from typing import Any

from synthls.ask_tty import TerminalAsk
from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.synth.ambiguity import Question
from synthls.synth.loop import Outcome, synthesize
from synthls.synth.rewrites.alternatives import exchanges, groups
from synthls.synth.rewrites.example_values import counts
from tests.fake_openai import FakeOpenAI, PerN, fenced
from tests.intended import User
from tests.test_loop import FakeRunner, openai_engine

DOC = """Count the sentences that start with the word "I".

    Sentences are delimited by '.', '?' or '!'.

    >>> is_bored("Hello world")
    0
    >>> is_bored("The sky is blue. I love this weather")
    1
    """
SPEC = Spec(
    name="is_bored",
    signature="def is_bored(S):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "is_bored"),
)
ONE_MARK = "return sum(s.strip().startswith('I ') for s in S.split('.'))"  # wrong on '?' and '!'
ANY_MARK = "import re\nreturn sum(s.strip().startswith('I ') for s in re.split('[.?!]', S))"


def build(body: str) -> str:
    return "def is_bored(S):\n" + textwrap.indent(body, "    ") + "\n"


def right(S: str) -> int:
    return sum(s.strip().startswith("I ") for s in re.split("[.?!]", S))


def spec_of(doc: str, name: str = "f") -> Spec:
    return Spec(
        name=name,
        signature=f"def {name}(s):",
        docstring=doc,
        examples=extract_examples(doc, 1, name),
    )


async def run(engine: Any, user: User | None, **kw: Any) -> Outcome:
    return await asyncio.wait_for(
        synthesize(SPEC, build, [engine], FakeRunner(), ask=user, **kw), 30
    )


def test_quoted_literals_joined_by_or_are_alternatives() -> None:
    assert groups(SPEC) == [(".", "?", "!")]
    doc = "Split on ',' or \";\"; either 'y' or 'Y' means yes, or 'n'.\n"
    assert groups(spec_of(doc)) == [(",", ";"), ("y", "Y")]
    # joined by "and" (an alphabet of opposites), a longer phrase, or inside an example: none
    doc = "brackets is a string of '<' and '>'; 'a long phrase' or 'x'.\n>>> f('a' or 'b')\n1\n"
    doc += "f('.') or f('?') == 1\n"
    assert groups(spec_of(doc)) == []


def test_exchanges_replace_one_alternative_by_another_in_the_examples_strings() -> None:
    found = exchanges(SPEC)
    assert found[0] == ("is_bored('The sky is blue? I love this weather')", 1, ".", "?")
    assert found[1] == ("is_bored('The sky is blue! I love this weather')", 1, ".", "!")
    assert len(found) == 2  # no example holds '?' or '!': nothing else to exchange
    doc = "Words split by ' ' or '-'.\n\n>>> f(['a b', 3], 'c-d')\n2\n"
    spec = Spec(
        name="f", signature="def f(xs, s):", docstring=doc, examples=extract_examples(doc, 1, "f")
    )
    assert [c for c, *_ in exchanges(spec)] == ["f(['a-b', 3], 'c-d')", "f(['a b', 3], 'c d')"]
    assert len(exchanges(SPEC, limit=1)) == 1


def test_only_verdicts_and_counts_are_asked_about_alternatives() -> None:
    assert counts(SPEC.examples)
    assert counts(spec_of(">>> f('a.b')\nTrue\n").examples)
    assert not counts(spec_of(">>> f('a.b')\n'a?b'\n").examples)  # a computed string
    assert not counts(spec_of(">>> f('a.b')\n1.5\n").examples)


async def test_a_body_that_splits_on_one_mark_is_asked_and_the_answer_repairs_it() -> None:
    def script(body: dict[str, Any]) -> Any:
        if len(body["messages"]) == 2:  # the greedy answer to the task alone
            return PerN(lambda i: fenced(ONE_MARK))
        return PerN(lambda i: fenced(ANY_MARK))  # told the answer it got wrong, it fixes it

    user = User("is_bored", right)
    with FakeOpenAI(script) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
        requests = server.requests
    question = next(q for q in user.questions if q.kind == "edge-case")
    assert question.call == "is_bored('The sky is blue? I love this weather')"
    assert question.context.startswith(
        '`is_bored("The sky is blue. I love this weather")` gives 1' + "; "
    )  # as typed
    assert "the docstring names '.' or '?': does it matter which?" in question.context
    assert question.choices == ("0", "1")  # the body's answer, then the example's
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == ANY_MARK
    assert outcome.answers[0].source == question.call and outcome.answers[0].want == "1\n"
    assert question.call in json.dumps(requests[-1]["messages"])  # the failure went back


async def test_a_body_that_treats_the_alternatives_alike_is_not_asked_about_them() -> None:
    user = User("is_bored", right)
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(ANY_MARK))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), user)
    assert not [q for q in user.questions if q.kind == "edge-case"]
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == ANY_MARK


async def test_with_nobody_to_ask_the_body_is_judged_as_before() -> None:
    with FakeOpenAI(lambda body: PerN(lambda i: fenced(ONE_MARK))) as server:
        outcome = await run(openai_engine(server.url, candidates=1), None)
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == ONE_MARK


async def test_the_terminal_puts_a_rewrite_question_as_one_question() -> None:
    question = Question(
        "is_bored",
        "is_bored('I am. Bored? Yes')",
        ("1", "2"),
        1,
        kind="edge-case",
        context="`is_bored('I am. Bored. Yes')` gives 2; "
        "the docstring names '.' or '?': does it matter which?",
    )
    out = io.StringIO()
    answer = await TerminalAsk(io.StringIO("2\n"), out)(question)
    assert answer == "2"
    first = out.getvalue().splitlines()[1]
    assert first == (
        "is_bored: `is_bored('I am. Bored. Yes')` gives 2; the docstring names '.' or '?': "
        "does it matter which?"
    )  # no stray full stop after the question mark
