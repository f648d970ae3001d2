"""The synthesis loop: propose → validate in the sandbox → feed failures back → choose.

Engines run concurrently and stream candidates; each candidate is validated in the sandbox as it
arrives (examples plus generated probe inputs, so the selection rules in ``synthls.synth.ranking``
can compare candidates by behaviour). When no candidate passes every example, the best few go back
to the engines for another round, up to ``rounds`` or the deadline (an engine whose
``uses_feedback`` is False is asked only in the first round). Once some candidate
passes, the others get ``settle`` more seconds, so with several engines a verified answer from
either wins and the more readable one is preferred when both pass in time.

Passing the examples is not enough to be "verified": when several behaviours pass them
(``synthls.synth.ambiguity``), the outcome is "ambiguous" and, with an ``ask`` callback, the user
is asked the question that splits them; the answer becomes an example, the attempts that disagree
drop out, and the engines search again only when none is left.

Nothing fails silently: an engine's error (e.g. an unreachable endpoint) becomes the outcome's
reason when no candidate came, and is appended to it otherwise. Cancelling the task that awaits
:func:`synthesize` cancels the engines' requests and the sandbox runs.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from synthls.sandbox.types import Program, RunResult
from synthls.spec.model import Example, Spec
from synthls.synth.ambiguity import (
    LUCK,
    Ambiguity,
    Question,
    analyse,
    chance,
    confirmation,
)
from synthls.synth.answers import INVALID, answer_example, outside, with_answer
from synthls.synth.attempts import failure_reason, feedback_from, parses, progress_line
from synthls.synth.base import Candidate, EngineError, Synthesizer, Trial
from synthls.synth.crashes import crash
from synthls.synth.holdout import held_out, judged
from synthls.synth.informative import edge
from synthls.synth.inputs import generate
from synthls.synth.outcome import POLICIES as POLICIES  # re-exported: the loop's API
from synthls.synth.outcome import Ask as Ask
from synthls.synth.outcome import OnProgress as OnProgress
from synthls.synth.outcome import Outcome as Outcome
from synthls.synth.outcome import Policy as Policy
from synthls.synth.outcome import Runner as Runner
from synthls.synth.outcome import Status as Status
from synthls.synth.ranking import Picked, from_heaviest, passes, passing, pick

log = logging.getLogger(__name__)

SETTLE = 3.0  # seconds the other candidates get once one passes


@dataclass
class _Run:
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

    async def validate(self, cand: Candidate) -> Trial:
        problem = cand.note or parses(cand.body)
        if problem:
            failed = replace(cand, note=problem)
            return Trial(failed, RunResult(status="setup_error", setup_error=problem))
        program = Program(
            setup=self.build(cand.body),
            examples=self.spec.examples,
            probes=self.probes,
            timeout=self.timeout,
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
        there, and nothing is asked there again."""
        self.invalid[question.index] = question.call
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


async def synthesize(
    spec: Spec,
    build: Callable[[str], str],
    engines: Sequence[Synthesizer],
    runner: Runner,
    *,
    rounds: int = 3,
    deadline: float = 30.0,
    timeout: float = 5.0,
    progress: OnProgress | None = None,
    settle: float = SETTLE,
    initial_feedback: Sequence[Trial] = (),
    ask: Ask | None = None,
    max_questions: int = 3,
    ambiguous: Policy = "ask",
) -> Outcome:
    """Run up to ``rounds`` rounds within ``deadline`` seconds; ``build(body)`` gives the module.

    With no examples in ``spec`` there is nothing to verify: one round runs and the chosen
    candidate that loads is returned as ``unverified``. ``initial_feedback`` goes to the first
    round (regeneration passes the current body with its failing examples). When several
    behaviours pass the examples (``synthls.synth.ambiguity``) and ``ambiguous`` is "ask",
    ``ask`` gets the question that splits them best, up to ``max_questions`` times; each answer
    becomes an example (kept in ``Outcome.answers``), candidates that disagree with it drop out,
    and when none is left the engines get ``rounds`` more rounds with the new example. An
    answer of ``answers.INVALID`` (not a valid input) rules the call out instead (kept in
    ``Outcome.invalid``), and the next question is about another input; it counts against
    ``max_questions`` too. The time spent waiting for an answer does not count against the
    deadline.
    """
    probes, mutated = generate(spec)
    run = _Run(spec, build, runner, timeout, settle, probes, mutated=mutated)
    search = _Search(rounds if spec.examples else 1, time.monotonic() + deadline, deadline)
    feedback: list[Trial] = list(initial_feedback)  # e.g. the current body and its failures
    answers: list[Example] = []
    checked: set[int] = set()  # example counts the held-out check has run for
    while True:
        picked = await search.until_picked(run, engines, feedback, progress)
        n = len(run.spec.examples)
        if picked is None:
            reason = failure_reason(run.attempts, run.errors, n, search.timed_out, deadline)
            return _outcome(run, "failed", None, reason, search.rnd, None, answers)
        if not n:
            return _success(run, picked, search.rnd, None, answers)
        amb = await _judge(run, engines, search, checked, bool(answers))
        question = amb.question
        if not amb.ambiguous or question is None:
            return _success(run, picked, search.rnd, amb, answers)
        replies = len(answers) + len(run.invalid)
        if ambiguous != "ask" or ask is None or replies >= max_questions:
            return _success(run, picked, search.rnd, amb, answers)
        if progress:
            progress(f"{amb.summary}; asking: {question.text}")
        waited = time.monotonic()
        answer = await ask(question)
        search.end += time.monotonic() - waited
        if answer is None:  # dismissed: the question stays pending
            return _success(run, picked, search.rnd, amb, answers)
        if answer == INVALID:  # outside the function's domain: judge again, ask another input
            run.rule_out(question)
            checked.discard(n)
            continue
        run.prior = run.prior or picked[2]
        pool = passing(run.attempts)  # the answer's verdicts are not in yet: the behaviours asked
        answers.append(run.add_answer(question, answer))
        survivor = pick(run.attempts, len(run.spec.examples), run.prior)
        if survivor is None:  # nobody gives that answer
            run.luck = None  # what the search finds now is fitted to the answer
            search.restart()
            feedback = feedback_from(run.attempts)
        else:  # the survivor predicted the answer: as likely as its answer's share
            run.luck = (run.luck or 1.0) * chance(pool, survivor[0], question.index)


