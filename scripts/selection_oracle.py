"""A simulated user for ``bench_selection.py --oracle-answers K`` (the TiCoder protocol).

Per task, the samples' sandbox results (the docstring's examples and the generated inputs) go
through what the product does: ``synthls.synth.ambiguity.analyse`` groups the example-passing
samples by behaviour; when no behaviour carries ``dominance`` of them, the question is the
generated input that splits them best and the user answers with the canonical solution's result
there. The answer becomes an example (``answer_example`` / ``with_answer``), so the samples that
disagree with it now fail one example, and the selection is the first sample of the ranking from
before the answers that passes them all (as the loop does, ``synthls.synth.ranking.pick``).
Up to K questions; a task
whose selection is not ambiguous is asked nothing more. Where the canonical solution raises on
the asked input the user says "not a valid input" (``answers.INVALID``, what the loop does with
it: the input is ruled out, ``answers.outside``) and the next question is about another input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from synthls.sandbox.types import RunResult
from synthls.synth.ambiguity import DOMINANCE, analyse
from synthls.synth.answers import answer_example, outside, with_answer
from synthls.synth.engine_protocol import Candidate, Trial
from synthls.synth.ranking import choose


@dataclass(frozen=True)
class Simulated:
    correct: tuple[bool, ...]  # the selection's hidden-test verdict after 0, 1, ..., K answers
    ambiguous: bool  # whether the selection with no answer was ambiguous
    verified: bool  # with no answer: some sample passes the examples and it is not ambiguous
    asked: int  # questions answered
    share: float  # the dominant behaviour's share with no answer (1.0: one behaviour)


def simulate(
    bodies: Sequence[str],
    results: Sequence[RunResult],
    ok: Sequence[bool],
    n_examples: int,
    probes: Sequence[str],
    canonical: Sequence[str | None] | None,
    entry: str,
    k: int,
    dominance: float = DOMINANCE,
) -> Simulated:
    current = list(results)
    n = n_examples
    correct: list[bool] = []
    ambiguous0, verified0, share0, asked = False, False, 1.0, 0
    invalid: dict[int, str] = {}
    initial = [Trial(Candidate(b, "sample"), r) for b, r in zip(bodies, results)]
    first = choose(initial, n)
    position = {id(s): i for i, s in enumerate(initial)}
    order = [position[id(s)] for s in first.ranking] if first else []
    for step in range(k + 1):
        scored = [Trial(Candidate(b, "sample"), r) for b, r in zip(bodies, current)]
        chosen = next((i for i in order if current[i].all_passed), order[0] if order else None)
        correct.append(chosen is not None and ok[chosen])
        pool = [s for s in scored if s.result.all_passed]
        amb = analyse(pool, probes, entry)
        ambiguous = amb.question is not None and amb.dominant_share < dominance
        if step == 0:
            ambiguous0, share0 = ambiguous, amb.dominant_share if pool else 1.0
            verified0 = bool(pool) and not ambiguous
        question = amb.question
        if step == k or not ambiguous or question is None or canonical is None:
            break
        answer = canonical[question.index] if question.index < len(canonical) else None
        asked += 1
        if answer is None:  # the reference raises there: not a valid input
            invalid[question.index] = question.call
            current = [outside(r, invalid) for r in current]
            continue
        example = answer_example(question, answer)
        current = [with_answer(r, question, example) for r in current]
        n += 1
    correct += [correct[-1]] * (k + 1 - len(correct))
    return Simulated(tuple(correct), ambiguous0, verified0, asked, share0)


def figures(sims: Sequence[Simulated], k: int) -> dict[str, object]:
    """``by_answers`` and the ambiguity figures for a set of tasks."""
    n = max(len(sims), 1)
    by_answers = {
        str(j): {"selected_pass@1": sum(s.correct[j] for s in sims) / n} for j in range(k + 1)
    }
    clear = [s for s in sims if s.verified]
    return {
        "by_answers": by_answers,
        "ambiguous_at_0": sum(s.ambiguous for s in sims) / n,
        "verified_at_0": len(clear) / n,
        "precision_unambiguous_at_0": sum(s.correct[0] for s in clear) / max(len(clear), 1),
        "mean_questions": sum(s.asked for s in sims) / n,
    }
