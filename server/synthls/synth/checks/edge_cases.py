"""Edge cases the examples never show: an example rewritten, where a model's body answers otherwise.

An example like ``right_angle_triangle(3, 4, 5) == True`` never shows whether the sides may come
in another order, and a 1.5B model wrote ``a**2 + b**2 == c**2`` for it: right on both examples,
wrong on ``right_angle_triangle(5, 4, 3)``. Likewise a docstring that names alternatives ("'.',
'?' or '!'") or values to ignore ("Ignore numbers that are not integers") says something examples
that use one of them never show. Such bodies have no rival sample or one-token change that passes
the examples, so nothing else finds the question.

One check over several input rewriters (``REWRITERS``), each a literal rewrite of the examples'
calls, asked about only where the examples' values are of a kind the rewrite should not change:

- ``swaps`` (``rewrites.two_values``): two of an example's values swapped; for verdicts (truth
  values, or the words for them: a relation, often symmetric; a function computing a value,
  ``a / b``, rarely is) it asks whether the order matters;
- ``ties`` (``rewrites.two_values``): two values made to tie; these only add probe inputs (a
  one-token change, ``<`` for ``<=``, differs there: ``synthls.synth.checks.one_token``);
- ``exchanges`` (``rewrites.alternatives``): one of the docstring's alternatives for another, for
  verdicts and counts;
- ``ignored`` (``rewrites.ignored``): a value added that the docstring says to ignore, for
  verdicts and counts.

Where the body's answer on a rewritten call differs from its example's, the question offers the
body's answer and the example's. An answer the body gave settles it; the example's answer goes back
to the model as a failing example. Asked once a session, only for language models' bodies, only
where someone can answer (like ``synthls.synth.checks.one_token``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from synthls.intent.model import Example, Spec
from synthls.synth.ambiguity import Ambiguity
from synthls.synth.answers import same_value
from synthls.synth.behaviour import RAISED
from synthls.synth.checks.base import Base
from synthls.synth.engine_protocol import Synthesizer, Trial
from synthls.synth.engines import language_model
from synthls.synth.question import Question
from synthls.synth.rewrites.alternatives import exchanges
from synthls.synth.rewrites.example_values import call_of, counts, example_value, verdicts
from synthls.synth.rewrites.ignored import ignored
from synthls.synth.rewrites.two_values import swaps, ties
from synthls.synth.session import Session
from synthls.synth.worth_asking import compact

ORDER = "does the order matter?"  # what a swap of an example's values asks

Rewrite = tuple[str, int, str]  # the call, the example it rewrites, what it asks


def _swaps(spec: Spec) -> list[Rewrite]:
    return [(call, i, ORDER) for call, i in swaps(spec)] if verdicts(spec.examples) else []


def _exchanges(spec: Spec) -> list[Rewrite]:
    if not counts(spec.examples):
        return []
    asks = "the docstring names {!r} or {!r}: does it matter which?"
    return [(call, i, asks.format(a, b)) for call, i, a, b in exchanges(spec)]


def _ignored(spec: Spec) -> list[Rewrite]:
    if not counts(spec.examples):
        return []
    asks = 'the docstring says "{}": does it change the answer?'
    return [(call, i, asks.format(clause)) for call, i, clause in ignored(spec)]


# the rewriters whose calls are asked about, in order: the first differing answer is asked
REWRITERS: tuple[Callable[[Spec], list[Rewrite]], ...] = (_swaps, _exchanges, _ignored)


def rewritten(
    spec: Spec, probes: tuple[str, ...]
) -> tuple[tuple[str, ...], dict[int, tuple[int, str]]]:
    """``probes`` with the examples' rewrites a model's body is challenged on: ties, then the
    ``REWRITERS``' calls (probe index -> the example it rewrites and what it asks)."""
    probes += tuple(call for call in ties(spec) if call not in probes)
    swapped: dict[int, tuple[int, str]] = {}
    for rewriter in REWRITERS:
        for call, i, asks in rewriter(spec):  # a rewrite may be among the generated inputs
            if call not in probes:
                probes += (call,)
            swapped.setdefault(probes.index(call), (i, asks))
    return probes, swapped


class EdgeCases(Base):
    """The rewrites' question, once a session, for a language model's body."""

    def __init__(self) -> None:
        self.swapped: dict[int, tuple[int, str]] = {}  # probe -> example rewritten, what it asks
        self.done = True  # nothing to ask until ``inputs`` adds rewrites

    def inputs(
        self, spec: Spec, probes: tuple[str, ...], engines: Sequence[Synthesizer], challenge: bool
    ) -> tuple[str, ...]:
        if not challenge or not any(language_model(e.name) for e in engines):
            return probes
        probes, self.swapped = rewritten(spec, probes)
        self.done = not self.swapped
        return probes

    def applies(self, session: Session, engines: Sequence[Synthesizer], chosen: Trial) -> bool:
        return not self.done

    async def doubt(
        self, session: Session, engines: Sequence[Synthesizer], chosen: Trial, amb: Ambiguity
    ) -> Ambiguity | None:
        self.done = True
        spec = session.spec
        return order_question(
            chosen, session.probes, self.swapped, spec.examples, spec.name, session.asked()
        )


def order_question(
    chosen: Trial,
    probes: tuple[str, ...],
    swapped: Mapping[int, tuple[int, str]],
    examples: tuple[Example, ...],
    function: str,
    asked: Collection[str] = (),
) -> Ambiguity | None:
    """The question at the first rewritten call (``swapped``: probe index → the example it
    rewrites and what the rewrite asks, ``ORDER`` for a swap) where ``chosen``, a language
    model's body, answers other than that example; None when it answers every rewrite as the
    examples do, raises there, or is another engine's. Which examples a rewrite is asked about
    (``verdicts``, ``counts``) is the caller's choice."""
    if not language_model(chosen.candidate.engine):
        return None
    skip = {compact(c) for c in asked}
    got = chosen.result.probes
    for j, (i, asks) in sorted(swapped.items()):
        if j >= len(got) or j >= len(probes) or i >= len(examples):
            continue
        value = example_value(examples[i])
        answer = got[j]
        if value is None or answer is None or answer == RAISED or compact(probes[j]) in skip:
            continue
        if same_value(answer, value):
            continue
        mirrors = f"`{examples[i].source.strip()}` gives {value}"
        if value != examples[i].want.strip():  # an ``f(x) == v`` example: its call gives v
            mirrors = f"`{call_of(examples[i])}` gives {value}"
        context = f"{mirrors}; {asks}"
        question = Question(function, probes[j], (answer, value), 1, j, "edge-case", context)
        summary = (
            f"the examples do not settle it ({asks}): {mirrors}, the body says "
            f"`{probes[j]}` gives {answer}"
        )
        return Ambiguity(1, 1.0, question, summary)
    return None
