"""The callbacks a synthesis takes (plain types), so callers can name them without the loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal, Protocol

from synthls.sandbox.types import Program, RunResult
from synthls.synth.question import Question


class Runner(Protocol):
    async def run(self, program: Program) -> RunResult: ...


# the answer as a literal, or ``answers.INVALID`` (not a valid input); None: dismissed
Ask = Callable[[Question], Awaitable[str | None]]
Policy = Literal["insert", "ask", "never"]  # what to do with an ambiguous result
POLICIES: tuple[Policy, ...] = ("insert", "ask", "never")
OnProgress = Callable[[str], None]
