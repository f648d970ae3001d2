"""The synthesis loop: propose → validate in the sandbox → feed failures back → choose.

Engines stream candidates; each is validated as it arrives. When no candidate passes every example,
the best few go back to the engines as feedback for another round, up to ``rounds`` or the deadline.
"""

from __future__ import annotations

import ast
import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from synthls.sandbox.types import Program, RunResult
from synthls.spec.model import Spec
from synthls.synth.base import Candidate, Feedback, Synthesizer

log = logging.getLogger(__name__)


class Runner(Protocol):
    async def run(self, program: Program) -> RunResult: ...


@dataclass(frozen=True)
class Attempt:
    candidate: Candidate
    result: RunResult


@dataclass(frozen=True)
class Outcome:
    verified: bool
    candidate: Candidate | None
    result: RunResult | None
    reason: str
    attempts: tuple[Attempt, ...] = ()
    rounds: int = 0

    @property
    def best(self) -> Attempt | None:
        ranked = sorted(self.attempts, key=lambda a: (-a.result.passed, len(a.candidate.body)))
        return ranked[0] if ranked else None


Progress = Callable[[str], None]


def parses(body: str) -> str | None:
    """None when ``body`` parses as function statements, else the reason."""
    try:
        ast.parse("def _f():\n" + "\n".join("    " + ln for ln in body.splitlines()))
    except SyntaxError as exc:
        return f"does not parse: {exc.msg} (line {exc.lineno})"
    return None


async def _validate(
    cand: Candidate, spec: Spec, build: Callable[[str], str], runner: Runner, timeout: float
) -> Attempt:
    problem = cand.note or parses(cand.body)
    if problem:
        return Attempt(
            Candidate(cand.body, cand.engine, problem),
            RunResult(status="setup_error", setup_error=problem),
        )
    program = Program(setup=build(cand.body), examples=spec.examples, timeout=timeout)
    return Attempt(cand, await runner.run(program))


async def _round(
    spec: Spec,
    engines: Sequence[Synthesizer],
    feedback: Sequence[Feedback],
    build: Callable[[str], str],
    runner: Runner,
    timeout: float,
    seen: set[str],
) -> list[Attempt]:
    checks: list[asyncio.Task[Attempt]] = []

    async def drain(engine: Synthesizer) -> None:
        async for cand in engine.propose(spec, feedback):
            key = cand.body.strip()
            if key in seen:
                continue
            seen.add(key)
            checks.append(asyncio.ensure_future(_validate(cand, spec, build, runner, timeout)))

    try:
        await asyncio.gather(*(drain(e) for e in engines))
        return list(await asyncio.gather(*checks))
    finally:
        for task in checks:
            task.cancel()


def _pick(attempts: Sequence[Attempt]) -> Attempt | None:
    passing = [a for a in attempts if a.result.all_passed]
    if not passing:
        return None
    return min(passing, key=lambda a: (len(a.candidate.body.splitlines()), len(a.candidate.body)))


async def synthesize(
    spec: Spec,
    build: Callable[[str], str],
    engines: Sequence[Synthesizer],
    runner: Runner,
    *,
    rounds: int = 3,
    deadline: float = 30.0,
    timeout: float = 5.0,
    progress: Progress | None = None,
) -> Outcome:
    """Run up to ``rounds`` rounds within ``deadline`` seconds; ``build(body)`` gives the module."""
    start = time.monotonic()
    attempts: list[Attempt] = []
    seen: set[str] = set()
    feedback: list[Feedback] = []
    n = len(spec.examples)
    for rnd in range(1, rounds + 1):
        left = deadline - (time.monotonic() - start)
        if left <= 0:
            break
        try:
            new = await asyncio.wait_for(
                _round(spec, engines, feedback, build, runner, timeout, seen), left
            )
        except asyncio.TimeoutError:
            new = []
        attempts.extend(new)
        best = _pick(attempts)
        if best is not None:
            reason = f"passes {n}/{n} examples ({best.candidate.engine}, round {rnd})"
            return Outcome(True, best.candidate, best.result, reason, tuple(attempts), rnd)
        outcome = Outcome(False, None, None, "", tuple(attempts), rnd)
        if progress and outcome.best:
            progress(
                f"round {rnd} of {rounds}: best candidate passes {outcome.best.result.passed} of {n} examples"
            )
        if not new:
            break
        ranked = sorted(new, key=lambda a: -a.result.passed)[:3]
        feedback = [Feedback(a.candidate, a.result) for a in ranked]
    outcome = Outcome(False, None, None, "", tuple(attempts), rounds)
    if not attempts:
        reason = "no engine proposed a candidate"
    else:
        best = outcome.best
        assert best is not None
        reason = f"no candidate passes every example (best passes {best.result.passed} of {n})"
    return Outcome(False, None, None, reason, tuple(attempts), rounds)
