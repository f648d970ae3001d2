"""Answers a body predicted could agree by luck: ask again until they cannot.

An answer confirms the body that gave it only as far as a wrong body would not have given it by
luck (``ambiguity.chance``). Once the user has answered and a candidate predicted the answers,
this check multiplies their chances; while the product is above ``ambiguity.LUCK`` it asks a
confirmation question (``ambiguity.confirmation``), at a boundary case when no answer was at one
(a body fitted to typical inputs shows at the boundary). An answer to an edge question
(``question.EDGES``) settles an edge, not a prediction: it does not count. When no candidate gives
an answer, what the search finds next is fitted to it, so the count starts over.
"""

from __future__ import annotations

from collections.abc import Sequence

from synthls.synth.ambiguity import LUCK, Ambiguity, chance, confirmation
from synthls.synth.answers import INVALID
from synthls.synth.checks.base import Base
from synthls.synth.engine_protocol import Synthesizer, Trial
from synthls.synth.question import EDGES, Question
from synthls.synth.ranking import Picked, passing
from synthls.synth.session import Session
from synthls.synth.worth_asking import edge


class Luck(Base):
    def __init__(self) -> None:
        self.luck: float | None = None  # the chance the pick predicted the answers by luck

    def applies(self, session: Session, engines: Sequence[Synthesizer], chosen: Trial) -> bool:
        return self.luck is not None

    async def doubt(
        self, session: Session, engines: Sequence[Synthesizer], chosen: Trial, amb: Ambiguity
    ) -> Ambiguity | None:
        if self.luck is None or self.luck <= LUCK:
            return amb
        why = f"its answers so far could agree by luck (chance {self.luck:.2f})"
        boundary = not any(edge(a.source.removesuffix(" is None")) for a in session.answered)
        pool = passing(session.attempts)
        spec = session.spec
        found = confirmation(
            pool, session.probes, spec.name, session.asked(), why, session.mutated, boundary
        )
        return found or amb

    def heard(
        self,
        session: Session,
        question: Question,
        answer: str,
        before: Sequence[Trial],
        survivor: Picked | None,
    ) -> None:
        if answer == INVALID:
            return
        if survivor is None:  # what the search finds now is fitted to the answer
            self.luck = None
        elif question.kind not in EDGES:  # as likely as its answer's share
            self.luck = (self.luck or 1.0) * chance(before, survivor[0], question.index)
