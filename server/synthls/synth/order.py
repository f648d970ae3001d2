"""Does the order matter? An example's values swapped, where a model's body answers otherwise.

An example like ``right_angle_triangle(3, 4, 5) == True`` never shows whether the sides may come
in another order, and a 1.5B model wrote ``a**2 + b**2 == c**2`` for it: right on both examples,
wrong on ``right_angle_triangle(5, 4, 3)``. Likewise ``match_parens(['()(', ')'])`` ("concatenate
the two strings in some order") got a body that tries one order only. Neither has a rival sample
or a one-token change that passes the examples, so nothing else finds the question.

The generated inputs of a request where someone can answer include the examples with two of their
values swapped (``pairs.swaps``: two arguments of one type, or the two items of a pair). When the
examples are verdicts (truth values, or the words for them, ``'Yes'`` / ``'No'``: a relation, which is
often symmetric; a function computing a value, ``a / b``, rarely is) and the body's answer on such
a call differs from the example's, the body says the order matters, which no example shows: that
is asked, with the body's answer and the example's as the choices. An answer
the body gave settles it (the order matters); the example's answer goes back to the model as a
failing example. Asked once a request, only for language models' bodies, only where someone can
answer (like ``synthls.synth.mutants``). Most such questions are about functions whose order
plainly matters, which a right body predicts (docs/benchmarks.md, for how many it costs).
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping

from synthls.intent.model import Example
from synthls.synth.ambiguity import RAISED, Ambiguity, Question
from synthls.synth.answers import same_value
from synthls.synth.engine_protocol import Trial
from synthls.synth.engines import language_model
from synthls.synth.informative import compact
from synthls.synth.inputs import MAX_SOURCE

ORDER = "does the order matter?"  # what a swap of an example's values asks


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
            mirrors = f"`{_call_of(examples[i])}` gives {value}"
        question = Question(function, probes[j], (answer, value), 1, j, mirrors=mirrors, asks=asks)
        summary = (
            f"the examples do not settle it ({asks}): {mirrors}, the body says "
            f"`{probes[j]}` gives {answer}"
        )
        return Ambiguity(1, 1.0, question, summary, fitted=True, mutant=True)
    return None


_WORDS = {"yes", "no", "true", "false"}
_VERDICT = 16  # characters: a verdict's literal is no longer (``'False'``)
_COUNT = 64  # characters: nor a count's


def verdicts(examples: tuple[Example, ...]) -> bool:
    """Whether the examples' values are a verdict on their arguments: truth values, or the
    words for them (``'Yes'`` / ``'No'``). A relation between values of one kind is often symmetric (an
    anagram, an overlap, a triangle's sides), one that computes a value from them rarely is
    (``a / b``, ``a ** b``, a number in base ``b``): only a verdict's order is asked about."""
    values = [example_value(e) for e in examples]
    if any(v is not None and len(v) > _VERDICT for v in values):
        return False  # no truth value, nor a word for one, is that long: nothing to parse
    literals: list[object] = []
    for v in values:
        try:
            literals.append(ast.literal_eval(v) if v is not None else None)
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            return False
    if not literals or any(v is None for v in literals):
        return False
    if all(isinstance(v, bool) for v in literals):
        return True
    return all(isinstance(v, str) and v.lower() in _WORDS for v in literals)


def counts(examples: tuple[Example, ...]) -> bool:
    """Whether the examples are verdicts (``verdicts``) or whole numbers (a count, a position):
    values that do not change when one of two interchangeable alternatives stands for the other
    (``synthls.synth.alternatives``), where a computed string or list would."""
    if verdicts(examples):
        return True
    values = [example_value(e) for e in examples]
    if any(v is not None and len(v) > _COUNT for v in values):
        return False  # not a whole number a count could be: nothing to parse
    try:
        literals = [ast.literal_eval(v) if v is not None else None for v in values]
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        return False
    return bool(literals) and all(type(v) is int for v in literals)


def example_value(example: Example) -> str | None:
    """What the example's call returns: its want for a call (``f(3, 4, 5)`` / ``True``), the
    compared literal for ``f(x) == v`` / ``True``; None for any other form (or a source longer
    than ``MAX_SOURCE``, not parsed)."""
    if len(example.source) > MAX_SOURCE:
        return None
    try:
        tree = ast.parse(example.source.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(tree, ast.Call):
        return example.want.strip() or None
    if (
        isinstance(tree, ast.Compare)
        and len(tree.ops) == 1
        and isinstance(tree.ops[0], ast.Eq)
        and isinstance(tree.left, ast.Call)
        and example.want.strip() == "True"
    ):
        try:
            return repr(ast.literal_eval(tree.comparators[0]))
        except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
            return None
    return None


def _call_of(example: Example) -> str:
    tree = ast.parse(example.source.strip(), mode="eval").body
    return ast.unparse(tree.left) if isinstance(tree, ast.Compare) else example.source.strip()
