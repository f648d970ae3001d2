"""The synthesis loop: propose → validate in the sandbox → feed failures back → choose → doubt.

Engines run concurrently and stream candidates; each candidate is validated in the sandbox as it
arrives (examples plus generated probe inputs, so candidates can be compared by behaviour,
``synthls.synth.behaviour``). When no candidate passes every example, the best few go back to the
engines for another round, up to ``rounds`` or the deadline (an engine whose ``uses_feedback`` is
False is asked only in the first round). Once some candidate passes, the others get ``settle``
more seconds, so with several engines a verified answer from either wins and the more readable
one is preferred when both pass in time.

Passing the examples is not enough to be "verified": the checks (``synthls.synth.checks``, in
their order) each look for a way the chosen body could pass and still be wrong, and the first
with a doubt writes the question that settles it. With an ``ask`` callback the user is asked;
the answer becomes an example, the attempts that disagree drop out, and the engines search again
only when none is left. With nobody to ask, or a dismissed question, the outcome is "ambiguous"
and keeps its ``Session`` (``Outcome.session``): ``resume`` continues it with the answer given
later, without searching or running again what is known.

Nothing fails silently: an engine's error (e.g. an unreachable endpoint) becomes the outcome's
reason when no candidate came, and is appended to it otherwise. Cancelling the task that awaits
:func:`synthesize` cancels the engines' requests and the sandbox runs.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from typing import TypeGuard

from synthls.intent.model import Spec
from synthls.synth.ambiguity import Ambiguity, analyse
from synthls.synth.answers import INVALID
from synthls.synth.attempts import failure_reason, feedback_from
from synthls.synth.callbacks import POLICIES as POLICIES  # re-exported: the loop's API
from synthls.synth.callbacks import Ask as Ask
from synthls.synth.callbacks import OnProgress as OnProgress
from synthls.synth.callbacks import Policy as Policy
from synthls.synth.callbacks import Runner as Runner
from synthls.synth.checks import new_checks
from synthls.synth.docstring_reading import BUDGET as READING_BUDGET
from synthls.synth.docstring_reading import offered, reader_of, settled
from synthls.synth.engine_protocol import Synthesizer, Trial
from synthls.synth.inputs import generate
from synthls.synth.outcome import Outcome as Outcome
from synthls.synth.outcome import Status as Status
from synthls.synth.question import Question
from synthls.synth.ranking import Picked, from_heaviest, passing, pick
from synthls.synth.reading_votes import Reading
from synthls.synth.session import SETTLE, Search, Session, Waiting


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
    edge_cases: bool = True,
    read_docstring: bool = False,
) -> Outcome:
    """Run up to ``rounds`` rounds within ``deadline`` seconds; ``build(body)`` gives the module.

    With no examples in ``spec`` there is nothing to verify: one round runs and the chosen
    candidate that loads is returned as ``unverified``. ``initial_feedback`` goes to the first
    round (regeneration passes the current body with its failing examples). When a check doubts
    the pick and ``ambiguous`` is "ask", ``ask`` gets its question, up to ``max_questions``
    times; each answer becomes an example (kept in ``Outcome.answers``), candidates that
    disagree with it drop out, and when none is left the engines get ``rounds`` more rounds
    with the new example. An answer of ``answers.INVALID`` (not a valid input) rules the call
    out instead (kept in ``Outcome.invalid``), and the next question is about another input; it
    counts against ``max_questions`` too. The time spent waiting for an answer does not count
    against the deadline. With ``edge_cases`` and someone to ask, the checks that look for the
    edges the examples leave open take part (``checks.edge_cases``, ``checks.one_token``); with
    nobody to ask none is tried, as a question nobody can answer would only leave a body
    unwritten. With ``read_docstring``, a language model engine reads the docstring for a
    question's answer before it is asked (``synthls.synth.docstring_reading``).
    """
    session = open_session(
        spec,
        build,
        engines,
        runner,
        rounds=rounds,
        deadline=deadline,
        timeout=timeout,
        settle=settle,
        initial_feedback=initial_feedback,
        challenge=edge_cases and _askable(ask, ambiguous, max_questions, 0),
        max_questions=max_questions,
        ambiguous=ambiguous,
        read_docstring=read_docstring,
    )
    return await drive(session, engines, ask, progress)


def open_session(
    spec: Spec,
    build: Callable[[str], str],
    engines: Sequence[Synthesizer],
    runner: Runner,
    *,
    rounds: int = 3,
    deadline: float = 30.0,
    timeout: float = 5.0,
    settle: float = SETTLE,
    initial_feedback: Sequence[Trial] = (),
    challenge: bool = False,
    max_questions: int = 3,
    ambiguous: Policy = "ask",
    read_docstring: bool = False,
) -> Session:
    """A new session for ``spec``: its probe inputs (generated, then each check's), its
    checks; nothing runs yet. ``challenge``: someone can answer a question about an edge the
    examples leave open."""
    probes, mutated = generate(spec)
    checks = new_checks()
    for check in checks:
        probes = check.inputs(spec, probes, engines, challenge)
    search = Search(rounds if spec.examples else 1, time.monotonic() + deadline, deadline)
    return Session(
        spec,
        build,
        runner,
        timeout,
        settle,
        probes,
        search,
        checks,
        mutated=mutated,
        feedback=list(initial_feedback),  # e.g. the current body and its failures
        max_questions=max_questions,
        ambiguous=ambiguous,
        read_docstring=read_docstring,
    )


async def resume(
    session: Session,
    answer: str | None,
    engines: Sequence[Synthesizer],
    ask: Ask | None = None,
    progress: OnProgress | None = None,
    build: Callable[[str], str] | None = None,
    runner: Runner | None = None,
) -> Outcome:
    """Continue ``session`` with ``answer`` to its waiting question (None: still unanswered):
    every attempt gets its verdict from the probe the question asked about; the search runs
    again only when no candidate gives the answer. ``build`` and ``runner`` replace the
    session's (the file around the function may have changed, the sandbox restarted) for what
    runs from now on; the deadline starts again."""
    if build is not None:
        session.build = build
    if runner is not None:
        session.runner = runner
    session.search.extend()
    waiting, session.pending = session.pending, None
    if waiting is not None and answer is not None:
        _hear(session, waiting, answer)
    elif waiting is not None:
        session.pending = waiting
        return _success(session, waiting.picked, waiting.ambiguity)
    return await drive(session, engines, ask, progress)


async def drive(
    session: Session,
    engines: Sequence[Synthesizer],
    ask: Ask | None,
    progress: OnProgress | None = None,
) -> Outcome:
    """Search, choose and doubt until a body is verified, nothing is left to try, or a question
    waits (dismissed, or nobody to ask: ``session.pending``)."""
    s = session
    while True:
        picked = await s.search.until_picked(s, engines, s.feedback, progress)
        n = len(s.spec.examples)
        if picked is None:
            reason = failure_reason(s.attempts, s.errors, n, s.search.timed_out, s.search.deadline)
            return _outcome(s, "failed", None, reason, None)
        if not n:
            return _success(s, picked, None)
        amb = await judge(s, engines, picked[0])
        question = amb.question
        if not amb.ambiguous or question is None:
            return _success(s, picked, amb)
        s.pending = Waiting(question, picked, amb)
        reading = await _read(s, engines, question, progress)
        if reading is not None:
            answer = settled(reading, question)
            if answer is not None:  # the docstring's words answer it: nobody is asked
                s.pending = None
                _hear(s, Waiting(question, picked, amb), answer, keep=False)
                continue
            question = offered(reading, question)
            amb = dataclasses.replace(amb, question=question)
            s.pending = Waiting(question, picked, amb)
        replies = len(s.answered) + len(s.invalid)
        if not _askable(ask, s.ambiguous, s.max_questions, replies):
            return _success(s, picked, amb)
        if progress:
            progress(f"{amb.summary}; asking: {question.text}")
        waited = time.monotonic()
        answer = await ask(question)
        s.search.end += time.monotonic() - waited
        if answer is None:  # dismissed: the question stays pending
            return _success(s, picked, amb)
        waiting, s.pending = s.pending, None
        _hear(s, waiting, answer)


async def _read(
    s: Session, engines: Sequence[Synthesizer], question: Question, progress: OnProgress | None
) -> Reading | None:
    """The model's reading of the docstring for ``question``'s call, or None (not asked for,
    no language model, as many readings as questions done, no time left)."""
    if not s.read_docstring or s.readings >= s.max_questions or question.kind == "reading":
        return None  # (a "reading" question is the reading's own)
    budget = min(READING_BUDGET, s.search.end - time.monotonic())
    reader = reader_of(engines) if budget >= 1.0 else None
    if reader is None:
        return None
    if progress:
        progress(f"reading the docstring for `{question.call}`")
    s.readings += 1
    reading = await reader.read(s.spec, budget=budget, call=question.call)
    s.reading_seconds += reading.seconds
    s.reading_tokens += reading.tokens
    return reading


def _hear(s: Session, waiting: Waiting, answer: str, keep: bool = True) -> None:
    """What an answer changes: an example kept (or a call ruled out), the candidates that
    disagree dropped, the search restarted when none is left; every check hears it.
    ``keep``: the user's answer (for the docstring); else the model's reading's."""
    question, picked = waiting.question, waiting.picked
    before = passing(s.attempts)  # the answer's verdicts are not in yet: the behaviours asked
    survivor: Picked | None = picked
    if answer == INVALID:  # outside the function's domain: judge again, ask another input
        s.rule_out(question)
        s.checked.discard(len(s.spec.examples))
    else:
        s.prior = s.prior or picked[2]
        s.add_answer(question, answer, keep)
        survivor = pick(s.attempts, len(s.spec.examples), s.prior)
        if survivor is None:  # nobody gives that answer
            s.search.restart()
            s.feedback = feedback_from(s.attempts)
    for check in s.checks:
        check.heard(s, question, answer, before, survivor)


async def judge(s: Session, engines: Sequence[Synthesizer], chosen: Trial) -> Ambiguity:
    """The behaviours that pass (``ambiguity.analyse``), then the checks in order: those that
    run every time, and the others once per number of examples (after an answer the new example
    is judged again); the first verdict wins."""
    amb = analyse(passing(s.attempts), s.probes, s.spec.name, s.asked())
    n = len(s.spec.examples)
    reached = False
    for check in s.checks:
        if not check.every_time and not reached:
            if n in s.checked:
                return amb
            s.checked.add(n)
            reached = True
        if not check.applies(s, engines, chosen):
            continue
        verdict = await check.doubt(s, engines, chosen, amb)
        if verdict is not None:
            return verdict
    return amb


def _askable(
    ask: Ask | None, ambiguous: Policy, max_questions: int, replies: int
) -> TypeGuard[Ask]:
    """Whether a question can be put to someone: there is an ``ask``, the policy asks, and
    questions are left."""
    return ask is not None and ambiguous == "ask" and replies < max_questions


def _outcome(
    s: Session,
    status: Status,
    picked: Trial | None,
    reason: str,
    amb: Ambiguity | None,
) -> Outcome:
    return Outcome(
        status,
        picked.candidate if picked else None,
        picked.result if picked else None,
        reason,
        tuple(s.attempts),
        s.search.rnd,
        tuple(s.errors.values()),
        amb,
        tuple(s.answered),
        tuple(s.invalid.values()),
        s if s.pending is not None else None,
        tuple(s.settled),
    )


def _success(s: Session, picked: Picked, amb: Ambiguity | None) -> Outcome:
    picked = from_heaviest(s.attempts, len(s.spec.examples), picked, amb)
    attempt, why, _ = picked
    rnd = s.search.rnd
    if not s.spec.examples:
        reason = f"unverified: the docstring has no examples to check ({attempt.candidate.engine})"
        return _outcome(s, "unverified", attempt, reason, None)
    reason = f"{why} ({attempt.candidate.engine}, round {rnd})"
    if s.answered:
        told = "answer" if len(s.answered) == 1 else "answers"
        reason += f"; {len(s.answered)} {told} kept as examples"
    if s.settled:
        told = "question" if len(s.settled) == 1 else "questions"
        reason += f"; {len(s.settled)} {told} answered by the model's reading of the docstring"
    if s.invalid:
        calls = ", ".join(f"`{c}`" for c in s.invalid.values())
        reason += f"; not valid inputs by your answer: {calls}"
    if amb is not None and amb.ambiguous:
        return _outcome(s, "ambiguous", attempt, f"{reason}; {amb.summary}", amb)
    s.pending = None
    return _outcome(s, "verified", attempt, reason, amb)
