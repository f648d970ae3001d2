"""Bodies that pass the examples by arithmetic coincidence, recognised by what they compute.

``plausible`` refuses a body that ignores a parameter or returns the wrong type. Some bodies use
every parameter and return the right type, yet no programmer writes them; a quantity's *kind*
shows it, as a physicist's units do:

- a **disguised constant**: a part of the body that uses a parameter but gives one value on every
  input near the examples (``numbers - float(numbers)`` is ``0.0``, ``a / a`` is ``1.0``);
- **mixed units**: a count (``len(xs)``, ``xs.count(v)``) added to, subtracted from, or divided
  by an element's value, or a value floor-divided (or taken modulo) by a count
  (``item // len(dlist)``, ``len(pairs) / max(min(pairs))``); a value divided by a count, the
  mean, stays natural;
- an element's value used as a **position** (``arr[min(arr):]``), or a count or a position
  looked for **among the elements** (``i in xs`` for an index ``i`` of ``xs``), or a number
  the docstring never names (``2 in arr`` for "the product is even");
- a number's **text length** (``len(bin(n))``, ``len(str(n))``) when the docstring speaks of
  neither digits nor bits;
- a list of numbers used **only through its length**: the values the docstring talks about
  never matter;
- a **shifted length** in disguise: ``len(xs[2:])`` is ``len(xs) - 2``, a shift by a number
  nobody stated (the search refuses that offset in its plain spelling too);
- a guarded body whose **other branch is a constant** in disguise: after ``if not d: return
  True``, a ``return max(d).isalpha()`` that is False on every input near the examples is
  ``return False`` spelled to look like it reads ``d``.

A value scaled or shifted by a number (``max(xs) ** 2``, ``x * 3``) is still a value, a count
so changed still a count, so ``max(lst) ** 2 + lst.count(2)`` mixes them too.

Elements are what a collection parameter holds: its items, their ``min``/``max``/``sum``, the
variables of a comprehension over it, and a number parameter that every example finds inside
a collection parameter, where it cannot be read as a position (the item searched for). The rules name kinds of quantity, never a task.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Sequence

from synthls.synth.embedded.problem import Problem

COUNT, VALUE = "count", "value"
_TEXT_OF = {"str", "bin", "hex", "oct", "repr", "format"}
_TEXT_WORDS = ("digit", "bit", "binary", "hex", "octal", "decimal", "character", "length")
_KNOWN = set(dir(builtins)) | {"math", "Counter"}

Evaluate = Callable[[str], Sequence[object]]  # an expression's results on the probe inputs


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _item_of(col: list[object], collections: list[object]) -> bool:
    """Whether every example finds the number inside the collection, and at least one could not
    read it as a position there (``31`` in a list of ten is an item; ``1`` in ``[1, 2, 3]`` may
    be an index)."""
    outside = False
    for v, c in zip(col, collections):
        if not isinstance(v, int | float) or not isinstance(c, list | tuple | set | frozenset):
            return False
        if v not in c:
            return False
        outside = outside or not -len(c) <= v < len(c)
    return outside


class _Kinds:
    """The kind (count or value) of the parts of one body."""

    def __init__(self, problem: Problem, tree: ast.AST) -> None:
        columns = [[args[j] for args in problem.inputs] for j in range(len(problem.params))]
        self.collections = {
            p
            for p, col in zip(problem.params, columns)
            if col and all(isinstance(v, list | tuple | set | frozenset) for v in col)
        }
        self.values = {
            p
            for p, col in zip(problem.params, columns)
            if col
            and all(_number(v) for v in col)
            and any(
                _item_of(col, columns[k])
                for k, q in enumerate(problem.params)
                if q in self.collections
            )
        }
        self.indices: set[str] = set()  # ``i`` of ``for i, x in enumerate(xs)``: a position
        for node in ast.walk(tree):
            if isinstance(node, ast.comprehension) and self._collection(node.iter):
                self.values |= {t.id for t in ast.walk(node.target) if isinstance(t, ast.Name)}
            elif isinstance(node, ast.comprehension) and self._enumerated(node):
                index, item = node.target.elts  # type: ignore[attr-defined]
                if isinstance(index, ast.Name):
                    self.indices.add(index.id)
                self.values |= {t.id for t in ast.walk(item) if isinstance(t, ast.Name)}

    def _enumerated(self, node: ast.comprehension) -> bool:
        call, target = node.iter, node.target
        return (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "enumerate"
            and len(call.args) == 1
            and self._collection(call.args[0])
            and isinstance(target, ast.Tuple)
            and len(target.elts) == 2
        )

    def _collection(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.collections

    def of(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Call) and not node.keywords:
            func = node.func
            if isinstance(func, ast.Name) and func.id == "len":
                return COUNT
            if isinstance(func, ast.Attribute) and func.attr == "count":
                return COUNT
            if isinstance(func, ast.Name) and func.id in ("min", "max", "sum") and node.args:
                arg = node.args[0]
                if len(node.args) == 1 and (self._collection(arg) or self.of(arg) == VALUE):
                    return VALUE
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            return VALUE if self._collection(node.value) else None
        if isinstance(node, ast.Name):
            if node.id in self.indices:
                return COUNT
            return VALUE if node.id in self.values else None
        if isinstance(node, ast.BinOp):
            left, right = self.of(node.left), self.of(node.right)
            if isinstance(node.op, _SCALINGS):  # a value scaled or shifted is still a value
                if _numeral(node.right):
                    return left
                if _numeral(node.left) and not isinstance(node.op, ast.Pow):
                    return right
            return left if left == right else None
        return None

    def counted_member(self, node: ast.Compare) -> bool:
        """``len(xs) in xs``, ``i in xs`` (``i`` an index of ``xs``): a count or a position
        looked for among the elements."""
        return (
            len(node.ops) == 1
            and isinstance(node.ops[0], ast.In | ast.NotIn)
            and self.of(node.left) == COUNT
            and self._collection(node.comparators[0])
        )


_SCALINGS = (ast.Mult, ast.Pow, ast.Div, ast.FloorDiv, ast.Add, ast.Sub)


def _unstated_member(node: ast.Compare, stated: set[str]) -> bool:
    """``2 in arr``: a number the docstring does not name looked for among the elements (the
    ``2`` of "even" is a divisor, not an item; ``0 in xs``, "a zero among them", is natural)."""
    left = node.left
    return (
        len(node.ops) == 1
        and isinstance(node.ops[0], ast.In | ast.NotIn)
        and isinstance(left, ast.Constant)
        and _number(left.value)
        and left.value != 0
        and repr(left.value) not in stated
    )


def _numeral(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and _number(node.value)


def _mixed(kinds: _Kinds, node: ast.BinOp) -> bool:
    left, right = kinds.of(node.left), kinds.of(node.right)
    if left == COUNT and right == VALUE:
        return isinstance(node.op, ast.Add | ast.Sub | ast.Div | ast.FloorDiv | ast.Mod)
    if left == VALUE and right == COUNT:
        return isinstance(node.op, ast.Add | ast.Sub | ast.FloorDiv | ast.Mod)
    return False


def _positions(node: ast.Subscript) -> list[ast.expr]:
    s = node.slice
    if isinstance(s, ast.Slice):
        return [p for p in (s.lower, s.upper, s.step) if p is not None]
    return [s]


def _text_length(node: ast.Call) -> bool:
    """``len(str(x))``, ``len(bin(x)[2:])``: the length of a value's text."""
    if not (isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1):
        return False
    inner = node.args[0]
    if isinstance(inner, ast.Subscript):
        inner = inner.value
    return (
        isinstance(inner, ast.Call)
        and isinstance(inner.func, ast.Name)
        and inner.func.id in _TEXT_OF
        and bool(inner.args)
    )


