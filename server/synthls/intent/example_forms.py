"""The value-style example forms: each reads one example starting at line ``i`` of a docstring.

A form returns ``(call source, want source, last line index)`` or ``None``. ``name`` is the
function the call must name.
"""

from __future__ import annotations

import ast
import functools
import re

from synthls.intent.prefix import is_prefix
from synthls.intent.prose_values import (
    arguments,
    assignments,
    clean_want,
    is_call_of,
    is_value,
    want_text,
)
from synthls.intent.scan import flatten, matching_close, split_top

MAX_SPAN = 40  # lines a single multi-line example may cover
Found = tuple[str, str, int]

_SEPARATOR = re.compile(
    r"\s*(?:#\s*)?(?:==>|==|=>|->|-->|➞|→|=(?!=)|should\s+return|should\s+be|will\s+return|returns)\s*",
    re.I,
)
_ASSERT = re.compile(r"\s*(?:[*\-•]\s*)?assert\s+(.+)$")
_INPUT = re.compile(r"\s*input\s*:\s*(.*)$", re.I)
_OUTPUT = re.compile(r"\s*output\s*:\s*(.*)$", re.I)
_RETURN = re.compile(
    r"\s*(?:[*\-•]\s*)?(?:return|returns|output|result)\s*(?:=(?!=)|:|->|=>)?\s*(.+)$", re.I
)
_NAMED = re.compile(r"\s*([A-Za-z_]\w*)\s*=(?!=)")  # then the value: the rest, stripped
_CALL_START = re.compile(r"(?<![\w.])(\w+)\s*\(")  # a name followed by "(": compiled once
_STEP = re.compile(r"\s*(?:->|-->|=>|→|➞)")
_FOR = re.compile(r"\s*for\s+", re.I)  # then the arguments, up to the first _FOR_TAIL
_FOR_TAIL = re.compile(
    r",?\s+(?:then\s+)?(?:the\s+)?(?:output|result|answer|return\s+value)"
    r"\s+(?:should\s+be|will\s+be|is)\s*:?\s+(?P<want>.+)$",
    re.I,
)
_SPACE_RUN = re.compile(r"\s+")


def find(lines: list[str], i: int, name: str, params: tuple[str, ...] = ()) -> Found | None:
    """The example that starts on line ``i`` in any form, or ``None``.

    ``params`` (the function's positional parameter names, when known) enables the
    ``x = 1`` ... ``return 2`` form, which needs them to tell arguments from prose.
    """
    return (
        _assert_form(lines, i, name)
        or _call_form(lines, i, name)
        or _io_form(lines, i, name)
        or _for_form(lines, i, name)
        or (_assign_form(lines, i, name, params) if params else None)
    )


def _assert_form(lines: list[str], i: int, name: str) -> Found | None:
    """``assert <expr using f(...)> == y`` (or any assert on a call of f: it must be true)."""
    m = _ASSERT.match(lines[i])
    if m is None or _call_start(m.group(1), name) is None:
        return None
    depth: int | None = 0  # of brackets at the end of line j; None: not known
    for j in range(i, min(len(lines), i + MAX_SPAN)):
        summary = _brackets(m.group(1) if j == i else lines[j]) if depth is not None else None
        if depth is not None and summary is not None:
            if depth + summary[1] < 0:
                return None  # a bracket closed that was never opened: no line can mend it
            depth += summary[0]
            if depth > 0:
                continue  # a bracket is open: the text cannot parse yet
        else:
            depth = None  # a string or comment the scan cannot follow: parse at every line
        text = flatten("\n".join([m.group(1), *lines[i + 1 : j + 1]]))
        try:
            test = ast.parse(f"assert {text}").body[0]
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        if not isinstance(test, ast.Assert):
            return None
        statement, node = f"assert {text}", test.test
        left, want = f"bool({ast.get_source_segment(statement, node)})", "True"
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Eq):
            left = ast.get_source_segment(statement, node.left) or ""
            want = ast.get_source_segment(statement, node.comparators[0]) or ""
        calls = [
            n
            for n in ast.walk(node)
            if isinstance(n, ast.Call) and is_call_of(ast.unparse(n), name)
        ]
        if calls and is_value(left, "") and is_value(want, name):
            return left, want, j
        return None
    return None


@functools.lru_cache(maxsize=4096)
def _brackets(line: str) -> tuple[int, int] | None:
    """The bracket depth ``line`` adds and the lowest it reaches on the way (``(a))`` gives
    ``(-1, -1)``), brackets in strings not counted; ``None`` when the line leaves a string open,
    holds a triple quote, or has a comment or a backslash outside strings.

    Lets ``_assert_form`` parse only where the brackets are closed, instead of once per line of
    its span for every ``assert`` line: a block of unclosed ``assert f(`` lines cost 40 parses of
    up to 40 lines for each line.
    """
    if "'''" in line or '"""' in line:
        return None
    depth = low = 0
    quote, i = "", 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "#\\":
            return None
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            low = min(low, depth)
        i += 1
    return None if quote else (depth, low)


