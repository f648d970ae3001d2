"""The docstring's words as tests: the model's own reading of the docstring, held against the body.

A body that passes every example can still do something else than the words ask: a rounded
conversion factor, ``int(x * 100)`` for cents, the rest of a sentence lower-cased. The examples do
not show it; the words do. So once a session, before the body is called verified, a language
model engine (``docstring_reading.reader_of``) writes a few test calls with their expected results
from the signature and docstring alone, never a body (the greedy answer), two samples at a higher
temperature answer the same calls again (the CodeT idea, with the votes on one call), and every
candidate that passes the examples runs on those calls in the sandbox.

A claim the samples agree on (``MIN_SUPPORT`` of them, none writing another value there) that
the chosen body contradicts is a doubt: the question is that call, with the body's answer and
the reading's. An answer the body gave keeps it; the reading's goes back to the engines as a
failing example. With nobody to ask the body is not written. Calls the examples already settle
are not used, and a claim the body agrees with adds nothing (the same model may share the body's
mistake). Tests from the model never become doctest examples unless the user chooses them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from synthls.synth.ambiguity import Ambiguity
from synthls.synth.behaviour import RAISED
from synthls.synth.checks.base import Base
from synthls.synth.docstring_reading import BUDGET, reader_of
from synthls.synth.engine_protocol import Synthesizer, Trial
from synthls.synth.question import Question
from synthls.synth.reading_votes import Claim, claims, same_result
from synthls.synth.session import Session
from synthls.synth.worth_asking import compact

SAMPLES = 3  # the greedy answer that writes the calls, and two samples that answer them again
TESTS = 4  # test lines asked for in each
MIN_SUPPORT = 2  # samples that must write a claim before it can doubt a body
MAX_CALLS = 6  # calls of the reading run on the candidates


class DocstringTests(Base):
    """Once a session, where a language model can read the docstring and the setting allows."""

    def __init__(self) -> None:
        self.done = False

    def applies(self, session: Session, engines: Sequence[Synthesizer], chosen: Trial) -> bool:
        return not self.done and session.read_docstring

    async def doubt(
        self, session: Session, engines: Sequence[Synthesizer], chosen: Trial, amb: Ambiguity
    ) -> Ambiguity | None:
        self.done = True
        budget = min(BUDGET, session.search.end - time.monotonic())
        reader = reader_of(engines) if budget >= 1.0 else None
        if reader is None:
            return None
        session.readings += 1
        spec, settled = session.spec, {compact(c) for c in session.asked()}
        first = await reader.read(spec, budget=budget, samples=1, tests=TESTS)
        calls = [t.call for t in first.tests if compact(t.call) not in settled][:MAX_CALLS]
        left = min(BUDGET, session.search.end - time.monotonic())
        again = None
        if calls and left >= 1.0:  # the same calls, answered again by samples
            again = await reader.read(
                spec, budget=left, samples=SAMPLES - 1, greedy=False, calls=calls
            )
        for reading in (first, again):
            if reading is not None:
                session.reading_seconds += reading.seconds
                session.reading_tokens += reading.tokens
        tests = [*first.tests, *(again.tests if again is not None else ())]
        trusted = [
            c
            for c in claims(tests).values()
            if c.support >= MIN_SUPPORT
            and c.against == 0
            and compact(c.call) in map(compact, calls)
        ]
        if not trusted:
            return None
        indices = await session.probe_more([c.call for c in trusted])
        body = next((t for t in session.attempts if t.candidate is chosen.candidate), None)
        if body is None:
            return None
        for claim, j in zip(trusted, indices):
            got = body.result.probes[j] if j < len(body.result.probes) else None
            if not same_result(got, claim.expected):
                return _doubt(session, claim, j, got)
        return None


def _doubt(session: Session, claim: Claim, index: int, got: str | None) -> Ambiguity:
    call = session.probes[index]
    raised = got is None or got == RAISED
    says = "raises there" if raised else f"says {got}"
    choices = (claim.expected,) if raised else (got or "", claim.expected)
    context = f"reading the docstring, the model expects {claim.expected}; the body {says}"
    question = Question(session.spec.name, call, choices, 1, index, "reading", context)
    summary = (
        f"the model's reading of the docstring expects `{call}` to give {claim.expected} "
        f"({claim.support} samples), the body {says}"
    )
    return Ambiguity(1, 1.0, question, summary)
