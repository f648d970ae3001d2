"""What a check does when it has nothing to say: the defaults every check starts from."""

from __future__ import annotations

from collections.abc import Sequence

from synthls.intent.model import Spec
from synthls.synth.ambiguity import Ambiguity
from synthls.synth.engine_protocol import Synthesizer, Trial
from synthls.synth.question import Question
from synthls.synth.ranking import Picked
from synthls.synth.session import Session


class Base:
    """No inputs added, always applies, no verdict, learns nothing from answers."""

    every_time = False

    def inputs(
        self, spec: Spec, probes: tuple[str, ...], engines: Sequence[Synthesizer], challenge: bool
    ) -> tuple[str, ...]:
        return probes

    def applies(self, session: Session, engines: Sequence[Synthesizer], chosen: Trial) -> bool:
        return True

    async def doubt(
        self, session: Session, engines: Sequence[Synthesizer], chosen: Trial, amb: Ambiguity
    ) -> Ambiguity | None:
        return None

    def heard(
        self,
        session: Session,
        question: Question,
        answer: str,
        before: Sequence[Trial],
        survivor: Picked | None,
    ) -> None:
        return None
