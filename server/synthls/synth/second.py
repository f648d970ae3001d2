"""A second opinion: a language model's lone verified answer meets one more, independent sample.

A model's greedy answer that passes two or three examples is usually right, but when it is wrong
nothing in the pool says so: grouping candidates by behaviour (``synthls.synth.ambiguity``) needs
at least two of them. So when the only example-passing candidate is one answer of an engine that
gives a second opinion (``Synthesizer.second_opinion``: its samples are independent votes), that
engine is asked once more — ``propose`` with the passing trial as its feedback means "another
answer to the same task" — and the new candidates that pass join the pool. An agreeing sample adds
its weight; a different behaviour makes it a tie, and one more sample breaks it (two of three
samples carry the dominant share); a tie that stays is ambiguous, and the question splits it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence

from synthls.spec.model import Spec
from synthls.synth.base import Candidate, Synthesizer, Trial

log = logging.getLogger(__name__)

Validate = Callable[[Candidate], Awaitable[Trial]]  # against every example of the spec


def wanted(pool: Sequence[Trial], engines: Sequence[Synthesizer], tie: bool) -> list[Synthesizer]:
    """The engines to ask again: the one behind the only passing candidate (``tie`` False) or
    behind both of the two that pass (``tie`` True), if it gives second opinions."""
    names = {t.candidate.engine for t in pool}
    if len(pool) != (2 if tie else 1) or len(names) != 1:
        return []
    return [e for e in engines if e.name in names and e.second_opinion]


async def second_opinion(
    spec: Spec,
    engines: Sequence[Synthesizer],
    validate: Validate,
    lone: Trial,
    seen: set[str],
    end: float,
) -> list[Trial]:
    """The new candidates of ``engines`` for ``spec`` given ``lone`` (validated; bodies in
    ``seen`` skipped and new ones added), as many as came before ``end``."""
    found: list[Trial] = []
    if time.monotonic() >= end:
        return found

    async def collect() -> None:
        for engine in engines:
            stream = engine.propose(spec, (lone,))
            try:
                async for cand in stream:
                    key = cand.body.strip()
                    if key in seen:
                        continue
                    seen.add(key)
                    found.append(await validate(cand))
            finally:
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()

    try:
        await asyncio.wait_for(collect(), end - time.monotonic())
    except asyncio.TimeoutError:
        log.info("second opinion for %s cut by the deadline", spec.name)
    return found
