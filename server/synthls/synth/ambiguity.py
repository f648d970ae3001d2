"""How many different programs pass the examples, and the one question that tells them apart.

Passing two or three examples proves little when many different programs pass them too. After
the search, the example-passing candidates are grouped by **behaviour** (``synthls.synth.behaviour``:
their results on the generated inputs most of them accept, weighed by their candidates).

One behaviour carrying at least ``DOMINANCE`` of the weight is the answer ("verified"). When all
the weight is a search's plausibility (engines that vote once per behaviour), weights are priors,
not votes, and the bar is ``PRIOR_DOMINANCE``: a rival one cost unit dearer (weight ratio 2, a
share of 0.67) is a near-tie, not a dominated alternative. Below the bar the examples are
ambiguous, and the question to ask is the valid input whose answers split the behaviours best:
the highest entropy of the answers' weights (ties: the fewest degenerate arguments, then the call
closest to the examples' size, then the shorter), never a call the examples (or earlier answers)
already settle. The user's answer is kept (``synthls.synth.answers``):
behaviours that give another answer drop out.

When one behaviour passes but no example could confirm it (``synthls.synth.checks.held_out``: every
result repeats another's), the question is a **confirmation**: the valid input on which the
body's answer is its rarest (a surprising prediction tests more than a common one), with the
body's answer as the choice (and the other truth value for a predicate). It avoids calls that
repeat an example's argument up to order (``worth_asking.echoes``): a body fitted to
``[1, 2, 3, 2, 4]`` keeps fitting ``[4, 2, 3, 2, 1]``, so that answer would confirm nothing. For
the same reason it is asked at one of the random draws of the generated inputs, not at a
mutation of an example, where one is left (a body fitted to an example's duplicate ``2`` keeps
fitting the example's mutations, which keep the 2). A confirmation after an answer, while no
answer was at a boundary case, is asked at one (``boundary``): a body fitted to typical
inputs shows at the boundary (``informative``).

An answer confirms the body that gave it only as far as a wrong body would not have given it by
luck (``chance``: the share of the body's answers on the valid inputs that are this one, but at
least ``WRONG_AGREES``: a wrong body that fits the examples is mostly right, and gives the right
answer on many inputs, whatever rivals the answer ruled out), so ``synthls.synth.loop`` asks
again until the chances of the answers it predicted, multiplied, are at most ``LUCK``: two
answers for a body whose results vary, three or four for a predicate that says True half the
time (a truth value is one bit). Questions of both kinds avoid degenerate inputs and prefer calls
about the examples' size (``synthls.synth.worth_asking``).

The other doubts a passing body can raise are the checks of ``synthls.synth.checks``; this module
is the analysis they share.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from synthls.synth.behaviour import RAISED, behaviours, pool_valid_inputs, signature
from synthls.synth.engine_protocol import Trial
from synthls.synth.engines import votes_once_per_behaviour
from synthls.synth.question import EDGES, MAX_CHOICES, Question
from synthls.synth.worth_asking import compact, degenerate, echoes, edge, size_rank, typical

__all__ = ["RAISED", "Ambiguity", "Question", "analyse", "behaviours", "chance", "confirmation"]

DOMINANCE = 0.6  # the top behaviour's weight share that makes it the answer (tuned: docs/design.md)
PRIOR_DOMINANCE = 0.75  # the same when every weight is a search's plausibility prior
LUCK = 0.1  # answers confirm a body once the chance it predicted them all by luck is this or less
# A wrong body that fits the examples is mostly right: on most random inputs it gives the right
# answer, and most wrong bodies came through an answer that split behaviours (docs/benchmarks.md).
# So an answer a body predicted is worth at most this factor, however rare the answer is among
# its results and whatever rivals it beat: two answers at least confirm a body.
WRONG_AGREES = 0.3


@dataclass(frozen=True)
class Ambiguity:
    behaviours: int  # distinct behaviours among the example-passing candidates
    dominant_share: float  # weight share of the top behaviour (0..1)
    question: Question | None  # the input that splits them best; None when nothing to ask
    summary: str  # "3 different behaviours also pass; they disagree on `f(2, 4)`: 0.5 / -1.0"
    threshold: float = DOMINANCE  # the share that makes the top behaviour the answer

    @property
    def fitted(self) -> bool:
        """A check doubts the body (its question is not a split of passing behaviours)."""
        return self.question is not None and self.question.kind != "split"

    @property
    def edge(self) -> bool:
        """The question is about an edge the examples leave open (``question.EDGES``)."""
        return self.question is not None and self.question.kind in EDGES

    @property
    def ambiguous(self) -> bool:
        return self.question is not None and (self.fitted or self.dominant_share < self.threshold)


def valid_inputs(pool: Sequence[Trial]) -> list[int]:
    """Inputs on which candidates holding at least half of the weight return a value."""
    return pool_valid_inputs(pool)


def analyse(
    pool: Sequence[Trial], probes: Sequence[str], function: str, asked: Collection[str] = ()
) -> Ambiguity:
    """The behaviours of ``pool`` (candidates that pass every example) on ``probes``; no
    question is about a call in ``asked`` (the examples' sources)."""
    groups = behaviours(pool)
    threshold = _threshold(pool)
    if not groups:
        return Ambiguity(0, 0.0, None, "no candidate passes the examples", threshold=threshold)
    total = sum(w for _, w, _ in groups) or 1.0
    share = groups[0][1] / total
    if len(groups) == 1:
        return Ambiguity(1, 1.0, None, "no other behaviour passes the examples")
    valid = valid_inputs(pool)
    question = _best_question(groups, valid, probes, function, _normal(asked))
    others = len(groups) - 1
    plural = "behaviour also passes" if others == 1 else "different behaviours also pass"
    summary = f"{others} {plural}"
    if question is not None:
        summary += f"; they disagree on `{question.call}`: {' / '.join(question.choices)}"
    summary += f" (the most likely has {share:.0%} of the weight)"
    return Ambiguity(len(groups), share, question, summary, threshold=threshold)


def confirmation(
    pool: Sequence[Trial],
    probes: Sequence[str],
    function: str,
    asked: Collection[str] = (),
    why: str = "",
    mutated: int = 0,
    boundary: bool = False,
) -> Ambiguity | None:
    """The confirmation question for the top behaviour of ``pool``, which no example could
    confirm: its answer on a valid input drawn at random (not one of the first ``mutated``
    probes, mutations of the examples, where one is left), where that answer is rarest (ties:
    the shorter call); with ``boundary``, at a boundary case (``worth_asking.edge``) where one
    is valid. None when it gives no answer worth asking about."""
    groups = behaviours(pool)
    if not groups:
        return None
    sig, _, _ = groups[0]
    valid = valid_inputs(pool)
    skip = _normal(asked)
    seen = [(sig[k], j) for k, j in enumerate(valid) if j < len(probes) and sig[k] != RAISED]
    seen = [(a, j) for a, j in seen if _normal([probes[j]]).isdisjoint(skip)]
    if not seen:
        return None
    counts: dict[str, int] = {}
    for a, _ in seen:
        counts[a] = counts.get(a, 0) + 1
    usual = typical(skip)

    def rank(aj: tuple[str, int]) -> tuple[int, bool, int, int, int, int, int]:
        call = probes[aj[1]]
        fresh = echoes(call, asked)
        first = -edge(call) if boundary else 0
        return (
            first,
            aj[1] < mutated,
            fresh,
            degenerate(call),
            counts[aj[0]],
            *size_rank(call, usual),
        )

    answer, j = min(seen, key=rank)
    other = {"True": "False", "False": "True"}.get(answer)
    choices = (answer,) if other is None else (answer, other)
    question = Question(function, probes[j], choices, len(groups), j, kind="confirm")
    summary = (
        f"no example confirmed the body ({why or 'none was held out'}); it says "
        f"`{probes[j]}` gives {answer}"
    )
    return Ambiguity(len(groups), 1.0, question, summary)


def chance(pool: Sequence[Trial], trial: Trial, index: int) -> float:
    """How likely a wrong body gives ``trial``'s answer at input ``index`` by luck: the share
    of ``trial``'s answers on ``pool``'s valid inputs that equal it, but at least
    ``WRONG_AGREES`` (1.0: not known)."""
    sig = signature(trial.result)
    if index < 0 or index >= len(sig) or sig[index] == RAISED:
        return 1.0
    answers = [sig[j] for j in valid_inputs(pool) if j < len(sig) and sig[j] != RAISED]
    share = answers.count(sig[index]) / len(answers) if sig[index] in answers else 1.0
    return max(share, WRONG_AGREES)


def _threshold(pool: Sequence[Trial]) -> float:
    """PRIOR_DOMINANCE when every candidate's weight is a search's plausibility prior."""
    engines = {t.candidate.engine for t in pool}
    if engines and all(votes_once_per_behaviour(e) for e in engines):
        return PRIOR_DOMINANCE
    return DOMINANCE


def _normal(calls: Iterable[str]) -> set[str]:
    """Calls compared without spaces (``f(1, 2)`` and ``f(1,2)`` are one question)."""
    return {compact(c) for c in calls}


def _best_question(
    groups: list[tuple[tuple[str, ...], float, list[int]]],
    valid: list[int],
    probes: Sequence[str],
    function: str,
    skip: Collection[str] = frozenset(),
) -> Question | None:
    best: tuple[tuple[float, ...], int, dict[str, float]] | None = None
    usual = typical(skip)
    for k, j in enumerate(valid):
        if j >= len(probes) or compact(probes[j]) in skip:
            continue
        answers: dict[str, float] = {}
        for sig, weight, _ in groups:
            answers[sig[k]] = answers.get(sig[k], 0.0) + weight
        values = [a for a in answers if a != RAISED]
        if len(answers) < 2 or not values:
            continue
        size = size_rank(probes[j], usual)
        split = round(_entropy(answers.values()), 9)
        key = (float(len(values) >= 2), split, -degenerate(probes[j]), -size[0], -size[1])
        if best is None or key > best[0]:
            best = (key, j, answers)
    if best is None:
        return None
    _, j, answers = best
    ranked = sorted((a for a in answers if a != RAISED), key=lambda a: -answers[a])
    return Question(function, probes[j], tuple(ranked[:MAX_CHOICES]), len(groups), j)


def _entropy(weights: Iterable[float]) -> float:
    ws = list(weights)
    total = sum(ws)
    return -sum(w / total * math.log(w / total) for w in ws if w > 0) if total else 0.0
