"""One function's synthesis, kept while a question waits: what is known, and its search rounds.

A ``Session`` holds what is known about the function being synthesized: the spec (which grows by
the user's answers), the probe inputs, every candidate with its results on every probe input (the
attempts, validated in the sandbox), the engines' errors, the answers kept as examples, the
inputs ruled out, the checks (``Check``) with what they have already looked at, and the question
waiting for an answer (``pending``). ``synthls.synth.loop`` drives it; when a question is
dismissed (a code lens waits for it) the session is kept, and an answer resumes it: every attempt
gets its verdict on the answer from the probe it asked about, so no candidate runs again on an
input it already ran, no search is repeated while a candidate survives, and no question is
asked twice.

``Session.round`` streams every engine's candidates and validates each as it arrives; once one
passes, the others get ``settle`` more seconds. ``Search`` runs rounds, feeding failures back,
until some attempt is picked, the rounds are spent or the deadline passes.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from synthls.intent.model import Example, Spec
from synthls.sandbox.types import Program, RunResult
from synthls.synth.ambiguity import Ambiguity
from synthls.synth.answers import answer_example, outside, with_answer
from synthls.synth.attempts import feedback_from, parses, progress_line
from synthls.synth.callbacks import OnProgress, Policy, Runner
from synthls.synth.engine_protocol import Candidate, EngineError, Synthesizer, Trial
from synthls.synth.question import Question
from synthls.synth.ranking import Picked, passes, pick

log = logging.getLogger(__name__)

SETTLE = 3.0  # seconds the other candidates get once one passes


class Check(Protocol):
    """One way a body can pass the examples and still be wrong (``synthls.synth.checks``).

    ``inputs`` adds the probe inputs it needs before the search (``challenge``: someone can
    answer an edge-case question, so edge cases are worth probing). ``applies`` says whether it
    has anything to look at for the chosen trial (its engine, what it already looked at).
    ``doubt`` returns the verdict (an ``Ambiguity``, with the question its check writes, or the
    given one when the check settles that nothing more is to be asked) or None to hand over to
    the next check. ``heard`` sees every answer (``answers.INVALID`` too), with the passing
    trials before it and the pick after it (None when no candidate gives the answer).
    ``every_time``: judged after every search; otherwise once per number of examples."""

    every_time: bool

    def inputs(
        self, spec: Spec, probes: tuple[str, ...], engines: Sequence[Synthesizer], challenge: bool
    ) -> tuple[str, ...]: ...

    def applies(self, session: Session, engines: Sequence[Synthesizer], chosen: Trial) -> bool: ...

    async def doubt(
        self, session: Session, engines: Sequence[Synthesizer], chosen: Trial, amb: Ambiguity
    ) -> Ambiguity | None: ...

    def heard(
        self,
        session: Session,
        question: Question,
        answer: str,
        before: Sequence[Trial],
        survivor: Picked | None,
    ) -> None: ...


@dataclass
class Waiting:
    """The question a session waits on, with the pick and the verdict it came from."""

    question: Question
    picked: Picked
    ambiguity: Ambiguity


@dataclass
class Session:
    """What is known about one function being synthesized, shared by its rounds and kept while a
    question waits."""

    spec: Spec
    build: Callable[[str], str]  # body -> the module to run (the file with the body in place)
    runner: Runner
    timeout: float
    settle: float
    probes: tuple[str, ...]
    search: Search
    checks: list[Check] = field(default_factory=list)
    mutated: int = 0  # the first probes are mutations of the examples, the rest random
    attempts: list[Trial] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)
    silent: set[str] = field(default_factory=set)  # engines yet to answer in this round
    feedback: list[Trial] = field(default_factory=list)  # what the next round is told
    prior: tuple[Candidate, ...] = ()  # the ranking from before the first answer
    answered: list[Example] = field(default_factory=list)  # the answers kept as examples
    invalid: dict[int, str] = field(default_factory=dict)  # probe -> call the user ruled out
    checked: set[int] = field(default_factory=set)  # example counts the checks have judged
    pending: Waiting | None = None  # the question waiting for an answer
    max_questions: int = 3
    ambiguous: Policy = "ask"
    runs: int = 0  # sandbox runs made for this session (each validates one candidate)
    read_docstring: bool = False  # a language model reads the docstring before a question
    settled: list[Example] = field(default_factory=list)  # questions the reading answered
    readings: int = 0  # readings asked for
    reading_seconds: float = 0.0
    reading_tokens: int = 0

    def fork(self) -> Session:
        """A copy that can go on without changing this one (a question answered twice, or an
        answer whose job is cancelled, leaves the waiting session as it was)."""
        return replace(
            self,
            search=replace(self.search),
            checks=[copy.copy(c) for c in self.checks],
            attempts=list(self.attempts),
            seen=set(self.seen),
            errors=dict(self.errors),
            silent=set(),
            feedback=list(self.feedback),
            answered=list(self.answered),
            settled=list(self.settled),
            invalid=dict(self.invalid),
            checked=set(self.checked),
        )

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
        self.runs += 1
        try:
            return Trial(cand, outside(await self.runner.run(program), self.invalid))
        except Exception as exc:  # a sandbox fault must not lose the other candidates
            log.exception("sandbox run failed")
            return Trial(cand, RunResult(status="crashed", setup_error=f"sandbox: {exc}"))

    async def probe_more(self, calls: Sequence[str]) -> list[int]:
        """Every candidate that passes the examples also runs on ``calls`` (new probe inputs,
        in the sandbox; no input it already ran); the calls' indices among the probe inputs."""
        new = tuple(dict.fromkeys(c for c in calls if c not in self.probes))
        start = len(self.probes)
        self.probes += new
        if new:
            self.attempts = list(
                await asyncio.gather(*(self._run_more(t, new, start) for t in self.attempts))
            )
        return [self.probes.index(c) for c in calls]

    async def _run_more(self, trial: Trial, new: tuple[str, ...], start: int) -> Trial:
        result = trial.result
        if not result.all_passed:
            return trial
        program = Program(
            setup=self.build(trial.candidate.body), examples=(), probes=new, timeout=self.timeout
        )
        self.runs += 1
        try:
            extra = (await self.runner.run(program)).probes
        except Exception:  # a sandbox fault: the new inputs give nothing for this one
            log.exception("sandbox run failed")
            extra = ()
        before = tuple(result.probes) + (None,) * (start - len(result.probes))
        got = tuple(extra[: len(new)]) + (None,) * (len(new) - len(extra))
        return Trial(trial.candidate, replace(result, probes=before[:start] + got))

    def asked(self) -> set[str]:
        """The calls the examples settle (a None answer's example is ``f(x) is None``), and
        the ones the user said are not valid inputs."""
        settled = {e.source.strip().removesuffix(" is None") for e in self.spec.examples}
        return settled | set(self.invalid.values())

    def rule_out(self, question: Question) -> None:
        """The user says ``question``'s call is not a valid input: no behaviour is told apart
        there, and nothing is asked there again."""
        self.invalid[question.index] = question.call
        self.attempts = [Trial(a.candidate, outside(a.result, self.invalid)) for a in self.attempts]

    def add_answer(self, question: Question, answer: str, keep: bool = True) -> Example:
        """Keep ``answer`` as an example; every attempt gets its verdict from its probe.
        ``keep``: the user's answer, for the docstring; else the model's reading's
        (``settled``), which the docstring never gets."""
        example = answer_example(question, answer)
        (self.answered if keep else self.settled).append(example)
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

    def extend(self) -> None:
        """A new deadline from now (a session resumed after an answer)."""
        self.end, self.timed_out = time.monotonic() + self.deadline, False

    async def until_picked(
        self,
        run: Session,
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
    run: Session,
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
