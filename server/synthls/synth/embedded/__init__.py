"""The embedded synthesizer: enumerative search over Python a programmer would write.

No model, no network: bottom-up enumeration with observational-equivalence pruning over a
typed component library, steered by the docstring's words, then small statement templates.
The search runs in a separate, resource-limited child process (``worker``) so a runaway
expression on the user's example inputs cannot hurt the server; ``search`` runs it in-process
for tests and scripts. The server never builds the search problem: it only asks whether there is
an example to search on (``problem.usable``, bounded work), and the child parses the values.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import TYPE_CHECKING

from synthls.intent.model import Spec
from synthls.synth.embedded.problem import build_problem, usable
from synthls.synth.embedded.search import search_problem

if TYPE_CHECKING:  # the worker imports this package: keep its start-up light
    from synthls.config import Settings
    from synthls.synth.engine_protocol import Candidate, Trial

log = logging.getLogger(__name__)
# bodies offered per round: enough different behaviours for the loop to see an ambiguity
MAX_CANDIDATES = 10

__all__ = ["EmbeddedSynthesizer", "search", "search_isolated", "search_weighted"]


def search(spec: Spec, budget: float, max_candidates: int = 5) -> list[str]:
    """Bodies satisfying ``spec``'s usable examples, simplest first, searched in-process."""
    problem = build_problem(spec)
    if problem is None:
        return []
    return search_problem(problem, budget, max_candidates)


def search_weighted(spec: Spec, budget: float, max_candidates: int = 5) -> list[tuple[str, float]]:
    """(body, plausibility weight) for ``spec``'s examples, in the order found, in-process."""
    problem = build_problem(spec)
    if problem is None:
        return []
    out: list[tuple[str, float]] = []
    search_problem(problem, budget, max_candidates, on_found=lambda b, w: out.append((b, w)))
    return out


def search_isolated(
    spec: Spec,
    budget: float,
    max_candidates: int = 5,
    memory_mb: int = 1024,
    exclude: Sequence[str] = (),
    prior: bool = True,
) -> list[str]:
    """Like ``search`` but in a resource-limited child process (synchronous).

    ``prior=False`` ignores the docstring's words (the benchmark's baseline).
    """
    from synthls.synth.embedded.search_process import run_bodies
    from synthls.synth.embedded.worker import spec_to_json

    if not usable(spec):
        return []
    payload = spec_to_json(spec, list(exclude), prior)
    return [body for body, _ in run_bodies(payload, budget, memory_mb, max_candidates)]


class EmbeddedSynthesizer:
    """The default engine; implements ``synthls.synth.engine_protocol.Synthesizer``."""

    name = "embedded"
    # the search is the same with or without feedback (it only skips the tried bodies): once it
    # has spent its budget, another round with the same examples finds nothing new. A new
    # example (an answered question) starts a fresh search.
    uses_feedback = False
    needs_examples = True  # it searches against the examples: none, nothing to search for
    # its candidates are spellings of the programs it enumerates, weighted by plausibility
    votes_once_per_behaviour = True
    # one more search of the same budget is cheap: the held-out check (synthls.synth.checks.held_out)
    holds_out = True
    language_model = False  # a search over expressions and templates

    @classmethod
    def from_settings(cls, settings: Settings, env: Mapping[str, str]) -> EmbeddedSynthesizer:
        return cls(budget=settings.embedded.budget, memory_mb=settings.sandbox.memory_mb)

    def __init__(
        self,
        budget: float = 2.0,
        memory_mb: int = 1024,
        max_candidates: int = MAX_CANDIDATES,
        prior: bool = True,
    ) -> None:
        self.budget = budget
        self.memory_mb = memory_mb
        self.max_candidates = max_candidates
        self.prior = prior  # False: the docstring's words do not steer the order (a baseline)

    def propose(self, spec: Spec, feedback: Sequence[Trial]) -> AsyncIterator[Candidate]:
        """Candidates as the child finds them, simplest first; none without usable examples."""
        return self._propose(spec, [f.candidate.body for f in feedback])

    async def _propose(self, spec: Spec, tried: list[str]) -> AsyncIterator[Candidate]:
        from synthls.synth.embedded.search_process import stream_bodies
        from synthls.synth.embedded.worker import spec_to_json
        from synthls.synth.engine_protocol import Candidate

        if not usable(spec):
            log.info("embedded: no usable examples for %s", spec.name)
            return
        payload = spec_to_json(spec, tried, self.prior)
        seen = set(tried)
        stream = stream_bodies(payload, self.budget, self.memory_mb, self.max_candidates)
        try:
            async for body, weight in stream:
                if body in seen:
                    continue
                seen.add(body)
                yield Candidate(body=body, engine=self.name, weight=weight)
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
