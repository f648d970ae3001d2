"""What a candidate does: its behaviour on the generated probe inputs, one definition for all.

A candidate's **signature** is its result on every probe input, in order (``RAISED`` where the
probe raised, timed out or did not run: raising is a result like any other). The **valid
inputs** of a group of candidates are the probes on which candidates holding at least half of
their weight return a value: an input most of them refuse is taken as outside the function's
domain, so a candidate is not told apart (or punished) for refusing garbage. A **behaviour** is
a signature on the valid inputs; its **weight** is what its candidates weigh: independent model
samples add up (agreement counts), the spellings of one program from an engine that votes once
per behaviour (the enumerative search) do not (the heaviest one counts).

The ranking (``synthls.synth.ranking``) and the questions (``synthls.synth.ambiguity`` and the
checks) both read behaviour through this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from synthls.sandbox.types import RunResult
from synthls.synth.engine_protocol import Trial
from synthls.synth.engines import votes_once_per_behaviour

RAISED = "\x00raised"  # a probe that raised, timed out or did not run

Signature = tuple[str, ...]
Behaviour = tuple[Signature, float, list[int]]  # signature on the valid inputs, weight, members


def signature(result: RunResult) -> Signature:
    """The result on every probe input, ``RAISED`` where there is none."""
    return tuple(RAISED if p is None else p for p in result.probes)


def weight(trial: Trial) -> float:
    """A candidate's weight (never negative)."""
    return max(float(trial.candidate.weight), 0.0)


def valid_inputs(
    signatures: Sequence[Signature], weights: Sequence[float] | None = None
) -> list[int]:
    """The inputs on which candidates holding at least half of the weight (each weighs 1 when
    ``weights`` is None) return a value."""
    ws = [1.0] * len(signatures) if weights is None else list(weights)
    total = sum(ws)
    width = max((len(s) for s in signatures), default=0)
    valid = []
    for j in range(width):
        returned = sum(w for s, w in zip(signatures, ws) if j < len(s) and s[j] != RAISED)
        if total > 0 and 2 * returned >= total:
            valid.append(j)
    return valid


def on_inputs(sig: Signature, inputs: Sequence[int]) -> Signature:
    """``sig`` restricted to ``inputs`` (``RAISED`` past its end)."""
    return tuple(sig[j] if j < len(sig) else RAISED for j in inputs)


def totals(items: Iterable[tuple[Signature, float]]) -> dict[Signature, float]:
    """Total weight per signature."""
    out: dict[Signature, float] = {}
    for sig, w in items:
        out[sig] = out.get(sig, 0.0) + w
    return out


def pool_valid_inputs(pool: Sequence[Trial]) -> list[int]:
    """``valid_inputs`` of ``pool``'s candidates, by their weights."""
    return valid_inputs([signature(t.result) for t in pool], [weight(t) for t in pool])


def behaviours(pool: Sequence[Trial]) -> list[Behaviour]:
    """(signature on the valid inputs, weight, members) per behaviour, heaviest first."""
    valid = pool_valid_inputs(pool)
    groups: dict[Signature, list[int]] = {}
    for i, t in enumerate(pool):
        groups.setdefault(on_inputs(signature(t.result), valid), []).append(i)
    out = [(sig, _weight(pool, members), members) for sig, members in groups.items()]
    out.sort(key=lambda g: (-g[1], g[2][0]))
    return out


def _weight(pool: Sequence[Trial], members: list[int]) -> float:
    """Samples add up; the spellings of one behaviour from an engine that votes once per
    behaviour (the enumerative search) count once (max)."""
    by_engine: dict[str, list[float]] = {}
    for i in members:
        by_engine.setdefault(pool[i].candidate.engine, []).append(weight(pool[i]))
    return sum(max(ws) if votes_once_per_behaviour(e) else sum(ws) for e, ws in by_engine.items())
