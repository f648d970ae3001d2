"""Bottom-up enumeration of one context, one cost level at a time.

Level ``c`` holds every well-typed expression of total cost ``c`` built from the leaves
(variables, constants) and the component library, keeping only the first expression of each
distinct value vector. Cheaper levels are finished before dearer ones, so the first solution
found is among the simplest. Every evaluation is guarded: an exception or an oversized result
drops the expression.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from synthls.synth.embedded.bank import Bank, Deadline, Expr
from synthls.synth.embedded.components import Comp
from synthls.synth.embedded.value_vectors import NUM, small_enough

Hook = Callable[[Expr], object]  # sees each new expression (to spot solutions)
Extra = Callable[[int], None]
Goal = Callable[[Sequence[object], str], bool]  # adds special forms (comprehensions) at a level
CONST_ONLY_MAX = 4  # constant-only expressions are kept up to this cost
# consumers that ignore order, and producers that only reorder: never stack one on the other
_ORDERLESS = frozenset(
    {"sorted", "sorted_rev", "set", "sum", "len", "max", "min", "counter", "any", "all", "prod"}
)
_CONST_OK = frozenset({"div", "neg"})  # ``4 / 3``, ``-k``: the only arithmetic on constants alone
# binary operators whose two arguments may be the same expression (``x * x``, ``s + s``)
_SAME_OK = frozenset({"add", "mul", "concat", "repeat"})
# (operator, argument position, constant code): an identity or a constant result (``x / 1``)
_DEGENERATE = frozenset(
    {(op, i, k) for op in ("add", "sub", "bitor", "bitxor") for i in (0, 1) for k in ("0",)}
    | {(op, 1, k) for op in ("lshift", "rshift") for k in ("0",)}
    | {("mul", i, k) for i in (0, 1) for k in ("0", "1")}
    | {(op, 1, "1") for op in ("div", "floordiv", "mod", "pow")}
    | {(op, 0, k) for op in ("floordiv", "mod", "pow") for k in ("0", "1")}
    | {("div", 0, "0")}
    | {("pow", 1, "0"), ("bitand", 0, "0"), ("bitand", 1, "0")}
)
_CLAMPS = frozenset({"max2", "min2"})
_POSITIONAL = frozenset({"from", "to", "slice", "index", "step", "fromstep"})
_BITS = frozenset({"bitand", "bitor", "bitxor", "lshift", "rshift"})
_SLICES = frozenset({"from", "to", "slice"})


def suspect(
    comp: Comp, args: tuple[Expr, ...], topics: frozenset[str], stated: frozenset[str]
) -> int:
    """1 when the operation needs a reason the docstring does not give, else 0: a bound
    (``max(mean, 2)``) without words of bounds, a fixed position (``xs[1:]``) without words of
    positions, bit operations without words of bits, a number divided by the input (``2 / n``),
    an exponent the input sets without words of powers, the text of a float."""
    consts = [a for a in args if not a.uses]
    name = comp.name
    if name in _CLAMPS and consts and "clamp" not in topics:
        return 1
    if name in _POSITIONAL and "position" not in topics:
        for a in args[1:]:
            if not a.uses and not (name == "index" and a.code in ("0", "-1")):
                return 1
    if name in _BITS and "bits" not in topics:
        return 1
    if name in ("div", "floordiv", "mod") and not args[0].uses and args[0].code not in stated:
        return 1
    if name == "pow" and args[1].uses and "power" not in topics:
        return 1  # ``(1 - x) ** x``: an exponent the input sets, without words of powers
    if name == "str" and args[0].tag == "float":
        return 1  # the digits of a float's repr
    return 0


_ORDER_EXPOSING = frozenset({"list", "tuple", "join", "enumerate", "zip", "dictzip", "counter"})
_OFFSET = frozenset({"add", "sub"})
_REORDER = frozenset({"sorted", "sorted_rev", "reverse", "list", "tuple"})


class Context:
    """A bank plus the means to grow it: leaves, costed components and hooks."""

    def __init__(
        self,
        size: int,
        leaves: Sequence[Expr],
        comps: Sequence[tuple[Comp, int]],
        deadline: Deadline,
        hook: Hook | None = None,
    ) -> None:
        self.bank = Bank(size)
        self.leaves = list(leaves)
        self.comps = list(comps)
        self.deadline = deadline
        self.hook = hook
        self.extra: Extra | None = None
        self.goal: Goal | None = None  # tells the hook's targets apart before building them
        # constants an offset (``x + k``) may use without looking fitted to the examples
        self.offsets: frozenset[str] = frozenset({"1", "-1"})
        # what the docstring speaks of ("clamp", "position", "bits"): see ``suspect``
        self.topics: frozenset[str] = frozenset()

    def grow_to(self, cost: int) -> None:
        """Complete every level up to ``cost``."""
        while self.bank.grown < cost:
            level = self.bank.grown + 1
            self._level(level)
            self.bank.grown = level

    def offer(self, e: Expr) -> None:
        """Consider a new expression: the hook first (a solution may also be a part), the bank."""
        if self.hook is not None:
            self.hook(e)
        self.bank.add(e)

    def _level(self, c: int) -> None:
        for leaf in self.leaves:
            if leaf.cost == c:
                self.offer(leaf)
        for comp, cost in self.comps:
            rem = c - cost
            if rem < comp.arity:
                continue
            if comp.arity == 1:
                if not comp.fits(0, rem):
                    continue
                for a in self.bank.at(rem, comp.tags[0]):
                    self._apply(comp, (a,), c)
            elif comp.arity == 2:
                self._pairs(comp, rem, c)
            else:
                self._triples(comp, rem, c)
        if self.extra is not None:
            self.extra(c)

    def _pairs(self, comp: Comp, rem: int, c: int) -> None:
        t0, t1 = comp.tags
        for c1 in range(1, rem):
            c2 = rem - c1
            if (comp.comm and c1 > c2) or not (comp.fits(0, c1) and comp.fits(1, c2)):
                continue
            left = self.bank.at(c1, t0)
            right = self.bank.at(c2, t1)
            for i, a in enumerate(left):
                for b in right[i:] if comp.comm and c1 == c2 else right:
                    if comp.same and a.tag != b.tag and not (a.tag in NUM and b.tag in NUM):
                        continue
                    self._apply(comp, (a, b), c)

    def _triples(self, comp: Comp, rem: int, c: int) -> None:
        t0, t1, t2 = comp.tags
        for c1 in range(1, rem - 1):
            for c2 in range(1, rem - c1):
                c3 = rem - c1 - c2
                if not (comp.fits(0, c1) and comp.fits(1, c2) and comp.fits(2, c3)):
                    continue
                for a in self.bank.at(c1, t0):
                    for b in self.bank.at(c2, t1):
                        for d in self.bank.at(c3, t2):
                            self._apply(comp, (a, b, d), c)

    def _apply(self, comp: Comp, args: tuple[Expr, ...], c: int) -> None:
        self.deadline.tick()
        uses = 0
        for a in args:
            uses |= a.uses
        op = shape(comp, args, c, uses)
        if op is None:
            return
        vals = evaluate(comp, args, self.bank.size)
        if vals is None:
            return
        key = repr(vals)
        for a in args:
            if key == a.key and uses == a.uses:
                return  # an identity here (``x + 0``, ``sorted(sorted(x))``): the part says it all
        if key in self.bank.seen and (self.goal is None or not self.goal(vals, key)):
            return
        mods = comp.mods
        magic = 0
        if op == "offset" and any(not a.uses and a.code not in self.offsets for a in args):
            magic = 1  # ``len(xs) - 2``: a shift by a number the docstring did not state
        magic += suspect(comp, args, self.topics, self.offsets)
        for a in args:
            mods = mods | a.mods
            magic += a.magic
        self.offer(
            Expr(comp.render(args), c, vals, comp.prec, uses, mods, op=op, key=key, magic=magic)
        )


def shape(comp: Comp, args: tuple[Expr, ...], c: int, uses: int) -> str | None:
    """The new expression's ``op``, or None when its shape is pointless (checked before
    evaluating): constant folding past a small cost, stacked offsets, sorting what is summed,
    relying on the order of a set of strings."""
    if not uses and (c > CONST_ONLY_MAX or comp.name not in _CONST_OK):
        return None
    for i in comp.const:
        if args[i].uses:
            return None
    op = comp.name
    if comp.arity == 2 and op not in _SAME_OK and args[0].code == args[1].code:
        return None  # ``a / a``, ``x == x``: the same thing twice says nothing
    for i, a in enumerate(args):
        if not a.uses and (op, i, a.code) in _DEGENERATE:
            return None  # ``x / 1``, ``x * 0``: an identity or a constant
    if op in _SLICES and args[0].op in ("concat", "repeat"):
        return None  # ``(xs + ys)[:n]``: padding, then cutting it off
    if op in ("mod", "even", "odd") and args[0].op == "mod":
        return None  # ``n % 2 % 2``
    if op in _OFFSET and any(not a.uses for a in args):
        if any(a.op == "offset" for a in args):
            return None  # ``n - 1 - 1``: one offset is enough
        op = "offset"
    if comp.name in _ORDERLESS and args[0].op in _REORDER:
        return None
    if comp.name in ("in", "notin") and args[1].op in _REORDER:
        return None
    if args[0].op == "counter" and comp.name in _ORDERLESS | _REORDER:
        return None
    if comp.name in _ORDER_EXPOSING and any(a.tag == "set" and _hash_ordered(a.vals) for a in args):
        return None  # the order of a set of strings changes from run to run
    return op


def evaluate(comp: Comp, args: tuple[Expr, ...], n: int) -> tuple[object, ...] | None:
    """The component's value in each environment, or None when any one fails."""
    fn = comp.fn
    try:
        if len(args) == 1:
            out = list(map(fn, args[0].vals))
        elif len(args) == 2:
            out = list(map(fn, args[0].vals, args[1].vals))
        else:
            out = list(map(fn, *(a.vals for a in args)))
    except Exception:
        return None
    if comp.grows:
        for v in out:
            if not small_enough(v):
                return None
    return tuple(out)


def _hash_ordered(vals: Sequence[object]) -> bool:
    """Whether some set holds items whose iteration order depends on the hash seed."""
    for v in vals:
        if isinstance(v, (set, frozenset)):
            for item in v:
                if not isinstance(item, (int, float)):
                    return True
    return False
