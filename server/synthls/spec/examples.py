"""Extract examples from a docstring, in every form people write them.

One extractor serves the sandbox, the synthesizers and the diagnostics, so an example that is
checked is the same example that is reported, on the same line.

Forms understood:

* doctest (``>>> f(1)`` then the output): ``style="doctest"``, compared by doctest's rules.
  Each ``>>>`` block is parsed on its own, so one malformed block loses only itself; a
  ``>>> f(x) == y`` with no output line below is read as expecting ``True``;
* a call of the function followed by its expected value: ``f(x) == y``, ``f(x) -> y``,
  ``f(x) => y``, ``f(x) ==> y``, ``f(x) ➞ y``, ``f(x) = y``, ``f(x) returns y``,
  ``f(x) should return y``, ``f(x)  # returns y``, optionally after ``for``, a bullet or an
  ``Example:`` label; the call and the value may span several lines;
* ``assert <expression using f(...)> == y`` (and ``assert <condition on f(...)>``, expected
  ``True``), parsed by Python itself;
* ``Input: ...`` / ``Output: ...`` blocks (arguments inline, as ``name = value`` pairs, or as
  ``name : value`` lines);
* ``For x = 1, y = 2 the output should be 3``.

All but doctest become ``style="value"``: ``source`` is the call expression, ``want`` the
expected-value expression, both Python source that parses on its own; trailing prose (a
``# comment``, a parenthesised remark, a sentence's full stop, ``1 + 2 = 3`` working) is cut
from ``want``, and ``true``/``false``/``null`` read as Python. A line only becomes an example
when it really calls the function (by name) with concrete arguments, so prose that mentions
the function (``f(n) = f(n - 1) + 1, if n is odd``) is never taken for an example.
"""

from __future__ import annotations

import ast
import builtins
import doctest
import re
from collections.abc import Iterator

from synthls.spec.model import Example
from synthls.spec.scan import (
    first_bracket,
    flatten,
    matching_close,
    opens_bracket,
    parses,
    split_top,
)

_PARSER = doctest.DocTestParser()
_FLAG_NAMES = {value: name for name, value in doctest.OPTIONFLAGS_BY_NAME.items()}
_MAX_SPAN = 40  # lines a single multi-line example may cover
_BUILTIN_NAMES = frozenset(dir(builtins))
_LITERAL_WORDS = {"true": "True", "false": "False", "none": "None", "null": "None"}

_PREFIX = re.compile(
    r"(?:[*\-•+]\s*|\d+[.)]\s*|(?:(?:for|assert|instance|examples?|samples?|tests?|usage|ex)"
    r"(?:\s*\d+)?\b|e\.g\.?|i\.e\.?)[.:,]?\s*)*",
    re.I,
)
_SEPARATOR = re.compile(
    r"\s*(?:#\s*)?(?:==>|==|=>|->|-->|➞|→|=(?!=)|should\s+return|should\s+be|will\s+return|returns)\s*",
    re.I,
)
_ASSERT = re.compile(r"\s*(?:[*\-•]\s*)?assert\s+(.+)$")
_INPUT = re.compile(r"\s*input\s*:\s*(.*)$", re.I)
_OUTPUT = re.compile(r"\s*output\s*:\s*(.*)$", re.I)
_FOR = re.compile(
    r"\s*for\s+(?P<args>.+?),?\s+(?:then\s+)?(?:the\s+)?(?:output|result|answer|return\s+value)"
    r"\s+(?:should\s+be|will\s+be|is)\s*:?\s+(?P<want>.+)$",
    re.I,
)
_ASSIGN = re.compile(r"\s*([A-Za-z_]\w*)\s*(?:=(?!=)|:)\s*(.+?)\s*$", re.S)
_TRAILING_PAREN = re.compile(r"\s+\([^()]*\)\s*$")


