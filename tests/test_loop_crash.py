"""A model's body that raises on an input like the examples is not verified: the user is asked.

HumanEval/70 as the 1.5B model wrote it passes every example (all of even length) and raises on
every odd-length list. The question is such a list; the answer becomes the example that exposes
the bug, and the engine's next round gets it as feedback.
"""

from __future__ import annotations

import asyncio
import textwrap
from collections.abc import Sequence
from typing import Any

from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.synth.ambiguity import Question
from synthls.synth.answers import INVALID
from synthls.synth.loop import Outcome, synthesize
from synthls.synth.worth_asking import like_examples
from tests.test_loop import FakeRunner, Scripted

DOC = """Return the list in strange order: the minimum, then the maximum of the rest, and so on.

    >>> strange_sort_list([1, 2, 3, 4])
    [1, 4, 2, 3]
    >>> strange_sort_list([5, 5, 5, 5])
    [5, 5, 5, 5]
    >>> strange_sort_list([])
    []
    """
SPEC = Spec(
    name="strange_sort_list",
    signature="def strange_sort_list(lst):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "strange_sort_list"),
)
BUGGY = """result = []
while lst:
    result.append(min(lst))
    lst.remove(min(lst))
    result.append(max(lst))
    lst.remove(max(lst))
return result"""
FIXED = """result = []
lst = list(lst)
while lst:
    result.append(min(lst))
    lst.remove(min(lst))
    if lst:
        result.append(max(lst))
        lst.remove(max(lst))
return result"""


def truth(lst: list[int]) -> list[int]:
    out, rest, low = [], sorted(lst), True
    while rest:
        out.append(rest.pop(0) if low else rest.pop())
        low = not low
    return out


def build(body: str) -> str:
    return "def strange_sort_list(lst):\n" + textwrap.indent(body, "    ") + "\n"


class Oracle:
    def __init__(self) -> None:
        self.questions: list[Question] = []

    async def __call__(self, question: Question) -> str | None:
        self.questions.append(question)
        await asyncio.sleep(0)
        return repr(eval(question.call, {"strange_sort_list": truth}))


async def run(engines: Sequence[Any], **kw: Any) -> Outcome:
    return await asyncio.wait_for(synthesize(SPEC, build, engines, FakeRunner(), **kw), 30)


def test_inputs_like_the_examples() -> None:
    examples = [e.source for e in SPEC.examples]
    assert like_examples("strange_sort_list([1, 2, 3])", examples)
    assert not like_examples("strange_sort_list([-3, 2, 7])", examples)  # no example is negative
    assert not like_examples("strange_sort_list([0, 2, 7])", examples)  # nor zero
    assert not like_examples("strange_sort_list(['a', 'b'])", examples)  # nor text
    assert not like_examples("strange_sort_list([1, 2], 3)", examples)
    pairs = ["f([[1, 2], [3, 4]])"]
    assert like_examples("f([[5, 6]])", pairs)
    assert not like_examples("f([[5]])", pairs)  # the examples' items are pairs


async def test_the_crash_is_asked_about_and_the_answer_exposes_it() -> None:
    engine = Scripted("model", [BUGGY], [FIXED])
    oracle = Oracle()
    outcome = await run([engine], ask=oracle)
    [question] = oracle.questions
    assert question.raises and question.choices == ()
    assert "The body raises there" in question.text
    assert like_examples(question.call, [e.source for e in SPEC.examples])
    assert len(eval(question.call.split("(", 1)[1][:-1])) % 2 == 1  # an odd-length list
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == FIXED
    [answer] = outcome.answers
    assert answer.source == question.call
    # the second round was told which example the buggy body fails
    assert any(t.candidate.body == BUGGY for t in engine.feedback[1])


async def test_without_an_answer_the_crashing_body_is_not_verified() -> None:
    outcome = await run([Scripted("model", [BUGGY])])
    assert outcome.status == "ambiguous" and not outcome.verified
    assert "the body raises on `strange_sort_list(" in outcome.reason


async def test_once_an_input_it_raises_on_is_ruled_out_its_other_raises_are_preconditions() -> None:
    # a user whose lists are always of even length: one "not a valid input" settles the crashes
    asked: list[Question] = []

    async def even_lists_only(question: Question) -> str | None:
        asked.append(question)
        await asyncio.sleep(0)
        return INVALID

    outcome = await run([Scripted("model", [BUGGY])], ask=even_lists_only)
    [question] = asked  # not a second odd-length list
    assert question.raises and outcome.invalid == (question.call,)
    assert outcome.status == "verified" and outcome.candidate is not None
    assert outcome.candidate.body == BUGGY
    assert "not valid inputs by your answer" in outcome.reason


async def test_a_body_that_raises_only_outside_the_examples_kind_is_verified() -> None:
    # raises on negative numbers, which no example shows: a precondition, not a bug
    guarded = "if any(x < 0 for x in lst):\n    raise ValueError('negative')\n" + FIXED
    outcome = await run([Scripted("model", [guarded])])
    assert outcome.status == "verified"


async def test_the_search_s_bodies_are_not_asked_about() -> None:
    # the embedded search's generated inputs break preconditions too often (see crash())
    outcome = await run([Scripted("embedded", [BUGGY])])
    assert outcome.status == "verified"


def test_editors_show_the_crash_question_without_choices() -> None:
    from synthls.lsp.ask import question_message
    from synthls.lsp.pending import lens_titles

    q = Question("strange_sort_list", "strange_sort_list([1, 2, 3])", (), 1, 4, kind="crash")
    assert question_message(q).startswith("What should `strange_sort_list([1, 2, 3])` return?")
    assert "expect as a `>>>` example" in question_message(q)
    assert lens_titles(q) == [
        "synthls: the body raises on strange_sort_list([1, 2, 3]) — add its expected result"
    ]
