"""What one synthesis gives back (plain types, no behaviour beyond small derived properties), so
callers can name it without the loop's machinery; the callbacks it takes are in
``synthls.synth.callbacks``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from synthls.intent.model import Example
from synthls.sandbox.types import RunResult
from synthls.synth.ambiguity import Ambiguity
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.ranking import rank
from synthls.synth.session import Session

Status = Literal["verified", "ambiguous", "failed", "unverified"]


@dataclass(frozen=True)
class Outcome:
    """``candidate`` is the best guess for "ambiguous" too; callers insert it only when the
    policy is "insert". ``answers``: one example per answered question, for the docstring."""

    status: Status
    candidate: Candidate | None
    result: RunResult | None
    reason: str
    attempts: tuple[Trial, ...] = ()
    rounds: int = 0
    errors: tuple[str, ...] = ()  # engine errors ("openai: cannot reach ...")
    ambiguity: Ambiguity | None = None  # after the answers: the state that remains
    answers: tuple[Example, ...] = ()
    invalid: tuple[str, ...] = ()  # calls the user said are not valid inputs
    session: Session | None = None  # kept while its question waits: ``loop.resume`` continues it
    settled: tuple[Example, ...] = ()  # questions the model's reading answered (no doctests)

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    @property
    def best(self) -> Trial | None:
        ranked = sorted(self.attempts, key=rank)
        return ranked[0] if ranked else None
