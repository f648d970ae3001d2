"""The held-out check: a body is verified only when it predicts an example it was not fitted to.

``Enumerating`` stands in for a search engine: it offers, heaviest first, the programs of a
fixed list that pass the examples it is given, as the embedded search does; the runner is the
in-process one of ``tests/test_loop.py``. The last tests run the real embedded engine in the real
sandbox.
"""

from __future__ import annotations

import asyncio
import dataclasses
import textwrap
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from synthls.config import EmbeddedSettings, Settings
from synthls.intent.document import Document
from synthls.intent.examples import extract_examples
from synthls.intent.model import Spec
from synthls.intent.targets import find_functions
from synthls.sandbox import Sandbox
from synthls.synth.ambiguity import Question
from synthls.synth.answers import INVALID
from synthls.synth.checks.held_out import held_out_index
from synthls.synth.embedded import EmbeddedSynthesizer
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.loop import Outcome, synthesize
from synthls.synth.service import synthesize_target
from tests.test_loop import FakeRunner

DOC = """Whether the list has an even number of items.

    >>> even([1, 2])
    True
    >>> even([3, 4])
    True
    >>> even([5, 6, 7])
    False
    """
SPEC = Spec(
    name="even",
    signature="def even(xs):",
    docstring=DOC,
    examples=extract_examples(DOC, 1, "even"),
)
PARITY = "return len(xs) % 2 == 0"
ALWAYS = "return True"  # the simplest program for the first two examples


def build(body: str) -> str:
    return "def even(xs):\n" + textwrap.indent(body, "    ") + "\n"


class Enumerating:
    """Offers the programs of ``bank`` that pass the given examples, heaviest first."""

    name = "enumerating"
    uses_feedback = False

    def __init__(self, bank: Sequence[tuple[str, float]], holds_out: bool = True) -> None:
        self.bank = sorted(bank, key=lambda b: -b[1])
        self.holds_out = holds_out
        self.build = build  # the module a body makes
        self.searched: list[int] = []  # examples per search

    def _fits(self, body: str, spec: Spec) -> bool:
        ns: dict[str, Any] = {}
        exec(self.build(body), ns)
        try:
            return all(repr(eval(e.source, ns)) == e.want.strip() for e in spec.examples)
        except Exception:
            return False

    async def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
        self.searched.append(len(spec.examples))
        for body, weight in self.bank:
            await asyncio.sleep(0)
            if self._fits(body, spec):
                yield Candidate(body, "embedded", weight=weight)


class Oracle:
    def __init__(self, functions: dict[str, Any] | None = None) -> None:
        self.questions: list[Question] = []
        self.functions = functions or {"even": lambda xs: len(xs) % 2 == 0}

    async def __call__(self, question: Question) -> str | None:
        self.questions.append(question)
        return repr(eval(question.call, dict(self.functions)))


TOTAL_DOC = """The sum of the list.

    >>> total([1, 2, 4])
    7
    """


def one_body(name: str, params: str, doc: str, body: str) -> tuple[Spec, Enumerating]:
    """The spec of ``def name(params)`` with ``doc``, and an engine whose one program is ``body``."""
    signature = f"def {name}({params}):"
    spec = Spec(
        name=name, signature=signature, docstring=doc, examples=extract_examples(doc, 1, name)
    )
    engine = Enumerating([(body, 0.5)])
    engine.build = lambda b: signature + "\n" + textwrap.indent(b, "    ") + "\n"
    return spec, engine


async def run(engine: Enumerating, **kw: Any) -> Outcome:
    return await asyncio.wait_for(synthesize(SPEC, build, [engine], FakeRunner(), **kw), 30)


async def test_a_body_the_held_out_example_was_needed_for_is_not_verified() -> None:
    engine = Enumerating([(ALWAYS, 0.5), (PARITY, 0.1)])
    outcome = await run(engine)
    assert engine.searched == [3, 2]  # the search, then the search without the last example
    assert outcome.status == "ambiguous" and not outcome.verified
    assert outcome.candidate is not None and outcome.candidate.body == PARITY
    amb = outcome.ambiguity
    assert amb is not None and amb.fitted and amb.question is not None
    assert set(amb.question.choices) == {"True", "False"}
    assert f"(`{ALWAYS}`) fails example 3" in outcome.reason
    assert "fitted to the examples" in outcome.reason


