"""The attempts of one synthesis request: which to pick, which to feed back, how to report.

Pure functions over ``Trial`` (a candidate and its sandbox result), shared by the loop's rounds:
``pick`` chooses among the attempts that pass every example (``synthls.synth.select``), with the
enumerative engine's spellings of one behaviour reduced to the heaviest; ``feedback_from`` gives
the best few failures back to the engines; ``failure_reason`` and ``progress_line`` say what
happened in words.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from synthls.synth.ambiguity import Ambiguity, behaviours
from synthls.synth.base import Candidate, Trial
from synthls.synth.engines import votes_once_per_behaviour
from synthls.synth.select import choose

FEEDBACK_SIZE = 3  # candidates sent back per round


def rank(a: Trial) -> tuple[int, bool, int]:
    return (-a.result.passed, bool(a.candidate.note), len(a.candidate.body))


def parses(body: str) -> str | None:
    """None when ``body`` parses as function statements, else the reason."""
    try:
        ast.parse("def _f():\n" + "\n".join("    " + ln for ln in body.splitlines()))
    except SyntaxError as exc:
        return f"does not parse: {exc.msg} (line {exc.lineno})"
    return None


def usable(a: Trial) -> bool:
    return not a.candidate.note and a.result.status == "ok"


def one_per_behaviour(attempts: list[Trial]) -> list[Trial]:
    """Keep the heaviest (then simplest) candidate per behaviour of each engine that votes once
    per behaviour (``synthls.synth.engines.votes_once_per_behaviour``).

    An enumerative engine's programs are not independent samples: ten spellings of one program
    must not outvote another program. Independent (model) samples keep their votes.
    """
    best: dict[tuple[object, ...], Trial] = {}

    def rank(a: Trial) -> tuple[float, int, int]:
        body = a.candidate.body
        return (-a.candidate.weight, len(body.splitlines()), len(body))

    once = {e for e in {a.candidate.engine for a in attempts} if votes_once_per_behaviour(e)}
    for a in attempts:
        if a.candidate.engine not in once:
            continue
        examples = tuple((r.status, r.got) for r in a.result.examples)
        key = (a.candidate.engine, examples, a.result.probes)
        kept = best.get(key)
        if kept is None or rank(a) < rank(kept):
            best[key] = a
    keep = {id(a) for a in best.values()}
    return [a for a in attempts if a.candidate.engine not in once or id(a) in keep]


Picked = tuple["Trial", str, tuple[Candidate, ...]]  # the attempt, why, the whole ranking


def pick(attempts: Sequence[Trial], n: int, prior: Sequence[Candidate] = ()) -> Picked | None:
    """The chosen attempt, why, and the ranking: among those passing every example (or, with no
    examples, among those that load and run).

    ``prior`` is the ranking from before the user answered: the first candidate of it that still
    passes every example wins, so the agreement of candidates an answer ruled out still counts
    among the ones it kept.
    """
    pool = one_per_behaviour([a for a in attempts if (a.result.all_passed if n else usable(a))])
    if not pool:
        return None
    kept = {(a.candidate.body, a.candidate.engine): a for a in pool}
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
    ranking = tuple(s.candidate for s in choice.ranking)
    return choice.scored, choice.reason, ranking


def feedback_from(attempts: Sequence[Trial]) -> list[Trial]:
    ranked = sorted(attempts, key=rank)
    out: list[Trial] = []
    bodies: set[str] = set()
    for a in ranked:
        if a.candidate.body.strip() not in bodies:
            bodies.add(a.candidate.body.strip())
            out.append(a)
        if len(out) == FEEDBACK_SIZE:
            break
    return out


def failure_reason(
    attempts: Sequence[Trial],
    engine_errors: dict[str, str],
    n: int,
    timed_out: bool,
    deadline: float,
) -> str:
    errors = [f"{name}: {text}" for name, text in engine_errors.items()]
    if len(engine_errors) == 1 and not attempts:
        errors = list(engine_errors.values())
    late = f" within the deadline ({deadline:g}s)" if timed_out else ""
    best = min(attempts, key=rank) if attempts else None
    if best is None:
        head = "; ".join(errors) if errors else f"no engine proposed a candidate{late}"
        return head
    if n:
        head = f"no candidate passes every example{late} (best passes {best.result.passed} of {n})"
    else:
        head = f"no usable candidate{late}"
    if best.candidate.note:
        head += f"; e.g. {best.candidate.engine}: {best.candidate.note}"
    return "; ".join([head, *errors])


def progress_line(
    rnd: int, rounds: int, engine_errors: dict[str, str], new: Sequence[Trial], n: int
) -> str:
    if not new:
        why = "; ".join(engine_errors.values()) or "no new candidates"
        return f"round {rnd} of {rounds}: {why}"
    best = min(new, key=rank)
    return f"round {rnd} of {rounds}: best candidate passes {best.result.passed} of {n} examples"


def passing(attempts: Sequence[Trial]) -> list[Trial]:
    return [a for a in attempts if a.result.all_passed]


def from_heaviest(
    attempts: Sequence[Trial], n: int, picked: Picked, amb: Ambiguity | None
) -> Picked:
    """The pick, from the heaviest behaviour when the verdict is about it.

    "Verified" says one behaviour carries the weight; the body inserted must be of that
    behaviour, not a candidate that merely agrees in part with many. The same holds, even when
    ambiguous, for a pool of candidates from engines that vote once per behaviour: their weights
    are the engines' plausibility, so the heaviest behaviour is the best guess (model samples
    keep the agreement ranking there).
    """
    if amb is None:
        return picked
    pool = passing(attempts)
    groups = behaviours(pool)
    searched_only = all(votes_once_per_behaviour(s.candidate.engine) for s in pool)
    if not groups or (amb.ambiguous and not searched_only):
        return picked
    if len(groups) > 1 and groups[0][1] == groups[1][1]:
        return picked  # a tie: no behaviour is heavier
    top = {id(pool[i].candidate) for i in groups[0][2]}
    if id(picked[0].candidate) in top:
        return picked
    members = [a for a in attempts if id(a.candidate) in top]
    better = pick(members, n)
    return better if better is not None else picked
