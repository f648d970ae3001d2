"""What an example says its call returns, and what kind of value that is.

``example_value`` reads the value of ``f(x)`` / ``v`` and of ``f(x) == v`` / ``True``;
``verdicts`` and ``counts`` say whether the examples' values are truth values (or the words for
them) and whole numbers: the values the edge-case rewrites are asked about
(``synthls.synth.checks.edge_cases``).
"""

from __future__ import annotations

import ast

from synthls.intent.model import Example
from synthls.synth.inputs import MAX_SOURCE

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
    (``synthls.synth.rewrites.alternatives``), where a computed string or list would."""
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


def call_of(example: Example) -> str:
    tree = ast.parse(example.source.strip(), mode="eval").body
    return ast.unparse(tree.left) if isinstance(tree, ast.Compare) else example.source.strip()
