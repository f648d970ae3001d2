"""The held-out check: a verified body must predict an example it was not fitted to.

A search that sees every example can always find *some* program that fits them: with three
examples, ``4 * h_age + 13`` or ``x % 2 == 1`` pass as readily as the program the docstring meant,
and grouping the passing programs by behaviour cannot tell, because the search found no other.
So the examples are split the way a scientist splits data: search again without the last example
and ask whether the simplest program for the others **predicts** it. When it does, the last
example confirmed the answer; when the favourite of the first ``k - 1`` examples fails the k-th,
the body was fitted to the examples, not predicted by them, and the result is ambiguous: the
held-out favourite (the *rival*) joins the behaviours, and the question is the generated input
on which it and the chosen body disagree.

Only engines whose search costs one more search of the same budget take part (``holds_out``:
the embedded engine); a model's samples are not re-drawn for this. Candidates of the held-out
search that pass every example are ordinary candidates and join the attempts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from synthls.spec.model import Spec
from synthls.synth.ambiguity import Ambiguity, analyse
from synthls.synth.base import Candidate, Synthesizer, Trial

log = logging.getLogger(__name__)

MIN_EXAMPLES = 3  # with fewer, holding one out leaves too little to search on

Validate = Callable[[Candidate], Awaitable[Trial]]  # against every example of the spec


@dataclass(frozen=True)
class Held:
    """What the held-out search found: new passing attempts and the rival, if any."""

    passing: tuple[Trial, ...]
    rival: Trial | None


async def held_out(
    spec: Spec,
    engines: Sequence[Synthesizer],
    validate: Validate,
    known: Sequence[Trial],
    end: float,
) -> Held | None:
    """Search ``spec`` without its last example; None when it cannot run (too few examples,
    no engine takes part, no time left). Bodies already in ``known`` are not run again."""
    active = [e for e in engines if e.holds_out]
    if len(spec.examples) < MIN_EXAMPLES or not active or time.monotonic() >= end:
        return None
    fewer = replace(spec, examples=spec.examples[:-1])
    by_body = {a.candidate.body.strip(): a for a in known}
    found: list[Trial] = []
    try:
        await asyncio.wait_for(
            _collect(fewer, active, validate, by_body, found), end - time.monotonic()
        )
    except asyncio.TimeoutError:
        log.info("held-out search for %s cut by the deadline", spec.name)
    n = len(spec.examples)
    fits = [a for a in found if _fits(a, n - 1)]
    if not fits:
        return Held((), None)
    top = max(fits, key=lambda a: (a.candidate.weight, -len(a.candidate.body)))
    passing = tuple(
        a for a in found if a.result.all_passed and a.candidate.body.strip() not in by_body
    )
    return Held(passing, None if top.result.all_passed else top)


def _fits(a: Trial, k: int) -> bool:
    """Whether ``a`` passes the first ``k`` examples (and loads)."""
    got = a.result.examples[:k]
    return a.result.status == "ok" and len(got) == k and all(r.passed for r in got)


async def _collect(
    spec: Spec,
    engines: Sequence[Synthesizer],
    validate: Validate,
    by_body: dict[str, Trial],
    found: list[Trial],
) -> None:
    for engine in engines:
        stream = engine.propose(spec, ())
        try:
            async for cand in stream:
                key = cand.body.strip()
                known = by_body.get(key)
                found.append(known if known is not None else await validate(cand))
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                await aclose()


def judged(
    amb: Ambiguity,
    pool: Sequence[Trial],
    rival: Trial,
    probes: Sequence[str],
    function: str,
    n: int,
) -> Ambiguity:
    """The ambiguity once the rival counts: fitted, with the question that splits it from the
    passing behaviours; ``amb`` unchanged when no generated input tells them apart."""
    both = analyse([*pool, rival], probes, function)
    if both.question is None:
        return amb
    q = both.question
    body = rival.candidate.body.strip().replace("\n", "; ")
    summary = (
        f"the simplest program for the first {n - 1} examples (`{body}`) fails example {n}, so "
        f"the body may be fitted to the examples rather than predicted by them; they disagree "
        f"on `{q.call}`: {' / '.join(q.choices)}"
    )
    return replace(both, summary=summary, fitted=True)
