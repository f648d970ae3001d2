"""Value helpers for the search: type tags, size guards, keys and matching.

The search evaluates generated expressions on the docstring's example inputs, which the user
wrote. Every value that enters a bank passes ``small_enough`` so that one expression cannot eat
the worker's memory, and values are compared the way a doctest compares them (by ``repr``), with
a float tolerance when the expected outputs hold floats.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

MAX_LEN = 10_000  # longest str/list/... an expression may produce
MAX_BITS = 4_096  # largest int (in bits) an expression may produce

_TAGS: dict[type, str] = {
    int: "int",
    float: "float",
    bool: "bool",
    str: "str",
    list: "list",
    tuple: "tuple",
    set: "set",
    frozenset: "set",
    dict: "dict",
    Counter: "dict",
    range: "range",
    type(None): "none",
    type({}.keys()): "view",
    type({}.values()): "view",
    type({}.items()): "view",
}

NUM = frozenset({"int", "float"})
INT = frozenset({"int"})
BOOL = frozenset({"bool"})
STR = frozenset({"str"})
SEQ = frozenset({"str", "list", "tuple", "seqmix"})
LISTLIKE = frozenset({"list", "tuple"})
COLL = frozenset({"str", "list", "tuple", "set", "dict", "range", "view", "seqmix", "collmix"})
NUMCOLL = frozenset({"list", "tuple", "set", "range", "view"})
SETS = frozenset({"set"})
DICT = frozenset({"dict"})
ORD = frozenset({"int", "float", "str"})
ANY = frozenset(
    {"int", "float", "bool", "str", "list", "tuple", "set", "dict", "range", "none", "view"}
    | {"mixed", "seqmix", "collmix"}
)


def tag_of(vals: Sequence[object]) -> str:
    """One tag for a vector of values: their common type, ``num`` for int/float mixes."""
    tags = {_TAGS.get(type(v), "other") for v in vals}
    if len(tags) == 1:
        return tags.pop()
    if tags <= NUM:
        return "float"
    if tags <= SEQ:
        return "seqmix"
    if tags <= COLL:
        return "collmix"
    return "mixed"


def small_enough(v: object) -> bool:
    """False for values too large to keep (long sequences, huge ints, NaN/inf floats)."""
    t = type(v)
    if t is bool:
        return True
    if t is int:
        return bool(v.bit_length() <= MAX_BITS)  # type: ignore[attr-defined]
    if t is float:
        return math.isfinite(v)  # type: ignore[arg-type]
    if t in (str, list, tuple, set, dict, range, frozenset, Counter):
        return len(v) <= MAX_LEN  # type: ignore[arg-type]
    return True


def key_of(vals: Sequence[object]) -> str:
    """The observational-equivalence key of a value vector."""
    return repr(tuple(vals))


def has_float(v: object) -> bool:
    if isinstance(v, float):
        return True
    if isinstance(v, (list, tuple, set, frozenset)):
        return any(has_float(x) for x in v)
    if isinstance(v, dict):
        return any(has_float(x) for x in v.values())
    return False


def close(got: object, want: object) -> bool:
    """Equality with a float tolerance; types must agree (``1`` is not ``True`` nor ``1.0``)."""
    if type(got) is not type(want):
        return False
    if isinstance(want, float):
        return math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12)  # type: ignore[arg-type]
    if isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(  # type: ignore[arg-type]
            close(a, b)
            for a, b in zip(got, want)  # type: ignore[call-overload]
        )
    if isinstance(want, dict):
        return list(got) == list(want) and all(close(got[k], want[k]) for k in want)  # type: ignore[index, call-overload]
    return got == want and repr(got) == repr(want)


class Target:
    """The expected outputs and a fast test of whether a value vector matches them."""

    def __init__(self, outputs: Sequence[object]) -> None:
        self.outputs = tuple(outputs)
        self.key = key_of(self.outputs)
        self.approx = any(has_float(v) for v in self.outputs)

    def matches(self, vals: Sequence[object], key: str) -> bool:
        if not self.approx:
            return key == self.key
        return all(close(g, w) for g, w in zip(vals, self.outputs))

    def mask(self, vals: Sequence[object]) -> int:
        """Bit i set when ``vals[i]`` equals output i."""
        m = 0
        for i, (g, w) in enumerate(zip(vals, self.outputs)):
            if close(g, w):
                m |= 1 << i
        return m