async def test_the_answer_to_the_question_confirms_the_body_and_is_kept() -> None:
    """A sum's results vary, yet one predicted answer does not confirm it: a wrong body that
    fits the examples gives the right answer on many inputs (``WRONG_AGREES``); two do."""
    doc = """The sum of the list.

    >>> total([1, 2])
    3
    >>> total([3, 0])
    3
    >>> total([5, 6, 7])
    18
    """
    spec = Spec(
        name="total",
        signature="def total(xs):",
        docstring=doc,
        examples=extract_examples(doc, 1, "total"),
    )
    engine = Enumerating([("return 3", 0.5), ("return sum(xs)", 0.1)])
    engine.build = lambda body: "def total(xs):\n" + textwrap.indent(body, "    ") + "\n"
    oracle = Oracle({"total": sum})
    outcome = await asyncio.wait_for(
        synthesize(spec, engine.build, [engine], FakeRunner(), ask=oracle), 30
    )
    assert outcome.status == "verified", outcome.reason
    assert outcome.candidate is not None and outcome.candidate.body == "return sum(xs)"
    assert len(oracle.questions) == 2 and len(outcome.answers) == 2  # kept as new examples
    assert [q.confirms for q in oracle.questions] == [False, True]
    assert engine.searched == [3, 2]  # the predicted answer confirms: no search again


async def test_a_predicate_s_predicted_answers_are_one_bit_each() -> None:
    """A parity says False half the time: three predicted answers could still be luck
    (0.5 ** 3 > 0.1), so after the last question allowed the result stays ambiguous."""
    engine = Enumerating([(ALWAYS, 0.5), (PARITY, 0.1)])
    oracle = Oracle()
    outcome = await run(engine, ask=oracle)
    assert outcome.status == "ambiguous" and not outcome.verified
    assert outcome.candidate is not None and outcome.candidate.body == PARITY
    assert len(oracle.questions) == 3 and len(outcome.answers) == 3
    assert "could agree by luck" in outcome.reason
    assert engine.searched == [3, 2]


async def test_a_body_that_predicts_the_held_out_example_is_verified() -> None:
    engine = Enumerating([(PARITY, 0.5), (ALWAYS, 0.1)])
    outcome = await run(engine)
    assert outcome.status == "verified"
    assert engine.searched == [3, 2]
    assert outcome.ambiguity is not None and not outcome.ambiguity.fitted


async def test_engines_that_do_not_hold_out_are_not_searched_again() -> None:
    engine = Enumerating([(ALWAYS, 0.5), (PARITY, 0.1)], holds_out=False)
    outcome = await run(engine)
    assert engine.searched == [3]
    assert outcome.status == "verified"


async def test_with_two_examples_one_is_searched_on_and_the_other_predicted() -> None:
    spec = dataclasses.replace(SPEC, examples=(SPEC.examples[0], SPEC.examples[2]))
    engine = Enumerating([(ALWAYS, 0.5), (PARITY, 0.1)])
    outcome = await asyncio.wait_for(synthesize(spec, build, [engine], FakeRunner()), 30)
    assert engine.searched == [2, 1]  # `return True` explains the first alone, not the second
    assert outcome.status == "ambiguous" and not outcome.verified
    assert outcome.ambiguity is not None and outcome.ambiguity.fitted


async def test_with_two_examples_a_predicted_one_verifies() -> None:
    spec = dataclasses.replace(SPEC, examples=(SPEC.examples[0], SPEC.examples[2]))
    engine = Enumerating([(PARITY, 0.5), (ALWAYS, 0.1)])
    outcome = await asyncio.wait_for(synthesize(spec, build, [engine], FakeRunner()), 30)
    assert engine.searched == [2, 1]
    assert outcome.status == "verified", outcome.reason


async def test_a_single_example_confirms_nothing() -> None:
    """One example leaves nothing to search on when it is held out: the body is unconfirmed
    and the user is asked to confirm its answer on another input (here, without anyone to
    ask, it is not inserted)."""
    spec = dataclasses.replace(SPEC, examples=SPEC.examples[2:])
    engine = Enumerating([(PARITY, 0.5)])
    outcome = await asyncio.wait_for(synthesize(spec, build, [engine], FakeRunner()), 30)
    assert engine.searched == [1]
    assert outcome.status == "ambiguous" and not outcome.verified
    amb = outcome.ambiguity
    assert amb is not None and amb.fitted and amb.question is not None
    assert "one example cannot be held out" in outcome.reason


async def test_a_program_only_the_held_out_search_found_joins_the_behaviours() -> None:
    # `other` passes every example too, but the full search stopped before it (it offers one)
    other = "return len(xs) < 3"

    class FirstOnly(Enumerating):
        async def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
            n = len(self.searched)
            async for cand in super().propose(spec, feedback):
                yield cand
                if n == 0:
                    return

    engine = FirstOnly([(PARITY, 0.3), (other, 0.3)])
    outcome = await run(engine)
    assert engine.searched == [3, 2]
    assert {a.candidate.body for a in outcome.attempts} == {PARITY, other}
    assert outcome.status == "ambiguous"
    assert outcome.ambiguity is not None and outcome.ambiguity.behaviours == 2


