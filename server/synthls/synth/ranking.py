"""The ranking of trials: which one is picked, why, and in what order the rest come.

``pick`` is what the loop calls: among the trials that pass every example (``passes``; with no
examples, those that run cleanly), with the spellings of one behaviour from an engine that votes
once per behaviour reduced to the heaviest (``one_per_behaviour``), it keeps the first survivor
of an earlier ranking or else asks ``choose``; ``from_heaviest`` moves the pick into the heaviest
behaviour when the verdict is about it. ``rank`` orders failures (for feedback and reports).

``choose`` is deterministic, explainable and fast (pure Python; the sandbox runs happen before):

1. rank by the number of the user's examples passed;
2. among the best, group candidates by behaviour on generated inputs
   (``synthls.synth.inputs``) and prefer the behaviour most candidates share: independent
   samples that agree are rarely wrong in the same way (the AlphaCode/CodeT agreement idea,
   with the user's examples in place of a second model's tests);
3. break ties by the number of best candidates with exactly the same behaviour, then by the
   number of best candidates that also behave the same on the ignored inputs, then by the
   support of candidates that pass fewer examples, then by simplicity (fewer statements,
   shorter source), then by order of arrival.

When every best candidate comes from an engine that votes once per behaviour (the enumerative
search), steps 2 and 3 give way to its plausibility weights: they are priors, not votes, so the
most plausible program comes first, then simplicity and order.

Details that matter:

* an input that most of the best candidates crash on is taken as outside the function's
  domain and ignored, so a candidate is not punished for refusing garbage;
* a candidate's support is not all-or-nothing: it earns, from every other best candidate, the
  share of valid inputs on which both give the same result, so candidates that differ on one
  odd input still back each other. Votes from candidates that pass fewer examples only break
  ties (they are wrong somewhere, so agreeing with them is weak evidence);
* crashing is a behaviour like any other, compared like a value;
* when candidates agree on every valid input, the one that also handles the ignored inputs
  (raising, returning a default) the way most of the best candidates do is the most typical
  sample, so it wins over a merely shorter one: a body that departs from the common answer
  even on inputs outside the domain more often departs from the intended rule elsewhere too.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from synthls.synth.ambiguity import Ambiguity
from synthls.synth.behaviour import behaviours, on_inputs, signature, totals, valid_inputs, weight
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.engines import votes_once_per_behaviour


@dataclass(frozen=True)
class Choice:
    scored: Trial
    reason: str  # "passes 3/3 examples; agrees with 61 of 100 candidates on 24 generated inputs"
    ranking: tuple[Trial, ...]  # all, best first


Picked = tuple[Trial, str, tuple[Candidate, ...]]  # the trial, why, the whole ranking


def rank(t: Trial) -> tuple[int, bool, int]:
    """The order of failures (best first): more examples passed, then no note, then shorter."""
    return (-t.result.passed, bool(t.candidate.note), len(t.candidate.body))


def usable(t: Trial) -> bool:
    """Whether ``t`` is ranked at all: it parsed (no note) and its module loaded. A run that
    timed out, ran out of memory or crashed still ranks by the examples it passed."""
    return not t.candidate.note and t.result.status != "setup_error"


def passes(t: Trial, n: int) -> bool:
    """Whether ``t`` may be picked with ``n`` examples: it passes every one; with none, its run
    ended cleanly (status ok), since nothing else vouches for it."""
    return t.result.all_passed if n else usable(t) and t.result.status == "ok"


def passing(trials: Sequence[Trial]) -> list[Trial]:
    return [t for t in trials if t.result.all_passed]


def pick(trials: Sequence[Trial], n: int, prior: Sequence[Candidate] = ()) -> Picked | None:
    """The chosen trial, why, and the ranking, among those that ``passes`` with ``n`` examples.

    ``prior`` is the ranking from before the user answered: the first candidate of it that still
    passes every example wins, so the agreement of candidates an answer ruled out still counts
    among the ones it kept.
    """
    pool = one_per_behaviour([t for t in trials if passes(t, n)])
    if not pool:
        return None
    kept = {(t.candidate.body, t.candidate.engine): t for t in pool}
    for cand in prior:
        survivor = kept.get((cand.body, cand.engine))
        if survivor is not None:
            why = (
                f"passes {n}/{n} examples; the first of the earlier ranking that gives the answers"
            )
            return survivor, why, tuple(prior)
    choice = choose(pool, n)
    if choice is None:
        return None
    return choice.scored, choice.reason, tuple(s.candidate for s in choice.ranking)


def one_per_behaviour(trials: list[Trial]) -> list[Trial]:
    """Keep the heaviest (then simplest) candidate per behaviour of each engine that votes once
    per behaviour (``synthls.synth.engines.votes_once_per_behaviour``).

    An enumerative engine's programs are not independent samples: ten spellings of one program
    must not outvote another program. Independent (model) samples keep their votes.
    """
    best: dict[tuple[object, ...], Trial] = {}

    def order(t: Trial) -> tuple[float, int, int]:
        body = t.candidate.body
        return (-t.candidate.weight, len(body.splitlines()), len(body))

    once = {e for e in {t.candidate.engine for t in trials} if votes_once_per_behaviour(e)}
    for t in trials:
        if t.candidate.engine not in once:
            continue
        examples = tuple((r.status, r.got) for r in t.result.examples)
        key = (t.candidate.engine, examples, t.result.probes)
        kept = best.get(key)
        if kept is None or order(t) < order(kept):
            best[key] = t
    keep = {id(t) for t in best.values()}
    return [t for t in trials if t.candidate.engine not in once or id(t) in keep]


def from_heaviest(trials: Sequence[Trial], n: int, picked: Picked, amb: Ambiguity | None) -> Picked:
    """The pick, from the heaviest behaviour when the verdict is about it.

    "Verified" says one behaviour carries the weight; the body inserted must be of that
    behaviour, not a candidate that merely agrees in part with many. The same holds, even when
    ambiguous, for a pool of candidates from engines that vote once per behaviour: their weights
    are the engines' plausibility, so the heaviest behaviour is the best guess (model samples
    keep the agreement ranking there).
    """
    if amb is None:
        return picked
    pool = passing(trials)
    groups = behaviours(pool)
    searched_only = all(votes_once_per_behaviour(t.candidate.engine) for t in pool)
    if not groups or (amb.ambiguous and not searched_only):
        return picked
    if len(groups) > 1 and groups[0][1] == groups[1][1]:
        return picked  # a tie: no behaviour is heavier
    top = {id(pool[i].candidate) for i in groups[0][2]}
    if id(picked[0].candidate) in top:
        return picked
    better = pick([t for t in trials if id(t.candidate) in top], n)
    return better if better is not None else picked


def choose(scored: Sequence[Trial], n_examples: int) -> Choice | None:
    """The best ``usable`` candidate with the reason it won, or ``None`` when none is usable."""
    ok = [i for i, s in enumerate(scored) if usable(s)]
    if not ok:
        return None
    passed = {i: scored[i].result.passed for i in ok}
    best = max(passed.values())
    top = [i for i in ok if passed[i] == best]
    signatures = {i: signature(scored[i].result) for i in ok}
    valid = valid_inputs([signatures[i] for i in top])  # each best candidate counts once here
    sigs = {i: on_inputs(signatures[i], valid) for i in ok}
    weights = {i: weight(scored[i]) for i in ok}
    peers = totals((sigs[i], weights[i]) for i in top)
    whole = totals((signatures[i], weights[i]) for i in top)
    lower = totals((sigs[i], (1 + passed[i]) / (1 + best)) for i in ok if passed[i] < best)
    if all(votes_once_per_behaviour(scored[i].candidate.engine) for i in top):
        # a search's weights are its priors, not votes: agreeing with a likelier program lends
        # a less likely one nothing, and the most plausible program comes first
        ranks = {i: (-weights[i], 0.0, 0.0, 0.0) for i in top}
    else:
        ranks = {
            i: (
                -round(_support(sigs[i], peers) - weights[i], 9),
                -peers[sigs[i]],
                -whole[signatures[i]],
                -round(_support(sigs[i], lower), 9),
            )
            for i in top
        }
    simple = {i: _simplicity(scored[i].candidate.body) for i in ok}

    def key(i: int) -> tuple[float, ...]:
        return (-passed[i], *ranks.get(i, (0.0, 0.0, 0.0, 0.0)), *simple[i], i)

    order = sorted(ok, key=key) + [i for i in range(len(scored)) if i not in passed]
    winner = order[0]
    same = sum(1 for i in ok if sigs[i] == sigs[winner])
    reason = _reason(best, n_examples, same, len(scored), len(valid), len(signatures[winner]))
    return Choice(scored[winner], reason, tuple(scored[i] for i in order))


def _support(mine: tuple[str, ...], groups: dict[tuple[str, ...], float]) -> float:
    """Sum over candidates (grouped by behaviour) of (share of inputs agreed on) x weight."""
    if not mine:
        return groups.get(mine, 0.0)
    total = 0.0
    for theirs, w in groups.items():
        if len(theirs) == len(mine):
            total += w * sum(1 for a, b in zip(mine, theirs) if a == b) / len(mine)
    return total


def _simplicity(body: str) -> tuple[int, int]:
    """(statements, characters): fewer is simpler; unparsable bodies count as complex."""
    try:
        tree = ast.parse(body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return (1 << 20, len(body))
    statements = sum(1 for node in ast.walk(tree) if isinstance(node, ast.stmt))
    return (statements, len("".join(body.split())))


def _reason(best: int, n_examples: int, same: int, n: int, n_valid: int, n_inputs: int) -> str:
    head = f"passes {best}/{n_examples} examples" if n_examples else "no examples to check"
    if n_inputs == 0:
        return f"{head}; no generated inputs to compare candidates on"
    if n_valid == 0:
        return f"{head}; most candidates raise on all {n_inputs} generated inputs"
    return f"{head}; agrees with {same} of {n} candidates on {n_valid} generated inputs"
