"""One synthesis request's state and its search rounds, for ``synthls.synth.loop``.

``Run`` holds what the rounds share: the spec (which grows by the user's answers), the attempts
validated so far (examples plus the generated probe inputs, in the sandbox), the engines' errors,
and what the answers settled (the examples they became, the inputs ruled out). ``Run.round``
streams every engine's candidates and validates each as it arrives; once one passes, the others
get ``settle`` more seconds. ``Search`` runs rounds, feeding failures back, until some attempt is
picked, the rounds are spent or the deadline passes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from synthls.intent.model import Example, Spec
from synthls.sandbox.types import Program, RunResult
from synthls.synth.ambiguity import Question
from synthls.synth.answers import answer_example, outside, with_answer
from synthls.synth.attempts import feedback_from, parses, progress_line
from synthls.synth.engine_protocol import Candidate, EngineError, Synthesizer, Trial
from synthls.synth.outcome import OnProgress, Runner
from synthls.synth.ranking import Picked, passes, pick

log = logging.getLogger(__name__)

SETTLE = 3.0  # seconds the other candidates get once one passes


@dataclass
class Run:
    """The state of one ``synthesize`` call shared by its rounds."""

    spec: Spec
    build: Callable[[str], str]
    runner: Runner
    timeout: float
    settle: float
    probes: tuple[str, ...]
    attempts: list[Trial] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)
    silent: set[str] = field(default_factory=set)  # engines yet to answer in this round
    mutated: int = 0  # the first probes are mutations of the examples, the rest random
    prior: tuple[Candidate, ...] = ()  # the ranking from before the first answer
    luck: float | None = None  # answers the pick predicted: the chance it did so by luck
    answered: list[Example] = field(default_factory=list)  # the answers kept as examples
    invalid: dict[int, str] = field(default_factory=dict)  # probe -> call the user ruled out
    challenged: bool = False  # the pick faced its one-token changes (once a request; True: never)
    preconditions: bool = False  # an input the body raises on is not valid, by the user's answer
    # probe -> the example it rewrites and what that asks (``synthls.synth.order``)
    swapped: dict[int, tuple[int, str]] = field(default_factory=dict)
    ordered: bool = True  # the pick faced the swapped examples (``synthls.synth.order``)

    async def validate(self, cand: Candidate, timeout: float | None = None) -> Trial:
        problem = cand.note or parses(cand.body)
        if problem:
            failed = replace(cand, note=problem)
            return Trial(failed, RunResult(status="setup_error", setup_error=problem))
        program = Program(
            setup=self.build(cand.body),
            examples=self.spec.examples,
            probes=self.probes,
            timeout=self.timeout if timeout is None else min(timeout, self.timeout),
        )
        try:
            return Trial(cand, outside(await self.runner.run(program), self.invalid))
        except Exception as exc:  # a sandbox fault must not lose the other candidates
            log.exception("sandbox run failed")
            return Trial(cand, RunResult(status="crashed", setup_error=f"sandbox: {exc}"))

    def asked(self) -> set[str]:
        """The calls the examples settle (a None answer's example is ``f(x) is None``), and
        the ones the user said are not valid inputs."""
        settled = {e.source.strip().removesuffix(" is None") for e in self.spec.examples}
        return settled | set(self.invalid.values())

    def rule_out(self, question: Question) -> None:
        """The user says ``question``'s call is not a valid input: no behaviour is told apart
        there, and nothing is asked there again. When the body raised there, its raising is
        read as a precondition the examples do not show: no crash is asked about again."""
        self.invalid[question.index] = question.call
        self.preconditions = self.preconditions or question.raises
        self.attempts = [Trial(a.candidate, outside(a.result, self.invalid)) for a in self.attempts]

    def add_answer(self, question: Question, answer: str) -> Example:
        """Keep ``answer`` as an example; every attempt gets its verdict from its probe."""
        example = answer_example(question, answer)
        self.answered.append(example)
        self.spec = replace(self.spec, examples=(*self.spec.examples, example))
        self.attempts = [
            Trial(a.candidate, with_answer(a.result, question, example)) for a in self.attempts
        ]
        return example

    async def check(self, cand: Candidate, passed: asyncio.Event) -> None:
        attempt = await self.validate(cand)
        self.attempts.append(attempt)
        if passes(attempt, len(self.spec.examples)):
            passed.set()

    async def drain(
        self,
        engine: Synthesizer,
        feedback: Sequence[Trial],
        checks: list[asyncio.Task[None]],
        passed: asyncio.Event,
    ) -> None:
        self.silent.add(engine.name)
        stream = engine.propose(self.spec, feedback)
        try:
            async for cand in stream:
                self.silent.discard(engine.name)
                key = cand.body.strip()
                if key in self.seen:
                    continue
                self.seen.add(key)
                checks.append(asyncio.ensure_future(self.check(cand, passed)))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # EngineError: a user-facing reason; anything else: a bug
            if not isinstance(exc, EngineError):
                log.exception("engine %s failed", engine.name)
            self.errors[engine.name] = str(exc) or type(exc).__name__
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:  # stop the engine's work (and its processes) right away
                await aclose()
        self.silent.discard(engine.name)

    async def round(self, engines: Sequence[Synthesizer], feedback: Sequence[Trial]) -> None:
        checks: list[asyncio.Task[None]] = []
        passed = asyncio.Event()
        drains = [asyncio.ensure_future(self.drain(e, feedback, checks, passed)) for e in engines]

        async def finish() -> None:
            await asyncio.gather(*drains)
            await asyncio.gather(*checks)

        done = asyncio.ensure_future(finish())
        first = asyncio.ensure_future(passed.wait())
        try:
            await asyncio.wait({done, first}, return_when=asyncio.FIRST_COMPLETED)
            if not done.done():
                await asyncio.wait({done}, timeout=self.settle)
        finally:
            for task in [done, first, *drains, *checks]:
                task.cancel()
            await asyncio.gather(done, first, *drains, *checks, return_exceptions=True)


@dataclass
class Search:
    """Rounds of engine proposals until some attempt is picked; restarted after an answer."""

    rounds: int
    end: float
    deadline: float
    rnd: int = 0  # rounds run in all
    left: int = 0  # rounds left in this search
    fresh: bool = True  # the next round is the first with the current examples
    timed_out: bool = False

    def __post_init__(self) -> None:
        self.left = self.rounds

    def restart(self) -> None:
        self.left, self.fresh = self.rounds, True

    async def until_picked(
        self,
        run: Run,
        engines: Sequence[Synthesizer],
        feedback: list[Trial],
        progress: OnProgress | None,
    ) -> Picked | None:
        while (picked := pick(run.attempts, len(run.spec.examples), run.prior)) is None:
            active = [e for e in engines if self.fresh or e.uses_feedback]
            if self.left <= 0 or not active:
                return None
            if time.monotonic() >= self.end:
                self.timed_out = True
                return None
            self.rnd, self.left, self.fresh = self.rnd + 1, self.left - 1, False
            new, self.timed_out = await timed_round(
                run, active, tuple(feedback), self.end, self.deadline
            )
            picked = pick(run.attempts, len(run.spec.examples), run.prior)
            if picked is not None:
                return picked
            if progress:
                n = len(run.spec.examples)
                done = self.rounds - self.left
                progress(progress_line(done, self.rounds, run.errors, new, n))
            if self.timed_out or not new:
                return None
            feedback[:] = feedback_from(new)
        return picked


async def timed_round(
    run: Run,
    engines: Sequence[Synthesizer],
    feedback: Sequence[Trial],
    end: float,
    deadline: float,
) -> tuple[list[Trial], bool]:
    """(the attempts validated in this round, whether the deadline cut it short)."""
    before = len(run.attempts)
    try:
        await asyncio.wait_for(run.round(engines, feedback), end - time.monotonic())
    except asyncio.TimeoutError:
        for name in run.silent:  # say which engine kept the user waiting
            run.errors.setdefault(
                name, f"{name} gave no answer before the deadline ({deadline:g}s)"
            )
        return run.attempts[before:], True
    return run.attempts[before:], False
