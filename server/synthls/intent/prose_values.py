"""Read Python values out of docstring prose: expected values, calls, ``name = value`` pairs.

The example extractor's building blocks. Each reader either returns Python source that parses on
its own and names nothing that only exists in the prose, or ``None``.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterator
from typing import Any

from synthls.intent.scan import (
    first_bracket,
    flatten,
    matching_close,
    opens_bracket,
    parses,
    split_top,
)

BUILTIN_NAMES = frozenset(dir(builtins))
LITERAL_WORDS = {"true": "True", "false": "False", "none": "None", "null": "None"}
_ASSIGN = re.compile(r"\s*([A-Za-z_]\w*)\s*(?:=(?!=)|:)")  # then the value: the rest, stripped
_COMMENT = re.compile(r"\s#")
MAX_CUTS = 32  # comments cut off a value, at most, when none leaves text that parses
NO_VALUE = object()  # what ``literal`` returns for text that is not a literal


MAX_LITERAL = 2 << 20  # characters (over the sandbox's 1 MiB output): longer is compared as text


def literal(text: str) -> Any:
    """The value of a literal repr, or ``NO_VALUE`` when it is not a literal or is longer than
    ``MAX_LITERAL`` (a docstring's or a candidate's 5 MB value would take seconds and gigabytes
    of the server to parse; the sandbox's child evaluates such an expected value instead)."""
    if len(text) > MAX_LITERAL:
        return NO_VALUE
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return NO_VALUE


def is_literal(text: str) -> bool:
    """Whether ``text`` parses as a Python literal."""
    return literal(text) is not NO_VALUE


def want_text(text: str, start: int, name: str) -> tuple[str | None, int]:
    """The expected-value expression from ``start`` to the end of its line (or of its brackets)."""
    end = text.find("\n", start)
    end = len(text) if end == -1 else end
    want = clean_want(text[start:end], name)
    if want is None and opens_bracket(text[start:end]):
        close = matching_close(text, first_bracket(text, start))
        if close is not None:
            end = text.find("\n", close)
            end = len(text) if end == -1 else end
            want = clean_want(flatten(text[start:end]), name)
    return want, end


def clean_want(raw: str, name: str = "") -> str | None:
    """The first reading of ``raw`` that is a concrete value, trailing prose removed."""
    text = raw.strip()
    if not text:
        return None
    for base in _readings(text):
        for t in (base.rstrip(".").rstrip(), base):
            t = LITERAL_WORDS.get(t.lower(), t)
            if t and is_value(t, name):
                return t
    return None


def _readings(text: str) -> Iterator[str]:
    """``text`` cut before each ``#`` comment, whole, without a trailing ``(remark)``, and
    after its last ``=``: the readings ``clean_want`` tries, in order.

    Once a cut leaves text that parses, the later cuts are that text and a comment (to the end
    of a line: only for one line), which read the same and are skipped; at most ``MAX_CUTS``
    cuts are tried, so a line of many ``#`` costs linear time, not one parse per ``#``.
    """
    one_line = "\n" not in text and "\r" not in text
    for n, h in enumerate(_COMMENT.finditer(text)):
        if n == MAX_CUTS:
            break
        base = text[: h.start()].strip()
        yield base
        if one_line and parses(base):
            break
    yield text
    yield _without_remark(text)
    yield text.rsplit("=", 1)[-1].strip() if "=" in text else ""


def _without_remark(text: str) -> str:
    r"""``text`` without a trailing ``(remark)`` that follows whitespace (``3 (see above)``).

    What ``re.sub(r"\s+\([^()]*\)\s*$", "", text)`` does, by scanning: that pattern, tried at
    every space of a long run before a ``(``, took quadratic time.
    """
    body = text.rstrip()
    if not body.endswith(")"):
        return text
    opening = body.rfind("(", 0, len(body) - 1)
    if opening < 1 or ")" in body[opening + 1 : -1] or not body[opening - 1].isspace():
        return text
    return body[:opening].rstrip()


def is_value(text: str, name: str) -> bool:
    """``text`` parses as an expression that names no prose variable and not the function."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    bases = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    bases |= {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and (
            node.id == name or (id(node) not in bases and is_prose_name(node))
        ):
            return False
    return True


def arguments(text: str) -> str | None:
    """Argument source from ``a = 1, b = [2]`` / ``a : 1`` pairs, or from bare values."""
    values = assignments(text)
    if values:
        return ", ".join(values)
    return text.strip() if parses(f"f({text})") else None


def assignments(text: str) -> list[str]:
    """Values of the leading ``name = value`` (or ``name : value``) pairs of ``text``."""
    values: list[str] = []
    for part in split_top(text):
        m = _ASSIGN.match(part)
        value = part[m.end() :].strip() if m is not None else ""
        if m is None or not value or not parses(value):
            break
        values.append(value)
    return values


def is_call_of(source: str, name: str) -> bool:
    """``source`` is one call of ``name`` whose arguments are concrete (no prose variables)."""
    try:
        node = ast.parse(flatten(source), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    if not (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ):
        return False
    args = [*node.args, *(k.value for k in node.keywords)]
    return not any(is_prose_name(a) for a in args)


def is_prose_name(node: ast.expr) -> bool:
    if isinstance(node, ast.Starred):
        node = node.value
    return isinstance(node, ast.Name) and node.id not in BUILTIN_NAMES and not node.id.isupper()
