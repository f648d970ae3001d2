"""What one synthesis request gives back, and the callbacks it takes (plain types, no behaviour
beyond small derived properties), so callers can name them without the loop's machinery."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from synthls.intent.model import Example
from synthls.sandbox.types import Program, RunResult
from synthls.synth.ambiguity import Ambiguity, Question
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.ranking import rank


class Runner(Protocol):
    async def run(self, program: Program) -> RunResult: ...


Status = Literal["verified", "ambiguous", "failed", "unverified"]
# the answer as a literal, or ``answers.INVALID`` (not a valid input); None: dismissed
Ask = Callable[[Question], Awaitable[str | None]]
Policy = Literal["insert", "ask", "never"]  # what to do with an ambiguous result
POLICIES: tuple[Policy, ...] = ("insert", "ask", "never")


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

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    @property
    def best(self) -> Trial | None:
        ranked = sorted(self.attempts, key=rank)
        return ranked[0] if ranked else None


OnProgress = Callable[[str], None]
