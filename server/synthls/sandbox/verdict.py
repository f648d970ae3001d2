"""Decide whether one example passed, from the raw facts a child reported. Pure, total, bounded.

This runs in the server, never in the child, so nothing the candidate does to ``doctest`` or
to this module inside its own process can change a verdict.

``>>>`` examples are judged exactly as ``doctest.DocTestRunner`` judges them: the printed output
(with doctest's rule that output not ending in a newline gets one) is compared by
``doctest.OutputChecker`` under the example's option flags, an exception by the text of
``traceback.format_exception_only`` (and, under IGNORE_EXCEPTION_DETAIL, by its type name only).
No float tolerance, no "same literal written differently": what doctest fails, fails here.

Value-style examples (the informal forms ``f(x) == y``, ``f(x) -> y``) compare values: both reprs
are parsed with ``ast.literal_eval`` when possible and compared structurally, floats with a tight
relative tolerance (``REL_TOL``, no absolute one), otherwise the repr texts must be equal.

Every function here is total: hostile data (huge ints against floats, 20k near-equal tuples,
deep nesting) never raises and never runs long; past ``Budget`` the comparison gives up and the
example fails with a reason.
"""

from __future__ import annotations

import doctest
import math
import time
from typing import Any

from synthls.intent.model import Example
from synthls.intent.prose_values import NO_VALUE as _NO_VALUE  # literal() for text that is not one
from synthls.intent.prose_values import literal

_CHECKER = doctest.OutputChecker()
REL_TOL = 1e-9  # informal forms only; ``>>>`` examples compare text, as doctest does
_GREEDY_LIMIT = 200  # unmatched set elements paired one by one at most (k² comparisons)
COMPARE_SECONDS = 2.0  # one example's comparison may take this long, then it fails


class Exhausted(Exception):
    """The comparison ran past its budget."""


class Budget:
    """A step counter with a wall-clock deadline, checked every 4096 steps."""

    def __init__(self, seconds: float = COMPARE_SECONDS) -> None:
        self.deadline = time.monotonic() + seconds
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if not self.steps & 4095 and time.monotonic() > self.deadline:
            raise Exhausted


def option_flags(names: tuple[str, ...]) -> int:
    """doctest option bits for flag names like ``"ELLIPSIS"``; unknown names are ignored."""
    flags = 0
    for name in names:
        flags |= doctest.OPTIONFLAGS_BY_NAME.get(name.upper(), 0)
    return flags


def _spoofed(got: str) -> str:
    """doctest's ``_SpoofOut.getvalue``: output that does not end in a newline gets one."""
    return got + "\n" if got and not got.endswith("\n") else got


def strip_exception_details(msg: str) -> str:
    """doctest's ``_strip_exception_details``: ``"pkg.Error: detail"`` -> ``"Error"``."""
    end = len(msg)
    i = msg.find("\n")
    if i >= 0:
        end = i
    i = msg.find(":", 0, end)
    if i >= 0:
        end = i
    return msg[msg.rfind(".", 0, end) + 1 : end]


def _exception_text(exc_type: str, exc_msg: str | None, exc_only: str | None) -> str:
    if exc_only is not None:
        return exc_only
    return f"{exc_type}: {exc_msg}\n" if exc_msg else f"{exc_type}\n"


def truncated_match(want: str, prefix: str, flags: int) -> bool:
    """Whether doctest would accept *any* output that starts with ``prefix`` (the part kept
    under the output cap): only when ``want`` ends in ``...`` under ELLIPSIS and matches there."""
    if not flags & doctest.ELLIPSIS or doctest.ELLIPSIS_MARKER not in want:
        return False
    tail = want.split(doctest.ELLIPSIS_MARKER)[-1]
    normalize = bool(flags & doctest.NORMALIZE_WHITESPACE)
    if tail not in ("", "\n") and not (normalize and tail.isspace()):
        return False
    return bool(_CHECKER.check_output(want, prefix + tail, flags))


def _check_doctest(
    example: Example, got: str, exc_type: str | None, exc_only: str | None, truncated: bool
) -> bool:
    flags = option_flags(example.flags)
    if exc_type is None:
        if truncated:
            return truncated_match(example.want, got, flags)
        return bool(_CHECKER.check_output(example.want, _spoofed(got), flags))
    if example.exc_msg is None:
        return False
    if _CHECKER.check_output(example.exc_msg, exc_only or "", flags):
        return True
    if flags & doctest.IGNORE_EXCEPTION_DETAIL:
        return bool(
            _CHECKER.check_output(
                strip_exception_details(example.exc_msg),
                strip_exception_details(exc_only or ""),
                flags,
            )
        )
    return False


