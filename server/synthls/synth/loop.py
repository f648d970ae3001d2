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
drop out, and the engines search again only when none is left. With ``ask.edgeCases`` (the
default) and someone to ask, a language model's body that no rival contradicts faces its one-token changes
once (``synthls.synth.mutants``):
when one of them passes every example too, the examples do not pin the body down and the question
is where they differ; an answer the body predicted settles that edge, one it did not goes back to
the model. Under the same setting, where the examples are verdicts, such a body that answers an
example with two of its values swapped otherwise than the example is asked whether the order
matters (``synthls.synth.order``); where they are verdicts or counts, likewise an example with one
of the docstring's alternatives ("'.', '?' or '!'") exchanged for another
(``synthls.synth.alternatives``), or with a value added that the docstring says to ignore
("Ignore numbers that are not integers": ``synthls.synth.ignored``).

Nothing fails silently: an engine's error (e.g. an unreachable endpoint) becomes the outcome's
reason when no candidate came, and is appended to it otherwise. Cancelling the task that awaits
:func:`synthesize` cancels the engines' requests and the sandbox runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeGuard

from synthls.intent.model import Spec
from synthls.synth.alternatives import exchanges
from synthls.synth.ambiguity import (
    LUCK,
    Ambiguity,
    analyse,
    chance,
    confirmation,
)
from synthls.synth.answers import INVALID
from synthls.synth.attempts import failure_reason, feedback_from
from synthls.synth.crashes import crash
from synthls.synth.engine_protocol import Synthesizer, Trial
from synthls.synth.engines import language_model
from synthls.synth.holdout import held_out, judged
from synthls.synth.ignored import ignored
from synthls.synth.informative import edge
from synthls.synth.inputs import generate
from synthls.synth.mutants import undecided
from synthls.synth.order import ORDER, counts, order_question, verdicts
from synthls.synth.outcome import POLICIES as POLICIES  # re-exported: the loop's API
from synthls.synth.outcome import Ask as Ask
from synthls.synth.outcome import OnProgress as OnProgress
from synthls.synth.outcome import Outcome as Outcome
from synthls.synth.outcome import Policy as Policy
from synthls.synth.outcome import Runner as Runner
from synthls.synth.outcome import Status as Status
from synthls.synth.pairs import swaps, ties
from synthls.synth.ranking import Picked, from_heaviest, passing, pick
from synthls.synth.rounds import SETTLE, Run, Search


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
    deadline. With ``edge_cases`` and someone to ask, a language model's body also faces its
    one-token changes (``synthls.synth.mutants``) and, for verdicts, the examples with two values
    swapped (``synthls.synth.order``), for verdicts and counts, with the docstring's
    alternatives exchanged (``synthls.synth.alternatives``) or what it says to ignore added
    (``synthls.synth.ignored``); with nobody to ask none is tried, as
    a question nobody can answer would only leave a body unwritten.
    """
    probes, mutated = generate(spec)
    # one-token changes and swapped examples find a question: only where someone can answer one
    challenge = edge_cases and _askable(ask, ambiguous, max_questions, 0)
    swapped: dict[int, tuple[int, str]] = {}
    if challenge and any(language_model(e.name) for e in engines):
        probes, swapped = _rewritten(spec, probes)
    run = Run(
        spec,
        build,
        runner,
        timeout,
        settle,
        probes,
        mutated=mutated,
        challenged=not challenge,
        swapped=swapped,
        ordered=not swapped,
    )
    search = Search(rounds if spec.examples else 1, time.monotonic() + deadline, deadline)
    feedback: list[Trial] = list(initial_feedback)  # e.g. the current body and its failures
    checked: set[int] = set()  # example counts the held-out check has run for
    while True:
        picked = await search.until_picked(run, engines, feedback, progress)
        n = len(run.spec.examples)
        if picked is None:
            reason = failure_reason(run.attempts, run.errors, n, search.timed_out, deadline)
            return _outcome(run, "failed", None, reason, search.rnd, None)
        if not n:
            return _success(run, picked, search.rnd, None)
        amb = await _judge(run, engines, search, checked, picked[0])
        question = amb.question
        if not amb.ambiguous or question is None:
            return _success(run, picked, search.rnd, amb)
        replies = len(run.answered) + len(run.invalid)
        if not _askable(ask, ambiguous, max_questions, replies):
            return _success(run, picked, search.rnd, amb)
        if progress:
            progress(f"{amb.summary}; asking: {question.text}")
        waited = time.monotonic()
        answer = await ask(question)
        search.end += time.monotonic() - waited
        if answer is None:  # dismissed: the question stays pending
            return _success(run, picked, search.rnd, amb)
        if answer == INVALID:  # outside the function's domain: judge again, ask another input
            run.rule_out(question)
            checked.discard(n)
            continue
        run.prior = run.prior or picked[2]
        pool = passing(run.attempts)  # the answer's verdicts are not in yet: the behaviours asked
        run.add_answer(question, answer)
        survivor = pick(run.attempts, len(run.spec.examples), run.prior)
        if survivor is None:  # nobody gives that answer
            run.luck = None  # what the search finds now is fitted to the answer
            search.restart()
            feedback = feedback_from(run.attempts)
        elif not amb.mutant:  # the survivor predicted the answer: as likely as its answer's share
            run.luck = (run.luck or 1.0) * chance(pool, survivor[0], question.index)
        # (a body that beat its own one-token changes is checked against the rest of them next)


def _rewritten(
    spec: Spec, probes: tuple[str, ...]
) -> tuple[tuple[str, ...], dict[int, tuple[int, str]]]:
    """``probes`` with the examples' rewrites a model's body is challenged on: ties (where a
    one-token change, ``<`` for ``<=``, differs), and the rewrites ``order_question`` asks about
    (probe index → example index and what it asks): swapped values for verdicts; for verdicts
    and counts, the docstring's alternatives exchanged and the values it says to ignore
    added."""
    probes += tuple(call for call in ties(spec) if call not in probes)
    rewritten: list[tuple[str, int, str]] = []
    if verdicts(spec.examples):
        rewritten += [(call, i, ORDER) for call, i in swaps(spec)]
    if counts(spec.examples):
        for call, i, a, b in exchanges(spec):
            rewritten.append(
                (call, i, f"the docstring names {a!r} or {b!r}: does it matter which?")
            )
        for call, i, clause in ignored(spec):
            rewritten.append(
                (call, i, f'the docstring says "{clause}": does it change the answer?')
            )
    swapped: dict[int, tuple[int, str]] = {}
    for call, i, asks in rewritten:  # a rewrite may be among the generated inputs
        if call not in probes:
            probes += (call,)
        swapped.setdefault(probes.index(call), (i, asks))
    return probes, swapped


def _askable(
    ask: Ask | None, ambiguous: Policy, max_questions: int, replies: int
) -> TypeGuard[Ask]:
    """Whether a question can be put to someone: there is an ``ask``, the policy asks, and
    questions are left."""
    return ask is not None and ambiguous == "ask" and replies < max_questions


async def _judge(
    run: Run,
    engines: Sequence[Synthesizer],
    search: Search,
    checked: set[int],
    chosen: Trial,
) -> Ambiguity:
    """The behaviours that pass, and whether the pick survives the held-out check (once per
    number of examples: after an answer the new example is the one held out), or, for a
    language model's pick, whether a one-token change of it passes the examples too."""
    asked = run.asked()
    pool = passing(run.attempts)
    amb = analyse(pool, run.probes, run.spec.name, asked)
    n = len(run.spec.examples)
    if amb.ambiguous or n in checked:
        return amb
    checked.add(n)
    examples = [e.source for e in run.spec.examples]
    broken = None if run.preconditions else crash(pool, run.probes, run.spec.name, examples, asked)
    if broken is not None:
        return broken
    if not run.ordered:  # a model's body that says the order of an example's values matters
        run.ordered = True
        found = order_question(
            chosen, run.probes, run.swapped, run.spec.examples, run.spec.name, asked
        )
        if found is not None:
            return found
    if run.luck is not None:  # the body predicted the answers so far
        if run.luck <= LUCK:
            return amb
        why = f"its answers so far could agree by luck (chance {run.luck:.2f})"
        boundary = not any(edge(a.source.removesuffix(" is None")) for a in run.answered)
        found = confirmation(pool, run.probes, run.spec.name, asked, why, run.mutated, boundary)
        return found or amb
    held = await held_out(
        run.spec, engines, run.validate, run.attempts, search.end, answered=bool(run.answered)
    )
    if held is None:
        return await undecided(run, amb, chosen, asked)
    if held.unconfirmed:
        return confirmation(pool, run.probes, run.spec.name, asked, held.why, run.mutated) or amb
    run.attempts.extend(held.passing)
    run.seen.update(a.candidate.body.strip() for a in held.passing)
    if held.passing:
        amb = analyse(passing(run.attempts), run.probes, run.spec.name, asked)
    if held.rival is None or amb.ambiguous:
        return amb
    pool = passing(run.attempts)
    return judged(amb, pool, held.rival, run.probes, run.spec.name, held.index, asked)


def _outcome(
    run: Run,
    status: Status,
    picked: Trial | None,
    reason: str,
    rnd: int,
    amb: Ambiguity | None,
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
        tuple(run.answered),
        tuple(run.invalid.values()),
    )


def _success(
    run: Run,
    picked: Picked,
    rnd: int,
    amb: Ambiguity | None,
) -> Outcome:
    picked = from_heaviest(run.attempts, len(run.spec.examples), picked, amb)
    attempt, why, _ = picked
    if not run.spec.examples:
        reason = f"unverified: the docstring has no examples to check ({attempt.candidate.engine})"
        return _outcome(run, "unverified", attempt, reason, rnd, None)
    reason = f"{why} ({attempt.candidate.engine}, round {rnd})"
    if run.answered:
        told = "answer" if len(run.answered) == 1 else "answers"
        reason += f"; {len(run.answered)} {told} kept as examples"
    if run.invalid:
        calls = ", ".join(f"`{c}`" for c in run.invalid.values())
        reason += f"; not valid inputs by your answer: {calls}"
    if amb is not None and amb.ambiguous:
        return _outcome(run, "ambiguous", attempt, f"{reason}; {amb.summary}", rnd, amb)
    return _outcome(run, "verified", attempt, reason, rnd, amb)
