"""One-token changes of a body: do the examples pin it down?

A model's body that passes the examples and has no rival (no other sample behaves differently)
is still only as proved as its examples are strong. Mutation testing asks the question directly:
change one token of the body the way a slip of the pen would — ``<`` for ``<=``, a bound of a
chained comparison dropped, one operand of ``and``/``or`` dropped, an integer one off, a unary
minus or ``not`` dropped, ``min`` for ``max`` — and run the changes on the examples. A change that
passes every example but behaves differently on the generated inputs is a program the examples
cannot tell from the body: the edge it differs at (a tie, a bound, a negative number) is exactly
what the examples leave open, so it is worth one question to the user
(``synthls.synth.loop``, ``ask.edgeCases``, on by default). Mutants are never offered or inserted;
they only find the question, so they are tried only where someone can answer it: with nobody to
ask (the CLI without ``--ask``) the body is judged as before. Most such edges are ones the
docstring settles for a reader, so the question is often one a right body predicts (docs/benchmarks.md,
for how many questions it costs).

Tests of ``while`` loops and augmented assignments (``i += 1``) are left alone: changing them
makes loops that never end, not programs anyone meant.
"""

from __future__ import annotations

import ast
import asyncio
import copy
from collections.abc import Collection, Iterator, Sequence
from dataclasses import replace

from synthls.intent.model import Spec
from synthls.synth.ambiguity import Ambiguity, analyse
from synthls.synth.checks.base import Base
from synthls.synth.engine_protocol import Candidate, Synthesizer, Trial
from synthls.synth.engines import language_model
from synthls.synth.ranking import passes, passing
from synthls.synth.session import Session

MAX_MUTANTS = 40
WEIGHT = 0.1  # a mutant is not a proposal: it splits behaviours, it never outweighs the body
TIMEOUT = 1.0  # seconds a mutant's run may take (a changed bound can make a loop run long)

_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
}
_CALL_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}


class OneToken(Base):
    """A language model's body faces its one-token changes once a session, where someone can
    answer the question they find."""

    def __init__(self) -> None:
        self.done = True  # nothing to try until ``inputs`` says someone can answer

    def inputs(
        self, spec: Spec, probes: tuple[str, ...], engines: Sequence[Synthesizer], challenge: bool
    ) -> tuple[str, ...]:
        self.done = not challenge
        return probes

    def applies(self, session: Session, engines: Sequence[Synthesizer], chosen: Trial) -> bool:
        return not self.done and language_model(chosen.candidate.engine)

    async def doubt(
        self, session: Session, engines: Sequence[Synthesizer], chosen: Trial, amb: Ambiguity
    ) -> Ambiguity | None:
        self.done = True
        return await undecided(session, amb, chosen, session.asked())


async def undecided(
    session: Session, amb: Ambiguity, chosen: Trial, asked: Collection[str]
) -> Ambiguity:
    """``amb`` made ambiguous when a mutant of ``chosen`` passes every example but behaves
    differently: the question is the generated input that splits them. ``amb`` unchanged when
    every mutant fails an example or behaves the same."""
    engine = chosen.candidate.engine
    bodies = [b for b in mutants(chosen.candidate.body) if b.strip() not in session.seen]
    trials = await asyncio.gather(
        *(session.validate(Candidate(b, engine, weight=WEIGHT), TIMEOUT) for b in bodies)
    )
    spec = session.spec
    rivals = [t for t in trials if passes(t, len(spec.examples))]
    if not rivals:
        return amb
    both = analyse([*passing(session.attempts), *rivals], session.probes, spec.name, asked)
    q = both.question
    if q is None:
        return amb
    summary = (
        f"a one-token change of the body also passes every example, so the examples do not pin "
        f"it down; they disagree on `{q.call}`: {' / '.join(q.choices)}"
    )
    return replace(both, question=replace(q, kind="one-token"), summary=summary)


def mutants(body: str, limit: int = MAX_MUTANTS) -> list[str]:
    """The distinct one-token changes of ``body`` (dedented statements), at most ``limit``,
    in source order; [] when it does not parse."""
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return []
    original = ast.unparse(tree)
    out: list[str] = []
    seen = {original}
    for changed in _changes(tree):
        text = ast.unparse(changed)
        if text not in seen:
            seen.add(text)
            out.append(text)
            if len(out) >= limit:
                break
    return out


def _changes(tree: ast.Module) -> Iterator[ast.Module]:
    """Every tree with one node replaced by one of its mutations."""
    sites = [n for n in _mutable(tree)]
    for k, node in enumerate(sites):
        for replacement in _replacements(node):
            copied = copy.deepcopy(tree)
            target = list(_mutable(copied))[k]
            yield _replace(copied, target, replacement)


def _mutable(tree: ast.AST) -> Iterator[ast.AST]:
    """The nodes that may change, in a stable order (not under ``while`` tests or ``+=``)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.While):
            skip.update(id(n) for n in ast.walk(node.test))
        elif isinstance(node, ast.AugAssign):
            skip.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) not in skip and _replacements(node):
            yield node


def _replacements(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Compare):
        return _compare(node)
    if isinstance(node, ast.BoolOp):
        return [copy.deepcopy(v) for v in node.values] if len(node.values) == 2 else []
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        return [] if isinstance(node.operand, ast.Constant) else [copy.deepcopy(node.operand)]
    value = _int(node)
    if value is not None:
        return [ast.Constant(value + d) for d in (-1, 1) if value + d >= 0]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        swap = _CALL_SWAPS.get(node.func.id)
        if swap is not None:
            changed = copy.deepcopy(node)
            assert isinstance(changed.func, ast.Name)
            changed.func.id = swap
            return [changed]
    return []


def _compare(node: ast.Compare) -> list[ast.AST]:
    out: list[ast.AST] = []
    for i, op in enumerate(node.ops):
        swap = _SWAPS.get(type(op))
        if swap is not None:
            changed = copy.deepcopy(node)
            changed.ops[i] = swap()
            out.append(changed)
    if len(node.ops) >= 2:  # 0 <= x <= 99: drop one bound
        out.append(
            ast.Compare(
                copy.deepcopy(node.comparators[0]),
                node.ops[1:],
                copy.deepcopy(node.comparators[1:]),
            )
        )
        out.append(
            ast.Compare(
                copy.deepcopy(node.left), node.ops[:-1], copy.deepcopy(node.comparators[:-1])
            )
        )
    return out


def _int(node: ast.AST) -> int | None:
    """The value of an integer literal (not a bool, not a large constant), else None."""
    if isinstance(node, ast.Constant) and type(node.value) is int and abs(node.value) < 1000:
        return node.value
    return None


def _replace(tree: ast.Module, target: ast.AST, replacement: ast.AST) -> ast.Module:
    class Swap(ast.NodeTransformer):
        def visit(self, node: ast.AST) -> ast.AST:
            if node is target:
                return replacement
            out: ast.AST = super().visit(node)
            return out

    out = Swap().visit(tree)
    assert isinstance(out, ast.Module)
    return ast.fix_missing_locations(out)
