"""The one small interface every engine implements.

An engine turns a spec (plus feedback on earlier candidates) into candidate bodies. Bodies are
dedented source for the statements after the docstring (e.g. ``"return a + b"``); the edit
layer re-indents them for the target.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from synthls.sandbox.types import RunResult
from synthls.spec.model import Spec


@dataclass(frozen=True)
class Candidate:
    body: str
    engine: str
    note: str = ""  # why it is unusable (e.g. "does not parse: ..."), empty when usable
    weight: float = 1.0  # how much the candidate counts for its behaviour (see synth.ambiguity)


@dataclass(frozen=True)
class Feedback:
    """A candidate that was tried and what the sandbox said about it."""

    candidate: Candidate
    result: RunResult


class Synthesizer(Protocol):
    name: str

    def propose(self, spec: Spec, feedback: Sequence[Feedback]) -> AsyncIterator[Candidate]:
        """Yield candidates as they become available; cancellation stops the work."""
        ...
