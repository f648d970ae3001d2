"""Several behaviours pass the examples: the question is the input that splits them best.

The analysis itself (behaviours, their weights, the dominance bar, the best question) is
``synthls.synth.ambiguity.analyse``; the loop runs it after every search and hands the result to
every check. This check gives it as the verdict when no behaviour dominates.
"""

from __future__ import annotations

from collections.abc import Sequence

from synthls.synth.ambiguity import Ambiguity
from synthls.synth.checks.base import Base
from synthls.synth.engine_protocol import Synthesizer, Trial
from synthls.synth.session import Session


class Split(Base):
    every_time = True

    async def doubt(
        self, session: Session, engines: Sequence[Synthesizer], chosen: Trial, amb: Ambiguity
    ) -> Ambiguity | None:
        return amb if amb.ambiguous else None