def extract_examples(
    docstring: str, first_line: int = 0, func_name: str = ""
) -> tuple[Example, ...]:
    """Examples stated in ``docstring``; line numbers are offset by ``first_line``.

    ``first_line`` is the document line holding the docstring's first text line. Without
    ``func_name`` only doctest examples are found (the other forms name the function).
    """
    found = list(_doctest_examples(docstring, first_line, func_name))
    if func_name:
        taken: set[int] = set()
        for ex in found:
            taken.update(range(ex.line - first_line, (ex.end_line or ex.line) - first_line + 1))
        lines = docstring.split("\n")
        found.extend(_value_examples(lines, first_line, func_name, taken))
    found.sort(key=lambda ex: ex.line)
    return tuple(found)


def _doctest_examples(docstring: str, first_line: int, name: str) -> Iterator[Example]:
    """Doctest examples, one ``>>>`` block at a time so one malformed block spoils only itself."""
    lines = docstring.split("\n")
    starts = [i for i, line in enumerate(lines) if line.lstrip().startswith(">>>")]
    for start, stop in zip(starts, [*starts[1:], len(lines)]):
        try:
            parsed = _PARSER.get_examples("\n".join(lines[start:stop]))
        except ValueError:  # inconsistent indentation etc.: skip this block, keep the others
            continue
        for ex in parsed:
            yield _doctest_example(ex, first_line + start, name)


def _doctest_example(ex: doctest.Example, offset: int, name: str) -> Example:
    flags = tuple(sorted(_FLAG_NAMES[f] for f, on in ex.options.items() if on and f in _FLAG_NAMES))
    want = ex.want
    if not want and name and ex.exc_msg is None and _is_equality_check(ex.source, name):
        want = "True\n"  # `>>> f(x) == y` with nothing below: the author means it holds
    n_lines = ex.source.count("\n") + ex.want.count("\n")
    return Example(
        source=ex.source.rstrip("\n"),
        want=want,
        line=offset + ex.lineno,
        style="doctest",
        flags=flags,
        exc_msg=ex.exc_msg,
        end_line=offset + ex.lineno + max(n_lines - 1, 0),
    )


def _is_equality_check(source: str, name: str) -> bool:
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.Eq)
        and _is_call_of(ast.unparse(node.left), name)
    )


def _value_examples(
    lines: list[str], first_line: int, name: str, taken: set[int]
) -> Iterator[Example]:
    call_start = re.compile(rf"(?<![\w.]){re.escape(name)}\s*\(")
    i = 0
    while i < len(lines):
        if i in taken:
            i += 1
            continue
        found = _assert_form(lines, i, name) or _call_form(lines, i, name, call_start)
        found = found or _io_form(lines, i, name)
        found = found or _for_form(lines, i, name)
        if found is None:
            i += 1
            continue
        source, want, last = found
        yield Example(source, want, first_line + i, "value", end_line=first_line + last)
        i = last + 1


# --- the forms -----------------------------------------------------------------------------


def _assert_form(lines: list[str], i: int, name: str) -> tuple[str, str, int] | None:
    """``assert <expr using f(...)> == y`` (or any assert on a call of f: it must be true)."""
    m = _ASSERT.match(lines[i])
    if m is None or not re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", m.group(1)):
        return None
    for j in range(i, min(len(lines), i + _MAX_SPAN)):
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
            if isinstance(n, ast.Call) and _is_call_of(ast.unparse(n), name)
        ]
        if calls and _is_value(left, "") and _is_value(want, name):
            return left, want, j
        return None
    return None


def _call_form(
    lines: list[str], i: int, name: str, call_start: re.Pattern[str]
) -> tuple[str, str, int] | None:
    """``f(args) <separator> want`` starting on line ``i`` (the call may span lines)."""
    line = lines[i]
    m = call_start.search(line)
    if m is None or _PREFIX.fullmatch(line[: m.start()].strip()) is None:
        return None
    text = "\n".join(lines[i : i + _MAX_SPAN])
    close = matching_close(text, m.end() - 1)
    if close is None:
        return None
    source = text[m.start() : close + 1]
    rest_start = close + 1
    sep = _SEPARATOR.match(text, rest_start)
    end_of_line = text.find("\n", rest_start)
    if sep is None or (end_of_line != -1 and sep.end() > end_of_line):
        return None
    want, want_end = _want_text(text, sep.end(), name)
    if want is None or not _is_call_of(source, name):
        return None
    return flatten(source), want, i + text.count("\n", 0, want_end)