async def _judge(
    run: _Run,
    engines: Sequence[Synthesizer],
    search: _Search,
    checked: set[int],
    answered: bool,
) -> Ambiguity:
    """The behaviours that pass, and whether the pick survives the held-out check (once per
    number of examples: after an answer the new example is the one held out)."""
    asked = run.asked()
    amb = analyse(passing(run.attempts), run.probes, run.spec.name, asked)
    n = len(run.spec.examples)
    if amb.ambiguous or n in checked:
        return amb
    checked.add(n)
    examples = [e.source for e in run.spec.examples]
    broken = crash(passing(run.attempts), run.probes, run.spec.name, examples, asked)
    if broken is not None:
        return broken
    if run.luck is not None:  # the body predicted the answers so far
        if run.luck <= LUCK:
            return amb
        why = f"its answers so far could agree by luck (chance {run.luck:.2f})"
        pool = passing(run.attempts)
        boundary = not any(edge(a.source.removesuffix(" is None")) for a in run.answered)
        found = confirmation(pool, run.probes, run.spec.name, asked, why, run.mutated, boundary)
        return found or amb
    held = await held_out(
        run.spec, engines, run.validate, run.attempts, search.end, answered=answered
    )
    if held is None:
        return amb
    if held.unconfirmed:
        pool = passing(run.attempts)
        return confirmation(pool, run.probes, run.spec.name, asked, held.why, run.mutated) or amb
    run.attempts.extend(held.passing)
    run.seen.update(a.candidate.body.strip() for a in held.passing)
    if held.passing:
        amb = analyse(passing(run.attempts), run.probes, run.spec.name, asked)
    if held.rival is None or amb.ambiguous:
        return amb
    pool = passing(run.attempts)
    return judged(amb, pool, held.rival, run.probes, run.spec.name, held.index, asked)


@dataclass
class _Search:
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
        run: _Run,
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
            new, self.timed_out = await _timed_round(
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


async def _timed_round(
    run: _Run,
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


def _outcome(
    run: _Run,
    status: Status,
    picked: Trial | None,
    reason: str,
    rnd: int,
    amb: Ambiguity | None,
    answers: Sequence[Example],
) -> Outcome:
    return Outcome(
        status,
        picked.candidate if picked else None,
        picked.result if picked else None,
        reason,
        tuple(run.attempts),
        rnd,
        tuple(run.errors.values()),
        amb,
        tuple(answers),
        tuple(run.invalid.values()),
    )


def _success(
    run: _Run,
    picked: Picked,
    rnd: int,
    amb: Ambiguity | None,
    answers: Sequence[Example],
) -> Outcome:
    picked = from_heaviest(run.attempts, len(run.spec.examples), picked, amb)
    attempt, why, _ = picked
    if not run.spec.examples:
        reason = f"unverified: the docstring has no examples to check ({attempt.candidate.engine})"
        return _outcome(run, "unverified", attempt, reason, rnd, None, answers)
    reason = f"{why} ({attempt.candidate.engine}, round {rnd})"
    if answers:
        told = "answer" if len(answers) == 1 else "answers"
        reason += f"; {len(answers)} {told} kept as examples"
    if run.invalid:
        calls = ", ".join(f"`{c}`" for c in run.invalid.values())
        reason += f"; not valid inputs by your answer: {calls}"
    if amb is not None and amb.ambiguous:
        return _outcome(run, "ambiguous", attempt, f"{reason}; {amb.summary}", rnd, amb, answers)
    return _outcome(run, "verified", attempt, reason, rnd, amb, answers)
