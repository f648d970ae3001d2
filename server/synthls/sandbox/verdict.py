"""Decide whether one example passed, from the raw facts a child reported. Pure, reusable.

This runs in the server, never in the child, so nothing the candidate does to ``doctest`` or
to this module inside its own process can change a verdict. Doctest-style examples follow
doctest's rules (``OutputChecker`` with the example's option flags; exceptions compared by their
last traceback line), and also pass when the expected and the printed output are the same
literal value written differently (quotes, spacing, float rounding within tolerance).
Value-style examples compare values: both reprs are parsed with
``ast.literal_eval`` when possible and compared structurally with a float tolerance, otherwise
the repr texts must be equal.
"""

from __future__ import annotations

import doctest
import math
from typing import Any

from synthls.spec.model import Example
from synthls.spec.values import NO_VALUE as _NO_VALUE  # literal() for text that is not one
from synthls.spec.values import literal

_CHECKER = doctest.OutputChecker()
REL_TOL = 1e-6
ABS_TOL = 1e-9


def option_flags(names: tuple[str, ...]) -> int:
    """doctest option bits for flag names like ``"ELLIPSIS"``; unknown names are ignored."""
    flags = 0
    for name in names:
        flags |= doctest.OPTIONFLAGS_BY_NAME.get(name.upper(), 0)
    return flags


def _exception_line(exc_type: str, exc_msg: str | None) -> str:
    return f"{exc_type}: {exc_msg}\n" if exc_msg else f"{exc_type}\n"


def _check_doctest(example: Example, got: str, exc_type: str | None, exc_msg: str | None) -> bool:
    flags = option_flags(example.flags)
    if exc_type is None:
        if example.exc_msg is not None:
            return False
        return bool(_CHECKER.check_output(example.want, got, flags)) or _same_literal(
            example.want, got
        )
    if example.exc_msg is None:
        return False
    candidates = {exc_type, exc_type.rsplit(".", 1)[-1]}
    if any(
        _CHECKER.check_output(example.exc_msg, _exception_line(name, exc_msg), flags)
        for name in candidates
    ):
        return True
    if flags & doctest.IGNORE_EXCEPTION_DETAIL:  # as doctest's runner does: type name only
        want_type = _bare_type(example.exc_msg)
        return bool(_CHECKER.check_output(want_type, _bare_type(exc_type), flags))
    return False


def _same_literal(want: str, got: str) -> bool:
    """Both texts are one literal each, equal as values: ``"21"`` for ``'21'``, ``[1,2]`` for
    ``[1, 2]``, ``0.30000000000000004`` for ``0.3``. Doctest itself would refuse these, but the
    author's intent is plain."""
    if not want.strip() or not got.strip():
        return False
    want_value, got_value = literal(want), literal(got)
    if want_value is _NO_VALUE or got_value is _NO_VALUE:
        return False
    return values_equal(got_value, want_value)


def _bare_type(line: str) -> str:
    """``"pkg.mod.Error: detail"`` -> ``"Error\n"`` (doctest's IGNORE_EXCEPTION_DETAIL)."""
    return line.strip().split(":", 1)[0].strip().rsplit(".", 1)[-1] + "\n"


def values_equal(a: Any, b: Any) -> bool:
    """Structural equality with float tolerance through lists, tuples, dicts and sets."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, float | int) and isinstance(b, float | int):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(a, complex) and isinstance(b, complex):
        return values_equal(a.real, b.real) and values_equal(a.imag, b.imag)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(values_equal(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    if isinstance(a, set | frozenset) and isinstance(b, set | frozenset):
        return a == b or _sets_close(a, b)
    return type(a) is type(b) and bool(a == b)


def _sets_close(a: set[Any] | frozenset[Any], b: set[Any] | frozenset[Any]) -> bool:
    if len(a) != len(b):
        return False
    rest = list(b)
    for x in a:
        match = next((i for i, y in enumerate(rest) if values_equal(x, y)), None)
        if match is None:
            return False
        rest.pop(match)
    return True


def _check_value(example: Example, got: str, exc_type: str | None) -> bool:
    if exc_type is not None:
        return False
    want_value, got_value = literal(example.want), literal(got)
    if want_value is not _NO_VALUE and got_value is not _NO_VALUE:
        return values_equal(got_value, want_value)
    return got.strip() == example.want.strip()


def check(example: Example, got: str, exc_type: str | None, exc_msg: str | None) -> bool:
    """Whether ``example`` passed, given what the child printed/returned or raised.

    For value-style examples ``got`` is the repr of the value; when ``example.want`` is not a
    literal, pass an example whose ``want`` is the repr of the evaluated expected value.
    """
    if example.style == "value":
        return _check_value(example, got, exc_type)
    return _check_doctest(example, got, exc_type, exc_msg)
