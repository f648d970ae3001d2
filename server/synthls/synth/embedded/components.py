"""The component library: the Python a programmer would write, as typed, costed operators.

Each component says which value tags its arguments accept, how to compute its value, how to
print it (with the precedence rules of Python so only needed parentheses appear) and its base
cost. ``prior.py`` lowers the cost of components the docstring's words point at.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from synthls.synth.embedded import guards as g
from synthls.synth.embedded.bank import ATOM, Expr
from synthls.synth.embedded.value_vectors import (
    ANY,
    BOOL,
    COLL,
    DICT,
    INT,
    LISTLIKE,
    NUM,
    NUMCOLL,
    ORD,
    SEQ,
    SETS,
    STR,
)

Tags = frozenset[str]
F = frozenset


@dataclass(frozen=True)
class Comp:
    """One operator: ``fmt`` has ``{0}``, ``{1}``… for its arguments' code."""

    name: str
    tags: tuple[Tags, ...]
    fn: Callable[..., Any]
    fmt: str
    prec: int = ATOM
    argprec: tuple[int, ...] = ()
    cost: int = 2
    comm: bool = False  # commutative: try each unordered pair once
    same: bool = False  # arguments must share a tag
    mods: frozenset[str] = field(default_factory=frozenset)
    genarg: int = -1  # argument printed as a bare generator when it is a comprehension
    small: tuple[int, ...] = ()  # per argument, the largest cost it may have (0: any)
    const: tuple[int, ...] = ()  # arguments that must be constants (a separator)
    grows: bool = False  # its result can be much larger than its arguments: check the size

    @property
    def arity(self) -> int:
        return len(self.tags)

    def fits(self, i: int, cost: int) -> bool:
        """Whether argument ``i`` may have this cost (separators, indices: small ones only)."""
        return i >= len(self.small) or not self.small[i] or cost <= self.small[i]

    def render(self, args: Sequence[Expr]) -> str:
        if self.name == "set" and args[0].gen is not None:
            return "{" + args[0].gen + "}"  # a set comprehension
        if self.comm and not args[0].uses and args[1].uses and self.name not in ("max2", "min2"):
            args = (args[1], args[0])  # ``len(d) == 0``, not ``0 == len(d)``: same value
        parts = []
        for i, a in enumerate(args):
            if i == self.genarg and a.gen is not None:
                parts.append(a.gen)
                continue
            need = self.argprec[i] if i < len(self.argprec) else 0
            parts.append(a.code if a.prec >= need else f"({a.code})")
        return self.fmt.format(*parts)


def _bin(name: str, op: str, prec: int, tags: Tags, fn: Callable[..., Any], **kw: Any) -> Comp:
    return Comp(name, (tags, tags), fn, "{0} " + op + " {1}", prec, (prec, prec + 1), **kw)


def _call(name: str, fn: Callable[..., Any], fmt: str, *tags: Tags, **kw: Any) -> Comp:
    return Comp(name, tuple(tags), fn, fmt, ATOM, (0,) * len(tags), **kw)


def _meth(name: str, fn: Callable[..., Any], fmt: str, *tags: Tags, **kw: Any) -> Comp:
    return Comp(name, tuple(tags), fn, fmt, ATOM, (ATOM,) + (0,) * (len(tags) - 1), **kw)


def _cmp(name: str, op: str, tags: Tags, fn: Callable[[Any, Any], Any], **kw: Any) -> Comp:
    return Comp(name, (tags, tags), fn, "{0} " + op + " {1}", 7, (8, 8), same=True, **kw)


MATH = F({"math"})
NOT_LIST = COLL - {"list"}
NOT_TUPLE = COLL - {"tuple"}
NOT_SET = COLL - {"set"}