MONOTONIC = '''def is_monotonic(xs):
    """Whether the list never goes down or never goes up.

    >>> is_monotonic([6, 5, 4, 4])
    True
    >>> is_monotonic([1, 2, 2, 3])
    True
    >>> is_monotonic([1, 3, 2])
    False
    """
'''
SUM_OF_ENDS = '''def largest_plus_smallest(nums):
    """The largest number of the list plus its smallest.

    >>> largest_plus_smallest([1, 2, 3])
    4
    >>> largest_plus_smallest([4, 2, 9])
    11
    >>> largest_plus_smallest([-1, 5, 0])
    4
    """
'''


@pytest.fixture
async def box() -> AsyncIterator[Sandbox]:
    sandbox = Sandbox()
    try:
        yield sandbox
    finally:
        await sandbox.close()


async def embedded(text: str, box: Sandbox) -> Outcome:
    settings = dataclasses.replace(Settings(), embedded=EmbeddedSettings(budget=3.0))
    target = find_functions(Document(text))[0]
    report = await synthesize_target(text, target, [EmbeddedSynthesizer(budget=3.0)], box, settings)
    assert report.outcome is not None
    return report.outcome


async def test_the_embedded_engine_does_not_call_a_fitted_body_verified(box: Sandbox) -> None:
    # `any(xs)` explains the first two examples; the third was needed to get a body at all
    outcome = await embedded(MONOTONIC, box)
    assert outcome.status == "ambiguous"
    assert outcome.ambiguity is not None and outcome.ambiguity.fitted
    assert "fails example 3" in outcome.reason


async def test_the_embedded_engine_verifies_a_body_the_examples_predict(box: Sandbox) -> None:
    outcome = await embedded(SUM_OF_ENDS, box)
    assert outcome.status == "verified"
    assert outcome.candidate is not None
    assert outcome.candidate.body == "return max(nums) + min(nums)"


def spec_of(doc: str) -> Spec:
    return dataclasses.replace(SPEC, docstring=doc, examples=extract_examples(doc, 1, "even"))


def test_which_example_is_held_out() -> None:
    def index(*pairs: tuple[str, str], answered: bool = False) -> int | None:
        doc = "".join(f">>> even({a})\n{w}\n" for a, w in pairs)
        return held_out_index(spec_of(doc), answered)

    # values: the last one, even when its value repeats (predicting 4 is not a coin flip)
    assert index(("[1]", "4"), ("[2]", "11"), ("[3]", "4")) == 2
    # a predicate: the last example whose truth value is the only one of its kind
    assert index(("[1]", "True"), ("[2]", "False"), ("[3]", "False")) == 0
    assert index(("[1]", "False"), ("[2]", "True"), ("[3]", "False")) == 1
    # nothing can confirm a body: one result for all, or every truth value repeated
    assert index(("[1]", "4"), ("[2]", "4"), ("[3]", "4")) is None
    assert index(("[]", "True"), ("[1]", "False"), ("[2]", "False"), ("[3]", "True")) is None
    # after an answer, the answer (the last example) is held out
    assert index(("[1]", "True"), ("[2]", "False"), ("[3]", "False"), answered=True) == 2


REPEATS = """Whether the list has an even number of items.

    >>> even([1, 2])
    True
    >>> even([3])
    False
    >>> even([5, 6, 7])
    False
    >>> even([])
    True
    """


async def test_a_body_no_example_can_confirm_gets_a_confirmation_question() -> None:
    spec = spec_of(REPEATS)
    engine = Enumerating([(PARITY, 0.5), (ALWAYS, 0.1)])
    outcome = await asyncio.wait_for(synthesize(spec, build, [engine], FakeRunner()), 30)
    assert outcome.status == "ambiguous" and engine.searched == [4]  # nothing to hold out
    amb = outcome.ambiguity
    assert amb is not None and amb.fitted and amb.question is not None
    assert amb.question.choices in (("True", "False"), ("False", "True"))
    assert "no example confirmed the body" in outcome.reason
    # the user's answers, which the body predicted, are asked one after the other (each on
    # another input); each is one bit: a parity says False on about half the inputs, so two
    # predicted answers could still be luck (about 0.2 > LUCK), three are not
    oracle = Oracle()
    engine = Enumerating([(PARITY, 0.5), (ALWAYS, 0.1)])
    outcome = await asyncio.wait_for(
        synthesize(spec, build, [engine], FakeRunner(), ask=oracle), 30
    )
    assert outcome.status == "verified", outcome.reason
    assert len(oracle.questions) == 3 and len({q.call for q in oracle.questions}) == 3
    assert outcome.candidate is not None and outcome.candidate.body == PARITY
    assert engine.searched == [4]  # predicted answers are weighed, not searched again
    engine = Enumerating([(PARITY, 0.5), (ALWAYS, 0.1)])
    outcome = await asyncio.wait_for(
        synthesize(spec, build, [engine], FakeRunner(), ask=Oracle(), max_questions=2), 30
    )
    assert outcome.status == "ambiguous" and "could agree by luck" in outcome.reason


