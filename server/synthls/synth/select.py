"""Choose the candidate that goes into the buffer, and say why.

Deterministic, explainable and fast (pure Python; the sandbox runs happen before):

1. rank by the number of the user's examples passed;
2. among the best, group candidates by behaviour on generated inputs
   (``synthls.synth.inputs``) and prefer the behaviour most candidates share: independent
   samples that agree are rarely wrong in the same way (the AlphaCode/CodeT agreement idea,
   with the user's examples in place of a second model's tests);
3. break ties by the number of best candidates with exactly the same behaviour, then by the
   number of best candidates that also behave the same on the ignored inputs, then by the
   support of candidates that pass fewer examples, then by simplicity (fewer statements,
   shorter source), then by order of arrival.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from synthls.sandbox.types import RunResult
from synthls.synth.base import Trial

_RAISED = "\x00raised"  # stands for "raised or did not run" in a behaviour signature


@dataclass(frozen=True)
class Choice:
    scored: Trial
    reason: str  # "passes 3/3 examples; agrees with 61 of 100 candidates on 24 generated inputs"
    ranking: tuple[Trial, ...]  # all, best first


def choose(scored: Sequence[Trial], n_examples: int) -> Choice | None:
    """The best usable candidate with the reason it won, or ``None`` when none is usable."""
    usable = [i for i, s in enumerate(scored) if _usable(s)]
    if not usable:
        return None
    passed = {i: scored[i].result.passed for i in usable}
    best = max(passed.values())
    top = [i for i in usable if passed[i] == best]
    signatures = {i: _signature(scored[i].result) for i in usable}
    valid = _valid_inputs([signatures[i] for i in top])
    sigs = {i: tuple(signatures[i][j] for j in valid) for i in usable}
    weight = {i: max(float(scored[i].candidate.weight), 0.0) for i in usable}
    peers = _groups((sigs[i], weight[i]) for i in top)
    whole = _groups((signatures[i], weight[i]) for i in top)
    lower = _groups((sigs[i], (1 + passed[i]) / (1 + best)) for i in usable if passed[i] < best)
    ranks = {
        i: (
            -round(_support(sigs[i], peers) - weight[i], 9),
            -peers[sigs[i]],
            -whole[signatures[i]],
            -round(_support(sigs[i], lower), 9),
        )
        for i in top
    }
    simple = {i: _simplicity(scored[i].candidate.body) for i in usable}

    def key(i: int) -> tuple[float, ...]:
        return (-passed[i], *ranks.get(i, (0.0, 0.0, 0.0, 0.0)), *simple[i], i)

    order = sorted(usable, key=key) + [i for i in range(len(scored)) if i not in passed]
    winner = order[0]
    same = sum(1 for i in usable if sigs[i] == sigs[winner])
    reason = _reason(best, n_examples, same, len(scored), len(valid), len(signatures[winner]))
    return Choice(scored[winner], reason, tuple(scored[i] for i in order))


def _groups(items: Iterable[tuple[tuple[str, ...], float]]) -> dict[tuple[str, ...], float]:
    """Total weight per behaviour signature."""
    out: dict[tuple[str, ...], float] = {}
    for sig, weight in items:
        out[sig] = out.get(sig, 0.0) + weight
    return out


def _usable(s: Trial) -> bool:
    return not s.candidate.note and s.result.status != "setup_error"


def _signature(result: RunResult) -> tuple[str, ...]:
    if result.status != "ok" and not result.probes:
        return ()
    return tuple(_RAISED if p is None else p for p in result.probes)


def _valid_inputs(top_signatures: list[tuple[str, ...]]) -> list[int]:
    """Inputs on which at least half of the best candidates return a value."""
    width = max((len(s) for s in top_signatures), default=0)
    valid = []
    for j in range(width):
        returned = sum(1 for s in top_signatures if j < len(s) and s[j] != _RAISED)
        if 2 * returned >= len(top_signatures):
            valid.append(j)
    return valid


def _support(mine: tuple[str, ...], groups: dict[tuple[str, ...], float]) -> float:
    """Sum over candidates (grouped by behaviour) of (share of inputs agreed on) x weight."""
    if not mine:
        return groups.get(mine, 0.0)
    total = 0.0
    for theirs, weight in groups.items():
        if len(theirs) == len(mine):
            total += weight * sum(1 for a, b in zip(mine, theirs) if a == b) / len(mine)
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
