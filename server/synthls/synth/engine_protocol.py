"""The one small interface every engine implements, and the types it speaks in.

An engine turns a spec (plus the trials of earlier candidates) into candidate bodies. Bodies are
dedented source for the statements after the docstring (e.g. ``"return a + b"``); the edit
layer re-indents them for the target. What differs between engines is declared here as
attributes of :class:`Synthesizer`, so that the loop, the ranking and the editor layer ask the
engine (or, holding only a name, ``synthls.synth.engines``) instead of testing its name.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import ClassVar, Protocol

from synthls.intent.model import Spec
from synthls.sandbox.types import RunResult


@dataclass(frozen=True)
class Candidate:
    body: str
    engine: str
    note: str = ""  # why it is unusable (e.g. "does not parse: ..."), empty when usable
    weight: float = 1.0  # how much the candidate counts for its behaviour (see synth.ambiguity)


@dataclass(frozen=True)
class Trial:
    """A candidate that was run in the sandbox, and what the run said: the loop's attempts, the
    feedback the engines get, the pool the ranking orders."""

    candidate: Candidate
    result: RunResult  # examples + probes (probe reprs in the order of the generated inputs)


# Where an engine says what a request waits for before its first candidate ("starting the local
# model"): the request's progress, set by whoever runs it (synthls.synth.service).
WAITING: ContextVar[Callable[[str], None] | None] = ContextVar("WAITING", default=None)


def waiting(message: str) -> None:
    """Tell the request's progress (if any) what the engine is waiting for."""
    report = WAITING.get()
    if report is not None:
        report(message)


class EngineError(Exception):
    """A clear, user-facing reason why an engine produced no candidates."""

    user_facing: ClassVar[bool] = True  # the loop reports the message as is, without a traceback


class Synthesizer(Protocol):
    """An engine. Its rules are attributes (class attributes in the engines shipped):

    ``name``: the settings' name for it (``engine = "embedded"``), shown to the user and carried
    by every candidate it yields (``Candidate.engine``).

    ``needs_examples``: it searches against the docstring's examples, so without any it proposes
    nothing; a request is refused up front instead of running it (and "(unverified)" is offered
    only when some engine of the setting works without examples).

    ``uses_feedback``: later rounds give it the best failing candidates to repair; when False it is
    asked only in the first round with a given set of examples (another round would repeat it).

    ``votes_once_per_behaviour``: its candidates are spellings found by a search, not independent
    samples: among its candidates with one behaviour only the heaviest counts (when ranking and
    when weighing behaviours), and the heaviest behaviour of a pool of its candidates alone is
    its best guess. When False, agreeing candidates add up (agreement is evidence).

    ``holds_out``: another search costs no more than the first, so a body it verified is also
    checked against an example held out of a second search (``synthls.synth.checks.held_out``).

    ``language_model``: its bodies are written by a language model (editors may mark them so).
    """

    name: str
    needs_examples: bool
    uses_feedback: bool
    votes_once_per_behaviour: bool
    holds_out: bool
    language_model: bool

    def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
        """Yield candidates as they become available; cancellation stops the work.

        A failure the user can act on is raised as :class:`EngineError` (its message is shown as
        is); anything else is logged with its traceback as a bug."""
        ...