def values_equal(a: Any, b: Any, budget: Budget | None = None) -> bool:
    """Structural equality with a tight relative float tolerance through lists, tuples, dicts
    and sets. Raises ``Exhausted`` past ``budget``; never anything else for literal values."""
    bud = budget or Budget()
    bud.step()
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, float | int) and isinstance(b, float | int):
        return _numbers_close(a, b)
    if isinstance(a, complex) and isinstance(b, complex):
        return _numbers_close(a.real, b.real) and _numbers_close(a.imag, b.imag)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(values_equal(x, y, bud) for x, y in zip(a, b))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k], bud) for k in a)
    if isinstance(a, set | frozenset) and isinstance(b, set | frozenset):
        return _sets_close(a, b, bud)
    return type(a) is type(b) and bool(a == b)


def _numbers_close(a: float, b: float) -> bool:
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    if a == b:  # exact, also for huge ints against floats (no conversion)
        return True
    a_nan, b_nan = (isinstance(v, float) and math.isnan(v) for v in (a, b))
    if a_nan or b_nan:
        return a_nan and b_nan
    try:
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=0.0)
    except OverflowError:  # an int too large for a float: only exact equality counts
        return False


def sort_key(x: Any) -> tuple[Any, ...]:
    """A total order on hashable literal values, in which close numbers sort together."""
    if isinstance(x, bool) or x is None:
        return (0, repr(x))
    if isinstance(x, int | float):
        return (1, 1, 0) if isinstance(x, float) and math.isnan(x) else (1, 0, x)
    if isinstance(x, complex):
        return (2, sort_key(x.real), sort_key(x.imag))
    if isinstance(x, tuple):
        return (3, tuple(sort_key(e) for e in x))
    if isinstance(x, frozenset):
        return (4, tuple(sorted(sort_key(e) for e in x)))
    if isinstance(x, str | bytes):
        return (5 if isinstance(x, str) else 6, x)
    return (7, type(x).__name__, id(x))


def _sets_close(a: set[Any] | frozenset[Any], b: set[Any] | frozenset[Any], bud: Budget) -> bool:
    """Set equality with tolerance in O(n log n): drop the exactly shared elements (hashing),
    pair the rest in sorted order, and fall back to pairing one by one only for a few."""
    if len(a) != len(b):
        return False
    if a == b:
        return True
    only_a, only_b = list(a - b), list(b - a)
    if len(only_a) != len(only_b):
        return False
    only_a.sort(key=sort_key)
    only_b.sort(key=sort_key)
    if all(values_equal(x, y, bud) for x, y in zip(only_a, only_b)):
        return True
    if len(only_a) > _GREEDY_LIMIT:
        return False
    rest = list(only_b)
    for x in only_a:
        match = next((i for i, y in enumerate(rest) if values_equal(x, y, bud)), None)
        if match is None:
            return False
        rest.pop(match)
    return True


def _check_value(example: Example, got: str, exc_type: str | None, seconds: float) -> bool:
    if exc_type is not None:
        return False
    want_value, got_value = literal(example.want), literal(got)
    if want_value is not _NO_VALUE and got_value is not _NO_VALUE:
        return values_equal(got_value, want_value, Budget(seconds))
    return got.strip() == example.want.strip()


def decide(
    example: Example,
    got: str,
    exc_type: str | None,
    exc_msg: str | None,
    *,
    exc_only: str | None = None,
    truncated: bool = False,
    seconds: float = COMPARE_SECONDS,
) -> tuple[bool, str | None]:
    """``(passed, reason)``: whether ``example`` passed given what the child printed/returned or
    raised. ``reason`` is set when the comparison itself could not be made (too long, or an
    error in it); it never raises.

    ``exc_only`` is the exception as ``traceback.format_exception_only`` printed it in the child
    (what doctest compares); without it the line is rebuilt from ``exc_type`` and ``exc_msg``.
    ``truncated``: ``got`` is only the start of the output (the output cap). For value-style
    examples ``got`` is the repr of the value; when ``example.want`` is not a literal, pass an
    example whose ``want`` is the repr of the evaluated expected value.
    """
    try:
        if example.style == "value":
            return _check_value(example, got, exc_type, seconds), None
        text = None if exc_type is None else _exception_text(exc_type, exc_msg, exc_only)
        return _check_doctest(example, got, exc_type, text, truncated), None
    except Exhausted:
        return False, f"comparing the result took longer than {seconds:g} s"
    except Exception as exc:  # e.g. RecursionError on absurd nesting: a failure, never a crash
        return False, f"the result could not be compared ({type(exc).__name__})"


def check(
    example: Example,
    got: str,
    exc_type: str | None,
    exc_msg: str | None,
    exc_only: str | None = None,
) -> bool:
    """Whether ``example`` passed (see ``decide``)."""
    return decide(example, got, exc_type, exc_msg, exc_only=exc_only)[0]
