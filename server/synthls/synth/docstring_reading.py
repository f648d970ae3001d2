"""Before a question is put to the user, the model reads the docstring for the answer.

When the loop is about to ask "What should `f(x)` return?", an engine that is a language model
(``docstring_reader``) is asked that call's result from the signature and docstring alone, never
a body: one greedy answer and a few samples at a higher temperature, each one short assert line
(``synthls.synth.openai.reading``). A body that agrees with both the examples and an independent
reading of the docstring's words is far less likely to be a coincidence (the CodeT idea).

``settled`` takes the reading's answer only when it is unanimous (at least ``MIN_AGREE`` samples
wrote it, none wrote another value) and it is the answer of a candidate the question is about
(``Question.predicted``): the question is then settled without asking, like an answer the user
gave, except that it never becomes a doctest example (``Session.settled``). A reading that is
split, or contradicts every candidate, settles nothing: the question is asked, with the
reading's answer first among the choices (``offered``), as a proposal the user can accept
(TiCoder shows users a proposed test to approve).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol

from synthls.intent.model import Spec
from synthls.synth.answers import same_value
from synthls.synth.engine_protocol import Synthesizer
from synthls.synth.question import MAX_CHOICES, Question
from synthls.synth.reading_votes import Reading, tally

MIN_AGREE = 3  # samples that must write the answer, with none writing another one
BUDGET = 20.0  # seconds one reading may take at most


class DocstringReader(Protocol):
    async def read(
        self,
        spec: Spec,
        *,
        budget: float = BUDGET,
        call: str | None = None,
        samples: int | None = None,
        tests: int | None = None,
        calls: Sequence[str] = (),
        greedy: bool = True,
    ) -> Reading: ...


def reader_of(engines: Sequence[Synthesizer]) -> DocstringReader | None:
    """The first engine's reader that has one (a language model's), else None. Asked when a
    question comes, so an engine that learns its endpoint on the way (the local model) is
    read with what it learned."""
    for engine in engines:
        make = getattr(engine, "docstring_reader", None)
        if callable(make):
            reader = make()
            if reader is not None:
                return reader  # type: ignore[no-any-return]
    return None


def settled(reading: Reading, question: Question) -> str | None:
    """The choice the reading settles ``question`` with, or None: unanimous, by at least
    ``MIN_AGREE`` samples, and one of the answers a candidate gives (``predicted``)."""
    counts = tally(reading.tests)
    if len(counts) != 1 or counts[0][1] < MIN_AGREE:
        return None
    value = counts[0][0]
    return next((c for c in question.predicted if same_value(c, value)), None)


def offered(reading: Reading, question: Question) -> Question:
    """``question`` with the reading's most written answer (written by at least two samples and
    by more than any other value) first among the choices, added when no choice is it, and
    said in its context; ``question`` itself when the reading proposes nothing."""
    counts = tally(reading.tests)
    if not counts or counts[0][1] < 2 or (len(counts) > 1 and counts[1][1] >= counts[0][1]):
        return question
    value = counts[0][0]
    same = next((c for c in question.choices if same_value(c, value)), None)
    proposal = same if same is not None else value
    rest = [c for c in question.choices if c != proposal]
    choices = (proposal, *rest)[:MAX_CHOICES]
    context = f"{question.context}; reading the docstring, the model says {proposal}"
    return dataclasses.replace(question, choices=choices, context=context, proposal=proposal)
