"""The two jobs synthls does, shared by the CLI and the LSP layer.

``synthesize_target``: fill (or regenerate) one function's body with a verified candidate.
``resume_target``: continue a synthesis whose question waited, with the user's answer.
``check_target``: run one function's examples against its current body.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from synthls.config import Settings
from synthls.intent.model import Example, FunctionTarget
from synthls.sandbox.types import Program, RunResult, Trust
from synthls.synth.description_check import FITS, checked_against_description
from synthls.synth.engine_protocol import WAITING, Candidate, Synthesizer, Trial
from synthls.synth.loop import (
    POLICIES,
    Ask,
    OnProgress,
    Outcome,
    Policy,
    Runner,
    drive,
    open_session,
    resume,
)
from synthls.synth.module_text import module_with_body
from synthls.synth.report import at_most, describe_failures, short

NO_EXAMPLES_HELP = "add an example to the docstring, e.g.\n    >>> {name}(...)\n    expected result"
MAX_MESSAGE = 2000  # characters of a report's message: the values in it come from the docstring


@dataclass(frozen=True)
class SynthReport:
    target: FunctionTarget
    outcome: Outcome | None  # None: skipped
    # "verified" | "fits" (passes the examples; nothing read the description) | "ambiguous" |
    # "failed" | "skipped" | "unverified"
    status: str
    message: str
    details: tuple[str, ...] = ()  # failing examples, one line each
    insert: bool = False  # "ambiguous" only: the policy says to insert the best guess

    @property
    def body(self) -> str | None:
        """The body found: verified, fitting the examples, unverified (asked for), or ambiguous by
        policy. Where it is inserted unasked (the CLI's --write, completion) ``status`` decides."""
        shown = self.status in ("verified", "fits", "unverified") or (
            self.status == "ambiguous" and self.insert
        )
        if shown and self.outcome and self.outcome.candidate:
            return self.outcome.candidate.body
        return None

    @property
    def answers(self) -> tuple[Example, ...]:
        """The answered questions, as examples for the docstring."""
        return self.outcome.answers if self.outcome else ()


def policy_of(settings: Settings) -> Policy:
    value = settings.ask.ambiguous
    for policy in POLICIES:
        if policy == value:
            return policy
    return "ask"


def ambiguous_message(name: str, outcome: Outcome, insert: bool) -> str:
    amb = outcome.ambiguity
    summary = amb.summary if amb else "several behaviours pass the examples"
    n = len(outcome.result.examples) if outcome.result else 0
    head = f"{name}: ambiguous: passes {n}/{n} examples; {short(summary, MAX_MESSAGE)}"
    if insert:
        return head + "; inserted the most likely body (ask.ambiguous = insert)"
    return head + "; not inserted"


def no_examples_message(name: str) -> str:
    return f"{name}: the docstring has no examples to verify against; " + NO_EXAMPLES_HELP.format(
        name=name
    )


async def synthesize_target(
    text: str,
    target: FunctionTarget,
    engines: Sequence[Synthesizer],
    runner: Runner,
    settings: Settings,
    progress: OnProgress | None = None,
    allow_unverified: bool = False,
    ask: Ask | None = None,
) -> SynthReport:
    spec = target.spec
    if not spec.examples and not allow_unverified:
        return SynthReport(target, None, "skipped", no_examples_message(spec.name))
    initial: tuple[Trial, ...] = ()
    if not target.is_stub and target.body_text and spec.examples and spec.comment is None:
        # regenerating a wrong body: its failing examples are the first feedback
        current = await check_target(
            text, target, runner, settings.sandbox.timeout, as_doctest=False
        )
        initial = (Trial(Candidate(target.body_text, "current"), current),)
    told = WAITING.set(progress)  # an engine's wait (a model starting) shows on the progress
    try:
        outcome = await _synthesize(text, target, engines, runner, settings, progress, initial, ask)
    finally:
        WAITING.reset(told)
    return report_of(target, outcome, settings)


async def resume_target(
    text: str,
    target: FunctionTarget,
    outcome: Outcome,
    answer: str,
    engines: Sequence[Synthesizer],
    runner: Runner,
    settings: Settings,
    progress: OnProgress | None = None,
    ask: Ask | None = None,
) -> SynthReport:
    """Continue the synthesis ``outcome`` waited on with ``answer`` (a literal, or
    ``answers.INVALID``) to its question; ``text`` is the file as it is now (the function's own
    text unchanged). Nothing known runs again; the engines search again only when no candidate
    gives the answer. The waiting session itself is left as it was (the answer goes to a copy),
    so the question can be answered again if this is cancelled."""
    session = outcome.session
    if session is None:  # nothing waits: an outcome that asked no question
        return report_of(target, outcome, settings)
    told = WAITING.set(progress)
    try:
        resumed = await resume(
            session.fork(),
            answer,
            engines,
            ask,
            progress,
            build=lambda body: module_with_body(text, target, body),
            runner=runner,
        )
    finally:
        WAITING.reset(told)
    return report_of(target, resumed, settings)


def report_of(target: FunctionTarget, outcome: Outcome, settings: Settings) -> SynthReport:
    """What the outcome means for the user: the status, the message, the body to insert."""
    spec = target.spec
    if outcome.verified and outcome.candidate is not None:
        if not checked_against_description(outcome):
            return SynthReport(
                target, outcome, "fits", _message(spec.name, f"{FITS}: {outcome.reason}")
            )
        return SynthReport(target, outcome, "verified", _message(spec.name, outcome.reason))
    if outcome.status == "ambiguous" and outcome.candidate is not None:
        insert = policy_of(settings) == "insert"
        message = ambiguous_message(spec.name, outcome, insert)
        question = outcome.ambiguity.question if outcome.ambiguity else None
        choices = " / ".join(short(c) for c in question.choices) if question else ""
        asked = (short(f"{question.text} {choices}", MAX_MESSAGE),) if question else ()
        return SynthReport(target, outcome, "ambiguous", message, asked, insert)
    if not spec.examples and outcome.candidate is not None:
        return SynthReport(target, outcome, "unverified", f"{spec.name}: unverified (no examples)")
    best = outcome.best
    if best is not None and best.candidate.note:
        details: tuple[str, ...] = (f"{best.candidate.engine}: {best.candidate.note}",)
    elif best is not None:
        details = tuple(describe_failures(spec.examples, best.result))
    else:
        unmet = [
            f"line {ex.line + 1}: {short(ex.source, 80)}: expected {short(ex.exc_msg or ex.want)} "
            "(no candidate satisfied it)"
            for ex in spec.examples
        ]
        details = tuple(at_most(unmet))
    return SynthReport(target, outcome, "failed", _message(spec.name, outcome.reason), details)


def _message(name: str, reason: str) -> str:
    """``name: reason``, cut short: a reason may quote an engine's error or a generated call."""
    return f"{name}: {short(reason, MAX_MESSAGE)}"


def as_doctest_sees(example: Example) -> Example:
    """The example as doctest judges it (an implied ``True`` is no output)."""
    return dataclasses.replace(example, want="") if example.implied_want else example


async def check_target(
    text: str,
    target: FunctionTarget,
    runner: Runner,
    timeout: float,
    *,
    path: str | None = None,
    as_doctest: bool = True,
    trust: Trust = "strict",
    project: str | None = None,
) -> RunResult:
    """Run the function's examples against the file as it is; ``path`` (absolute) is the file's,
    which becomes the module's ``__file__`` and, by its stem, its ``__name__``. ``as_doctest``:
    judge as doctest does (an implied ``True`` is no output); False gives synthesis's view.

    The user's own code is checked with ``trust="user"``: it may read ``project`` (read-only)
    and start a few processes, as under ``python -m doctest``.
    """
    program = Program(
        setup=module_with_body(text, target, None),
        examples=tuple(as_doctest_sees(ex) if as_doctest else ex for ex in target.spec.examples),
        timeout=timeout,
        filename=path or "<candidate>",
        trust=trust,
        project=project,
    )
    return await runner.run(program)


async def _synthesize(
    text: str,
    target: FunctionTarget,
    engines: Sequence[Synthesizer],
    runner: Runner,
    settings: Settings,
    progress: OnProgress | None,
    initial: tuple[Trial, ...],
    ask: Ask | None,
) -> Outcome:
    policy = policy_of(settings)
    max_questions = settings.ask.max_questions
    session = open_session(
        target.spec,
        lambda body: module_with_body(text, target, body),
        engines,
        runner,
        rounds=settings.rounds,
        deadline=settings.deadline,
        timeout=settings.sandbox.timeout,
        initial_feedback=initial,
        # edge cases are probed where someone can answer: the asker, or a code lens later
        challenge=settings.ask.edge_cases
        and ask is not None
        and policy == "ask"
        and max_questions > 0,
        max_questions=max_questions,
        ambiguous=policy,
        read_docstring=settings.ask.read_docstring,
    )
    return await drive(session, engines, ask, progress)