class OnlyWithAll(Enumerating):
    """Finds its program only with every example (like an affine rule whose made-up constants
    need all three points)."""

    async def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
        self.searched.append(len(spec.examples))
        if len(spec.examples) >= 3:
            yield Candidate(PARITY, "embedded", weight=0.1)


async def test_a_body_nothing_simpler_predicts_is_unconfirmed() -> None:
    engine = OnlyWithAll([])
    outcome = await run(engine)
    assert engine.searched == [3, 2]
    assert outcome.status == "ambiguous" and not outcome.verified
    amb = outcome.ambiguity
    assert amb is not None and amb.fitted and amb.question is not None
    assert "no example confirmed the body" in outcome.reason
    assert "no simpler program explains the examples but 3" in outcome.reason


async def test_a_confirmed_value_needs_two_answers_even_when_each_is_rare() -> None:
    """One example cannot be held out: the body is unconfirmed. Its results vary (a sum), but a
    wrong body that fits the examples gives the right answer on many inputs, so one answer it
    predicted is not enough (``WRONG_AGREES``); two are, each asked at another input."""
    spec, engine = one_body("total", "xs", TOTAL_DOC, "return sum(xs)")

    async def once(max_questions: int) -> tuple[Outcome, Oracle]:
        oracle = Oracle({"total": sum})
        outcome = await asyncio.wait_for(
            synthesize(
                spec, engine.build, [engine], FakeRunner(), ask=oracle, max_questions=max_questions
            ),
            30,
        )
        return outcome, oracle

    outcome, oracle = await once(1)
    assert outcome.status == "ambiguous" and "could agree by luck" in outcome.reason
    assert [q.confirms for q in oracle.questions] == [True]
    outcome, oracle = await once(3)
    assert outcome.status == "verified", outcome.reason
    assert len(oracle.questions) == 2 and len({q.call for q in oracle.questions}) == 2
    assert len(outcome.answers) == 2


async def test_the_second_confirmation_is_at_a_boundary_where_a_fitted_body_shows() -> None:
    """Dog years: 10.5 a year for the first two, 4 a year after. ``4 * age + 13`` gives the
    right answer on every age from 3 up, so two typical confirmations would verify it; the
    second one is asked at a boundary case instead (one argument at its smallest non-empty
    value), where the user's answer rules it out and nothing is inserted."""
    doc = """A dog's age in dog years.

    >>> dog_age(12)
    61
    """
    spec, engine = one_body("dog_age", "h_age", doc, "return 4 * h_age + 13")

    def reference(age: int) -> float:
        return age * 10.5 if age <= 2 else 21 + (age - 2) * 4

    oracle = Oracle({"dog_age": reference})
    outcome = await asyncio.wait_for(
        synthesize(spec, engine.build, [engine], FakeRunner(), ask=oracle, max_questions=3), 30
    )
    calls = [q.call for q in oracle.questions]
    assert len(calls) == 2 and all(q.confirms for q in oracle.questions), calls
    assert calls[0] not in ("dog_age(1)", "dog_age(-1)", "dog_age(0)")  # a typical age first
    assert calls[1] in ("dog_age(1)", "dog_age(-1)"), calls
    assert outcome.status != "verified" and not outcome.verified, outcome.reason


async def test_not_a_valid_input_rules_the_call_out_and_asks_about_another() -> None:
    """The user says the confirmation's call is not a valid input (``INVALID``): it is no
    example, nothing is asked there again, the next question is about another input, and it
    counts against ``max_questions``."""
    spec, engine = one_body("total", "xs", TOTAL_DOC, "return sum(xs)")
    questions: list[Question] = []

    async def ask(question: Question) -> str | None:
        questions.append(question)
        if len(questions) == 1:
            return INVALID
        return repr(eval(question.call, {"total": sum}))

    async def once(max_questions: int) -> Outcome:
        questions.clear()
        run = synthesize(
            spec, engine.build, [engine], FakeRunner(), ask=ask, max_questions=max_questions
        )
        return await asyncio.wait_for(run, 30)

    outcome = await once(4)
    assert outcome.status == "verified", outcome.reason
    calls = [q.call for q in questions]
    assert len(calls) == 3 and len(set(calls)) == 3, calls  # ruled out, then two answers
    assert outcome.invalid == (calls[0],)
    assert [e.source for e in outcome.answers] == calls[1:]
    outcome = await once(2)  # the ruled-out call was one of the two questions allowed
    assert outcome.status == "ambiguous" and len(questions) == 2