ARITH = [
    _bin("add", "+", 12, NUM, lambda a, b: a + b, comm=True, cost=1),
    _bin("concat", "+", 12, SEQ, g.concat),
    _bin("sub", "-", 12, NUM, lambda a, b: a - b, cost=1),
    _bin("mul", "*", 13, NUM, g.mul, comm=True, cost=1),
    Comp("repeat", (SEQ, INT), g.mul, "{0} * {1}", 13, (13, 14), small=(0, 2)),
    _bin("div", "/", 13, NUM, lambda a, b: a / b),
    _bin("floordiv", "//", 13, NUM, lambda a, b: a // b),
    _bin("mod", "%", 13, NUM, lambda a, b: a % b),
    Comp("pow", (NUM, NUM), g.power, "{0} ** {1}", 15, (16, 15), small=(0, 3)),
    Comp("neg", (NUM,), lambda a: -a, "-{0}", 14, (14,)),
    _call("abs", abs, "abs({0})", NUM),
    _call("round", round, "round({0})", F({"float"})),
    _call("round2", round, "round({0}, {1})", F({"float"}), INT, cost=4, small=(0, 2)),
    _call("max2", max, "max({0}, {1})", NUM, NUM, comm=True),
    _call("min2", min, "min({0}, {1})", NUM, NUM, comm=True),
    _call("divmod", divmod, "divmod({0}, {1})", INT, INT, cost=4),
    _bin("bitand", "&", 10, INT, lambda a, b: a & b, comm=True, cost=4),
    _bin("bitor", "|", 8, INT, lambda a, b: a | b, comm=True, cost=4),
    _bin("bitxor", "^", 9, INT, lambda a, b: a ^ b, comm=True, cost=4),
    _bin("rshift", ">>", 11, INT, lambda a, b: a >> b, cost=4, small=(0, 3)),
    _bin("lshift", "<<", 11, INT, g.lshift, cost=4, small=(0, 3)),
    _bin("setand", "&", 10, SETS, lambda a, b: a & b, comm=True),
    _bin("setor", "|", 8, SETS, lambda a, b: a | b, comm=True),
    _bin("setsub", "-", 12, SETS, lambda a, b: a - b),
    _bin("setxor", "^", 9, SETS, lambda a, b: a ^ b, comm=True, cost=4),
]

LOGIC = [
    _cmp("eq", "==", ANY, g.eq, comm=True),
    _cmp("ne", "!=", ANY, lambda a, b: a != b, comm=True),
    _cmp("lt", "<", ORD, lambda a, b: a < b),
    _cmp("le", "<=", ORD, lambda a, b: a <= b),
    _cmp("gt", ">", ORD, lambda a, b: a > b),
    _cmp("ge", ">=", ORD, lambda a, b: a >= b),
    Comp("in", (ANY, COLL), lambda a, b: a in b, "{0} in {1}", 7, (8, 8)),
    Comp("notin", (ANY, COLL), lambda a, b: a not in b, "{0} not in {1}", 7, (8, 8), cost=3),
    Comp("even", (INT,), lambda a: a % 2 == 0, "{0} % 2 == 0", 7, (14,), cost=3),
    Comp("odd", (INT,), lambda a: a % 2 == 1, "{0} % 2 == 1", 7, (14,), cost=3),
    Comp("divides", (INT, INT), lambda a, b: a % b == 0, "{0} % {1} == 0", 7, (14, 14), cost=3),
    _bin("and", "and", 5, BOOL, lambda a, b: a and b, comm=True),
    _bin("or", "or", 4, BOOL, lambda a, b: a or b, comm=True),
    Comp("not", (BOOL,), lambda a: not a, "not {0}", 6, (6,)),
]

COLLECTIONS = [
    _call("len", len, "len({0})", COLL, cost=1),
    _call("sum", sum, "sum({0})", NUMCOLL, genarg=0),
    _call("max", max, "max({0})", COLL, genarg=0),
    _call("min", min, "min({0})", COLL, genarg=0),
    _call("sorted", sorted, "sorted({0})", COLL, genarg=0),
    _call("sorted_rev", lambda a: sorted(a, reverse=True), "sorted({0}, reverse=True)", COLL),
    _meth("reverse", lambda a: a[::-1], "{0}[::-1]", SEQ, cost=3),
    _call("list", list, "list({0})", NOT_LIST),
    _call("tuple", tuple, "tuple({0})", NOT_TUPLE, genarg=0),
    _call("set", set, "set({0})", NOT_SET, genarg=0),
    _call("any", any, "any({0})", LISTLIKE, genarg=0),
    _call("all", all, "all({0})", LISTLIKE, genarg=0),
    _call("counter", Counter, "Counter({0})", COLL, mods=F({"Counter"}), genarg=0, cost=3),
    _call("dict", dict, "dict({0})", LISTLIKE | DICT, genarg=0, cost=3),
    _call(
        "dictzip",
        lambda a, b: dict(zip(a, b)),
        "dict(zip({0}, {1}))",
        COLL,
        COLL,
        cost=3,
        small=(2, 2),
    ),
    _call(
        "zip", lambda a, b: list(zip(a, b)), "list(zip({0}, {1}))", COLL, COLL, cost=3, small=(2, 2)
    ),
    _call(
        "enumerate", lambda a: list(enumerate(a)), "list(enumerate({0}))", COLL, cost=3, small=(2,)
    ),
    _call("range", g.rng, "range({0})", INT, small=(3,)),
    _call("range2", g.rng, "range({0}, {1})", INT, INT, small=(3, 3)),
    _meth("index", lambda a, i: a[i], "{0}[{1}]", SEQ, INT, small=(0, 3)),
    _meth("key", lambda a, k: a[k], "{0}[{1}]", DICT, ANY, small=(0, 3)),
    _meth("from", lambda a, i: a[i:], "{0}[{1}:]", SEQ, INT, small=(0, 3)),
    _meth("to", lambda a, i: a[:i], "{0}[:{1}]", SEQ, INT, small=(0, 3)),
    _meth("slice", lambda a, i, j: a[i:j], "{0}[{1}:{2}]", SEQ, INT, INT, small=(0, 3, 3)),
    _meth("step", lambda a, i: a[::i], "{0}[::{1}]", SEQ, INT, small=(0, 2)),
    _meth(
        "fromstep", lambda a, i, j: a[i::j], "{0}[{1}::{2}]", SEQ, INT, INT, cost=4, small=(0, 2, 2)
    ),
    _meth("count", lambda a, x: a.count(x), "{0}.count({1})", SEQ, ANY, small=(0, 2), cost=3),
    _meth("find", lambda a, x: a.index(x), "{0}.index({1})", SEQ, ANY, cost=3, small=(0, 2)),
    _meth("keys", lambda d: d.keys(), "{0}.keys()", DICT),
    _meth("values", lambda d: d.values(), "{0}.values()", DICT),
    _meth("items", lambda d: d.items(), "{0}.items()", DICT),
    _call("isint", lambda x: isinstance(x, int), "isinstance({0}, int)", ANY, cost=4),
    _call("isstr", lambda x: isinstance(x, str), "isinstance({0}, str)", ANY, cost=4),
]

STRINGS = [
    _call("str", str, "str({0})", NUM | BOOL),
    _call("int", int, "int({0})", STR | F({"float"})),
    _call("float", float, "float({0})", INT | STR, cost=4),
    _call("bin", lambda a: bin(a)[2:], "bin({0})[2:]", INT, cost=4),
    _call("ord", ord, "ord({0})", STR, cost=4),
    _call("chr", chr, "chr({0})", INT, cost=4),
    _meth("upper", str.upper, "{0}.upper()", STR),
    _meth("lower", str.lower, "{0}.lower()", STR),
    _meth("strip", str.strip, "{0}.strip()", STR),
    _meth("split", str.split, "{0}.split()", STR),
    _meth("title", str.title, "{0}.title()", STR, cost=4),
    _meth("capitalize", str.capitalize, "{0}.capitalize()", STR, cost=4),
    _meth("swapcase", str.swapcase, "{0}.swapcase()", STR, cost=4),
    _meth("isdigit", str.isdigit, "{0}.isdigit()", STR),
    _meth("isalpha", str.isalpha, "{0}.isalpha()", STR),
    _meth("isupper", str.isupper, "{0}.isupper()", STR),
    _meth("islower", str.islower, "{0}.islower()", STR),
    _meth("isalnum", str.isalnum, "{0}.isalnum()", STR, cost=4),
    _meth("isspace", str.isspace, "{0}.isspace()", STR, cost=4),
    _meth("splitby", str.split, "{0}.split({1})", STR, STR, small=(0, 2)),
    _meth("startswith", str.startswith, "{0}.startswith({1})", STR, STR, small=(0, 2)),
    _meth("endswith", str.endswith, "{0}.endswith({1})", STR, STR, small=(0, 2)),
    _meth("sfind", str.find, "{0}.find({1})", STR, STR, cost=3, small=(0, 2)),
    _meth(
        "join",
        lambda s, xs: s.join(xs),
        "{0}.join({1})",
        STR,
        COLL,
        genarg=1,
        small=(2, 0),
        const=(0,),
    ),
    _meth("format", g.fmt, "{0}.format({1})", STR, ANY, cost=4, small=(2, 0)),
    _meth("stripby", str.strip, "{0}.strip({1})", STR, STR, cost=4, small=(0, 2)),
    _meth("replace", g.replace, "{0}.replace({1}, {2})", STR, STR, STR, small=(0, 2, 2)),
]

MATHS = [
    _call("sqrt", math.sqrt, "math.sqrt({0})", NUM, mods=MATH, cost=4),
    _call("factorial", g.factorial, "math.factorial({0})", INT, mods=MATH, cost=4),
    _call("gcd", math.gcd, "math.gcd({0}, {1})", INT, INT, mods=MATH, comm=True, cost=4),
    _call("lcm", math.lcm, "math.lcm({0}, {1})", INT, INT, mods=MATH, comm=True, cost=4),
    _call("comb", g.comb, "math.comb({0}, {1})", INT, INT, mods=MATH, cost=4),
    _call("floor", math.floor, "math.floor({0})", F({"float"}), mods=MATH, cost=4),
    _call("ceil", math.ceil, "math.ceil({0})", F({"float"}), mods=MATH, cost=4),
    _call("prod", g.prod, "math.prod({0})", NUMCOLL, mods=MATH, genarg=0, cost=3),
    _call("log", math.log, "math.log({0})", NUM, mods=MATH, cost=4),
    _call("isqrt", math.isqrt, "math.isqrt({0})", INT, mods=MATH, cost=4),
]

_GROWS = {"add", "concat", "mul", "repeat", "pow", "lshift", "replace", "join", "format"}
_GROWS |= {"factorial", "comb", "prod", "sum", "range", "range2", "div", "sub", "neg"}
LIBRARY: tuple[Comp, ...] = tuple(
    replace(c, grows=True) if c.name in _GROWS else c
    for c in ARITH + LOGIC + COLLECTIONS + STRINGS + MATHS
)
