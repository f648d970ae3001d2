"""A model's body that raises on an input like the examples has a bug: ask about that input.

A body that pairs up a list's items passes examples that all have an even length and raises on
every odd-length list. The question is such an input (``worth_asking.like_examples``: the examples'
kind, so a raise there is a bug, not a precondition), with no candidate answer to offer; the
user's answer becomes the example that exposes the bug, and the engines get it as feedback.

When the user says such an input is not valid (``answers.INVALID``), the body's raising is a
precondition the examples do not show, and no crash is asked about again in the session.

Only engines whose candidates are samples take part: the enumerative search's generated inputs
break preconditions the examples do not show too often: right bodies of everyday tasks raise on
such inputs (docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from synthls.synth.ambiguity import Ambiguity
from synthls.synth.answers import INVALID
from synthls.synth.behaviour import RAISED, behaviours
from synthls.synth.checks.base import Base
from synthls.synth.engine_protocol import Synthesizer, Trial
from synthls.synth.engines import votes_once_per_behaviour
from synthls.synth.question import Question
from synthls.synth.ranking import Picked, passing
from synthls.synth.session import Session
from synthls.synth.worth_asking import compact, degenerate, like_examples, size_rank, typical


def crash(
    pool: Sequence[Trial],
    probes: Sequence[str],
    function: str,
    examples: Collection[str],
    asked: Collection[str] = (),
) -> Ambiguity | None:
    """The question about an input like ``examples`` (their sources) on which the heaviest
    model sample of ``pool``'s top behaviour raises, or None."""
    groups = behaviours(pool)
    samples = [
        pool[i]
        for i in (groups[0][2] if groups else [])
        if not votes_once_per_behaviour(pool[i].candidate.engine)
    ]
    if not samples:
        return None
    heaviest = max(samples, key=lambda t: max(float(t.candidate.weight), 0.0))
    skip = {compact(c) for c in [*asked, *examples]}
    broken = [
        j
        for j, got in enumerate(heaviest.result.probes[: len(probes)])
        if got in (None, RAISED)
        and compact(probes[j]) not in skip
        and not degenerate(probes[j])
        and like_examples(probes[j], examples)
    ]
    if not broken:
        return None
    usual = typical(skip)
    j = min(broken, key=lambda k: size_rank(probes[k], usual))
    question = Question(function, probes[j], (), len(groups), j, kind="crash")
    many = f"{len(broken)} such generated input{'s' if len(broken) > 1 else ''}"
    summary = f"the body raises on `{probes[j]}`, an input like the examples ({many})"
    return Ambiguity(len(groups), 1.0, question, summary)


class Crash(Base):
    """Asks about an input like the examples the body raises on, until the user says such an
    input is not valid."""

    def __init__(self) -> None:
        self.preconditions = False  # an input the body raises on is not valid, by the user

    def applies(self, session: Session, engines: Sequence[Synthesizer], chosen: Trial) -> bool:
        return not self.preconditions

    async def doubt(
        self, session: Session, engines: Sequence[Synthesizer], chosen: Trial, amb: Ambiguity
    ) -> Ambiguity | None:
        examples = [e.source for e in session.spec.examples]
        pool = passing(session.attempts)
        return crash(pool, session.probes, session.spec.name, examples, session.asked())

    def heard(
        self,
        session: Session,
        question: Question,
        answer: str,
        before: Sequence[Trial],
        survivor: Picked | None,
    ) -> None:
        if answer == INVALID and question.kind == "crash":
            self.preconditions = True