def _call_start(line: str, name: str) -> re.Match[str] | None:
    """The first ``name(`` in ``line`` that is not part of a longer name or attribute."""
    if name not in line:
        return None
    return next((m for m in _CALL_START.finditer(line) if m.group(1) == name), None)


def _call_form(lines: list[str], i: int, name: str) -> Found | None:
    """``f(args) <separator> want`` starting on line ``i`` (the call may span lines)."""
    line = lines[i]
    m = _call_start(line, name)
    if m is None or not is_prefix(line[: m.start()].strip()):
        return None
    text = "\n".join(lines[i : i + MAX_SPAN])
    close = matching_close(text, m.end() - 1)
    if close is None:
        return None
    source = text[m.start() : close + 1]
    rest_start = close + 1
    sep = _SEPARATOR.match(text, rest_start)
    end_of_line = text.find("\n", rest_start)
    if sep is None or (end_of_line != -1 and sep.end() > end_of_line):
        return None
    want, want_end = want_text(text, sep.end(), name)
    if want is None or not is_call_of(source, name):
        return None
    return flatten(source), want, i + text.count("\n", 0, want_end)


def _io_form(lines: list[str], i: int, name: str) -> Found | None:
    """``Input: args`` (or ``name : value`` lines below it) then ``Output: want``."""
    m = _INPUT.match(lines[i])
    if m is None:
        return None
    parts = [m.group(1)] if m.group(1).strip() else []
    j = i + 1
    while j < len(lines) and j < i + MAX_SPAN and _OUTPUT.match(lines[j]) is None:
        if lines[j].strip():
            parts.append(lines[j].strip())
        j += 1
    out = _OUTPUT.match(lines[j]) if j < len(lines) else None
    if out is None or not parts:
        return None
    args = arguments(", ".join(parts))
    want = clean_want(out.group(1), name)
    if args is None or want is None:
        return None
    source = f"{name}({args})"
    return (source, want, j) if is_call_of(source, name) else None


def _for_form(lines: list[str], i: int, name: str) -> Found | None:
    """``For x = 1, y = 2 the output should be 3`` (one line)."""
    parts = _for_parts(lines[i])
    if parts is None:
        return None
    values = assignments(parts[0])
    want = clean_want(parts[1], name)
    if not values or want is None:
        return None
    source = f"{name}({', '.join(values)})"
    return (source, want, i) if is_call_of(source, name) else None


def _for_parts(line: str) -> tuple[str, str] | None:
    """The arguments and the expected value of a ``For ... the output is ...`` line.

    The arguments end where the first ``, the output is ...`` tail starts. That tail starts
    with whitespace (or a comma before it) and what follows the whitespace does not depend on
    where in it the tail starts, so it is tried once per run of whitespace, each try reading a
    few words ahead: linear time (a lazy ``.+?`` before the tail, tried at every character,
    was quadratic). A line whose arguments would be only whitespace has no example either way.
    """
    m = _FOR.match(line)
    if m is None:
        return None
    start = m.end()  # the arguments start at a non-space character
    for run in _SPACE_RUN.finditer(line, start + 1):
        at = run.start()
        if line[at - 1] == "," and at - 1 > start:
            at -= 1
        tail = _FOR_TAIL.match(line, at)
        if tail is not None:
            return line[start:at], tail.group("want")
    return None


def _assign_form(lines: list[str], i: int, name: str, params: tuple[str, ...]) -> Found | None:
    """``arr = [2, 1]`` (every parameter, by name), working lines starting with an arrow, then
    ``return [1, 2]`` (or ``output:``/``result =``) within a few lines."""
    values = dict(_named_values(lines[i]))
    if list(values) != list(params):
        return None
    for j in range(i + 1, min(len(lines), i + 8)):
        m = _RETURN.match(lines[j])
        if m is not None:
            want = clean_want(m.group(1), name)
            source = f"{name}({', '.join(values.values())})"
            return (source, want, j) if want is not None and is_call_of(source, name) else None
        if lines[j].strip() and _STEP.match(lines[j]) is None:
            return None
    return None


def _named_values(line: str) -> list[tuple[str, str]]:
    """``a = 1, b = [2]`` -> ``[("a", "1"), ("b", "[2]")]`` (empty unless the line is only that)."""
    out = []
    for part in split_top(line):
        m = _NAMED.match(part)
        value = part[m.end() :].strip() if m is not None else ""
        if m is None or not value or not is_value(value, ""):
            return []
        out.append((m.group(1), value))
    return out