def _io_form(lines: list[str], i: int, name: str) -> tuple[str, str, int] | None:
    """``Input: args`` (or ``name : value`` lines below it) then ``Output: want``."""
    m = _INPUT.match(lines[i])
    if m is None:
        return None
    parts = [m.group(1)] if m.group(1).strip() else []
    j = i + 1
    while j < len(lines) and j < i + _MAX_SPAN and _OUTPUT.match(lines[j]) is None:
        if lines[j].strip():
            parts.append(lines[j].strip())
        j += 1
    out = _OUTPUT.match(lines[j]) if j < len(lines) else None
    if out is None or not parts:
        return None
    args = _arguments(", ".join(parts))
    want = _clean_want(out.group(1), name)
    if args is None or want is None:
        return None
    source = f"{name}({args})"
    return (source, want, j) if _is_call_of(source, name) else None


def _for_form(lines: list[str], i: int, name: str) -> tuple[str, str, int] | None:
    """``For x = 1, y = 2 the output should be 3`` (one line)."""
    m = _FOR.match(lines[i])
    if m is None:
        return None
    values = _assignments(m.group("args"))
    want = _clean_want(m.group("want"), name)
    if not values or want is None:
        return None
    source = f"{name}({', '.join(values)})"
    return (source, want, i) if _is_call_of(source, name) else None


# --- pieces --------------------------------------------------------------------------------


def _want_text(text: str, start: int, name: str) -> tuple[str | None, int]:
    """The expected-value expression from ``start`` to the end of its line (or of its brackets)."""
    end = text.find("\n", start)
    end = len(text) if end == -1 else end
    want = _clean_want(text[start:end], name)
    if want is None and opens_bracket(text[start:end]):
        close = matching_close(text, first_bracket(text, start))
        if close is not None:
            end = text.find("\n", close)
            end = len(text) if end == -1 else end
            want = _clean_want(flatten(text[start:end]), name)
    return want, end


def _clean_want(raw: str, name: str = "") -> str | None:
    """The first reading of ``raw`` that is a concrete value, trailing prose removed."""
    text = raw.strip()
    if not text:
        return None
    bases = [text[: h.start()].strip() for h in re.finditer(r"\s#", text)]
    bases += [text, _TRAILING_PAREN.sub("", text)]
    bases.append(text.rsplit("=", 1)[-1].strip() if "=" in text else "")
    for base in bases:
        for t in (base.rstrip(".").rstrip(), base):
            t = _LITERAL_WORDS.get(t.lower(), t)
            if t and _is_value(t, name):
                return t
    return None


def _is_value(text: str, name: str) -> bool:
    """``text`` parses as an expression that names no prose variable and not the function."""
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    bases = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    bases |= {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and (
            node.id == name or (id(node) not in bases and _is_prose_name(node))
        ):
            return False
    return True


def _arguments(text: str) -> str | None:
    """Argument source from ``a = 1, b = [2]`` / ``a : 1`` pairs, or from bare values."""
    values = _assignments(text)
    if values:
        return ", ".join(values)
    return text.strip() if parses(f"f({text})") else None


def _assignments(text: str) -> list[str]:
    """Values of the leading ``name = value`` (or ``name : value``) pairs of ``text``."""
    values: list[str] = []
    for part in split_top(text):
        m = _ASSIGN.fullmatch(part)
        if m is None or not parses(m.group(2)):
            break
        values.append(m.group(2))
    return values


def _is_call_of(source: str, name: str) -> bool:
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
    return not any(_is_prose_name(a) for a in args)


def _is_prose_name(node: ast.expr) -> bool:
    if isinstance(node, ast.Starred):
        node = node.value
    return isinstance(node, ast.Name) and node.id not in _BUILTIN_NAMES and not node.id.isupper()