def _length_only(problem: Problem, tree: ast.AST) -> str | None:
    """A parameter holding lists of numbers that the body reads only as ``len(p)``."""
    for j, p in enumerate(problem.params):
        col = [args[j] for args in problem.inputs]
        numbers = all(isinstance(v, list | tuple) and v and all(_number(x) for x in v) for v in col)
        if not col or not numbers:
            continue
        uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == p]
        lengths = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id == "len"
            and len(n.args) == 1
            and isinstance(n.args[0], ast.Name)
            and n.args[0].id == p
        ]
        if uses and len(uses) == len(lengths):
            return f"only the length of {p} matters, never its numbers"
    return None


def _shifted_length(node: ast.Call, stated: set[str]) -> bool:
    """``len(xs[2:])``, ``len(xs[:-2])``: a length shifted by a constant nobody stated."""
    if not (isinstance(node.func, ast.Name) and node.func.id == "len" and len(node.args) == 1):
        return False
    inner = node.args[0]
    if not (isinstance(inner, ast.Subscript) and isinstance(inner.slice, ast.Slice)):
        return False
    s = inner.slice
    if s.step is not None or (s.lower is None and s.upper is None):
        return False
    try:
        lower = ast.literal_eval(s.lower) if s.lower is not None else 0
        upper = ast.literal_eval(s.upper) if s.upper is not None else None
    except ValueError:
        return False  # a bound that reads a value is a position, judged elsewhere
    if not isinstance(lower, int) or not (upper is None or isinstance(upper, int)):
        return False
    if lower < 0 or (upper is not None and upper >= 0):
        return False  # the last few, the first few: a cap, not a shift
    shift = lower - (upper or 0)
    return shift != 0 and str(shift) not in stated


