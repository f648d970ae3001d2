"""Guarded versions of the operations whose result size the inputs control.

``s * n``, ``range(n)``, ``a ** b`` and friends refuse to build results past the search's size
bound instead of allocating them; every other failure is an ordinary exception the enumerator
catches.
"""

from __future__ import annotations

import math
from typing import Any

from synthls.synth.embedded.value_vectors import MAX_BITS, MAX_LEN


class TooBig(Exception):
    """The result would exceed the search's size bound."""


def mul(a: Any, b: Any) -> Any:
    if isinstance(a, (str, list, tuple)) and isinstance(b, int) and len(a) * b > MAX_LEN:
        raise TooBig
    if isinstance(b, (str, list, tuple)) and isinstance(a, int) and len(b) * a > MAX_LEN:
        raise TooBig
    return a * b


def prod(xs: Any) -> Any:
    """``math.prod`` of numbers only, refusing huge integers on the way."""
    out: Any = 1
    for x in xs:
        if not isinstance(x, (int, float)):
            raise TypeError("prod of a non-number")
        out *= x
        if isinstance(out, int) and out.bit_length() > MAX_BITS:
            raise TooBig
    return out


def power(a: Any, b: Any) -> Any:
    big = isinstance(b, int) and isinstance(a, int) and abs(a) > 1 and b > 0
    if big and b * max(a.bit_length(), 1) > MAX_BITS:
        raise TooBig
    return a**b


def lshift(a: int, b: int) -> int:
    if b > 64:
        raise TooBig
    return a << b


def rng(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_LEN:
        raise TooBig
    return r


def factorial(n: int) -> int:
    if n > 300:
        raise TooBig
    return math.factorial(n)


def comb(n: int, k: int) -> int:
    if n > 2000:
        raise TooBig
    return math.comb(n, k)


def replace(s: str, a: str, b: str) -> str:
    if a and s.count(a) * len(b) > MAX_LEN:
        raise TooBig
    if not a and len(s) * len(b) > MAX_LEN:
        raise TooBig
    return s.replace(a, b)


def same_kind(a: object, b: object) -> bool:
    """True when ``a + b`` joins two sequences of the same type."""
    return type(a) is type(b)


def concat(a: Any, b: Any) -> Any:
    if type(a) is not type(b):
        raise TypeError
    return a + b


def eq(a: object, b: object) -> bool:
    return a == b


def fmt(s: str, v: object) -> str:
    if "{" not in s:
        raise ValueError
    out = s.format(v)
    if len(out) > MAX_LEN:
        raise TooBig
    return out
