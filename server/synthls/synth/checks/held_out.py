"""The held-out check: a verified body must predict an example it was not fitted to.

A search that sees every example can always find *some* program that fits them: with three
examples, ``4 * h_age + 13`` or ``x % 2 == 1`` pass as readily as the program the docstring meant,
and grouping the passing programs by behaviour cannot tell, because the search found no other.
So the examples are split the way a scientist splits data: search again without one example and
ask whether the simplest program for the others **predicts** it. The example held out is the
last one, with two exceptions (``held_out_index``). A predicate's example is held out only when
its truth value is the only one of its kind: predicting ``False`` when another example says
``False`` too is a coin flip, not a prediction. And examples that all give one result
(``4, 4, 4``), or a predicate's whose truth values all repeat (``True, False, False, True``),
cannot confirm anything: the body is *unconfirmed*, and the loop asks a confirmation question
instead (``ambiguity.confirmation``). So is a body when the search without the example finds no
program at all for the others (an affine rule with made-up constants needs all three points):
nothing predicted the example held out. After an answer, the answer is held out: an answer the body
predicted is the confirmation. When it does, the last
example confirmed the answer; when the favourite of the first ``k - 1`` examples fails the k-th,
the body was fitted to the examples, not predicted by them, and the result is ambiguous: the
held-out favourite (the *rival*) joins the behaviours, and the question is the generated input
on which it and the chosen body disagree.

Two examples are enough to hold one out: the search runs on the other, and the simplest program
for it must predict the one held out. A single example leaves nothing to search on, so nothing
can predict it: the body is unconfirmed and gets a confirmation question (docs/benchmarks.md
has what it caught and cost).

Only engines whose search costs one more search of the same budget take part (``holds_out``:
the embedded engine); a model's samples are not re-drawn for this (its body faces its
one-token changes instead, ``synthls.synth.checks.one_token``). Candidates of the held-out
search that pass every example are ordinary candidates and join the attempts.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass, replace

from synthls.intent.model import Spec
from synthls.synth.ambiguity import Ambiguity, analyse, confirmation
from synthls.synth.checks.base import Base
from synthls.synth.engine_protocol import Candidate, Synthesizer, Trial
from synthls.synth.ranking import passing
from synthls.synth.session import Session

log = logging.getLogger(__name__)

MIN_EXAMPLES = 2  # one to search on, one to predict

Validate = Callable[[Candidate], Awaitable[Trial]]  # against every example of the spec


@dataclass(frozen=True)
class Held:
    """What the held-out search found: new passing attempts and the rival, if any."""

    passing: tuple[Trial, ...]
    rival: Trial | None
    index: int = -1  # the example held out
    unconfirmed: bool = False  # nothing to hold out, or nothing found without it
    why: str = ""  # why it is unconfirmed, for the report


def held_out_index(spec: Spec, answered: bool) -> int | None:
    """The example to hold out, or None when none can confirm a body.

    After an answer (``answered``), the answer: the last example. Otherwise the last example,
    except that a predicate's examples (all ``True``/``False``) hold out the last one whose truth
    value no other example has (predicting a truth value another example shows is a coin flip),
    and examples that all give one result (``4, 4, 4``) confirm nothing.
    """
    results = [(e.want.strip(), e.exc_msg) for e in spec.examples]
    last = len(results) - 1
    if answered:
        return last
    if len(set(results)) == 1:
        return None
    if all(want in ("True", "False") and exc is None for want, exc in results):
        times = Counter(results)  # (``results.count`` per example was quadratic)
        unique = [i for i, r in enumerate(results) if times[r] == 1]
        return unique[-1] if unique else None
    return last


async def held_out(
    spec: Spec,
    engines: Sequence[Synthesizer],
    validate: Validate,
    known: Sequence[Trial],
    end: float,
    answered: bool = False,
) -> Held | None:
    """Search ``spec`` without one example (``held_out_index``); None when it cannot run (no
    example, no engine takes part, no time left). A single example is unconfirmed: nothing
    is left to search on, so nothing could predict it. Bodies already in ``known`` are not run
    again."""
    active = [e for e in engines if e.holds_out]
    if not active or not spec.examples or time.monotonic() >= end:
        return None
    if len(spec.examples) < MIN_EXAMPLES:
        why = "one example cannot be held out: nothing predicted it"
        return Held((), None, unconfirmed=True, why=why)
    index = held_out_index(spec, answered)
    if index is None:
        why = "the examples' results repeat each other, so none predicts anything"
        return Held((), None, unconfirmed=True, why=why)
    fewer = replace(spec, examples=spec.examples[:index] + spec.examples[index + 1 :])
    by_body = {a.candidate.body.strip(): a for a in known}
    found: list[Trial] = []
    try:
        await asyncio.wait_for(
            _collect(fewer, active, validate, by_body, found), end - time.monotonic()
        )
    except asyncio.TimeoutError:
        log.info("held-out search for %s cut by the deadline", spec.name)
    n = len(spec.examples)
    fits = [a for a in found if _fits(a, n, index)]
    if not fits:  # nothing simpler explains the other examples: nothing predicted this one
        why = f"no simpler program explains the examples but {index + 1}, so nothing predicted it"
        return Held((), None, index, unconfirmed=True, why=why)
    top = max(fits, key=lambda a: (a.candidate.weight, -len(a.candidate.body)))
    passing = tuple(
        a for a in found if a.result.all_passed and a.candidate.body.strip() not in by_body
    )
    return Held(passing, None if top.result.all_passed else top, index)


def _fits(a: Trial, n: int, skip: int) -> bool:
    """Whether ``a`` passes the ``n`` examples but ``skip`` (and loads)."""
    got = a.result.examples
    if a.result.status != "ok" or len(got) < n:
        return False
    return all(r.passed for i, r in enumerate(got[:n]) if i != skip)


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
    index: int,
    asked: Collection[str] = (),
) -> Ambiguity:
    """The ambiguity once the rival counts: fitted, with the question that splits it from the
    passing behaviours; ``amb`` unchanged when no generated input tells them apart."""
    both = analyse([*pool, rival], probes, function, asked)
    if both.question is None:
        return amb
    q = both.question
    body = rival.candidate.body.strip().replace("\n", "; ")
    summary = (
        f"the simplest program for the other examples (`{body}`) fails example {index + 1}, so "
        f"the body may be fitted to the examples rather than predicted by them; they disagree "
        f"on `{q.call}`: {' / '.join(q.choices)}"
    )
    return replace(both, question=replace(q, kind="held-out"), summary=summary)


class HeldOut(Base):
    """The held-out check, for engines that search again cheaply (``holds_out``); hands over
    to the next check when it cannot run (no such engine, no time left)."""

    def applies(self, session: Session, engines: Sequence[Synthesizer], chosen: Trial) -> bool:
        return any(e.holds_out for e in engines)

    async def doubt(
        self, session: Session, engines: Sequence[Synthesizer], chosen: Trial, amb: Ambiguity
    ) -> Ambiguity | None:
        spec, probes, asked = session.spec, session.probes, session.asked()
        held = await held_out(
            spec,
            engines,
            session.validate,
            session.attempts,
            session.search.end,
            answered=bool(session.answered),
        )
        if held is None:
            return None
        if held.unconfirmed:
            pool = passing(session.attempts)
            found = confirmation(pool, probes, spec.name, asked, held.why, session.mutated)
            return found or amb
        session.attempts.extend(held.passing)
        session.seen.update(a.candidate.body.strip() for a in held.passing)
        if held.passing:
            amb = analyse(passing(session.attempts), probes, spec.name, asked)
        if held.rival is None or amb.ambiguous:
            return amb
        pool = passing(session.attempts)
        return judged(amb, pool, held.rival, probes, spec.name, held.index, asked)