def static_reason(problem: Problem, body: str) -> str | None:
    """Why no programmer means ``body`` (mixed units, a value as a position, a number's text
    length, numbers read only through their count, a shifted length), or None."""
    try:
        tree = ast.parse(body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    kinds = _Kinds(problem, tree)
    digits = any(w.startswith(_TEXT_WORDS) for w in problem.words)
    stated = {"1", "-1"} | {repr(v) for v in problem.constants}
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and _mixed(kinds, node):
            return f"`{ast.unparse(node)}` mixes a count with an element's value"
        if isinstance(node, ast.Subscript) and any(kinds.of(p) == VALUE for p in _positions(node)):
            return f"`{ast.unparse(node)}` uses an element's value as a position"
        if isinstance(node, ast.Compare) and kinds.counted_member(node):
            return f"`{ast.unparse(node)}` looks for a count or a position among the elements"
        if isinstance(node, ast.Compare) and _unstated_member(node, stated):
            return f"`{ast.unparse(node)}` looks for a number nobody stated among the elements"
        if isinstance(node, ast.Call) and _text_length(node) and not digits:
            return f"`{ast.unparse(node)}` counts a value's characters"
        if isinstance(node, ast.Call) and _shifted_length(node, stated):
            return f"`{ast.unparse(node)}` is a length shifted by a number nobody stated"
    return _length_only(problem, tree)


def _free(node: ast.AST) -> set[str]:
    bound = {
        t.id
        for n in ast.walk(node)
        if isinstance(n, ast.comprehension)
        for t in ast.walk(n.target)
        if isinstance(t, ast.Name)
    }
    bound |= {a.arg for n in ast.walk(node) if isinstance(n, ast.Lambda) for a in n.args.args}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - bound


def disguised_constant(problem: Problem, body: str, evaluate: Evaluate) -> str | None:
    """A part of ``body`` that reads a parameter yet gives one value on every probe input
    (``evaluate`` gives its results there, without the inputs where it raised), or None."""
    try:
        tree = ast.parse(body)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    params = set(problem.params)
    # what a one-line body returns is ``plausible``'s to judge (a predicate may say False near
    # a case); behind a guard, the other branch must still depend on the input
    returns = [n.value for n in ast.walk(tree) if isinstance(n, ast.Return) and n.value]
    guarded = any(isinstance(n, ast.If) for n in ast.walk(tree))
    seen = set() if guarded else {ast.unparse(v) for v in returns}
    for node in ast.walk(tree):
        if not isinstance(node, ast.expr) or isinstance(node, ast.Name | ast.Constant):
            continue
        names = _free(node)
        if not names & params or names - params - _KNOWN:
            continue
        src = ast.unparse(node)
        if src in seen:
            continue
        seen.add(src)
        results = [repr(v) for v in evaluate(src)]
        if len(results) >= 3 and len(set(results)) == 1:
            return f"`{src}` is always {results[0]}"
    return None
