"""Add doctest examples to a function's docstring, as a replacement of the docstring literal.

An answered question becomes an example in the user's code (``>>> safe_div(2, 4)`` / ``0.5``), so
the spec grows where the user reads it and the next check runs it. The LSP and the CLI both use
this one edit: the examples go after the last example (or before the closing quotes), at the
indentation of the docstring's text, escaped for the literal they go into (a non-raw docstring
doubles backslashes, so ``'a\\nb'`` stays the repr it is). A one-quote docstring becomes a
three-quote one. A raw docstring cannot escape: an example holding its closing quotes (or what
source text cannot hold as it is) is refused with a ValueError, never written to break the file;
the new literal is read back to check it is one string that holds the examples exactly.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence

from synthls.intent.model import Example, FunctionTarget, Span
from synthls.intent.text import offset_of

_PREFIX = re.compile(r"^[rRbBuUfF]*")
# what the text of a string literal cannot hold as it is: a NUL, a carriage return (read as a
# newline) and lone surrogates (no UTF-8 for them); a non-raw literal writes them as escapes
_UNWRITABLE = re.compile("[\x00\r\ud800-\udfff]")


def add_examples(
    text: str, target: FunctionTarget, examples: Sequence[Example]
) -> tuple[Span, str]:
    """(the docstring's span, its new text with ``examples`` appended as doctest lines).

    ValueError, and nothing to write, when the examples cannot go into this docstring as they
    read: a raw docstring cannot hold its own closing quotes nor escape what source text cannot
    hold (a NUL, a carriage return, a lone surrogate). The new literal is read back before it is
    returned: it is one string holding the examples exactly, or a ValueError.
    """
    name = target.spec.name
    span = target.docstring_span
    if span is None:
        raise ValueError(f"{name}: no docstring to add the examples to")
    start = offset_of(text, span.start.line, span.start.col)
    end = offset_of(text, span.end.line, span.end.col)
    literal = text[start:end]
    newline = "\r\n" if "\r\n" in literal or "\r\n" in text else "\n"
    prefix = _PREFIX.match(literal)
    head = prefix.group(0) if prefix else ""
    opening = literal[len(head) : len(head) + 3]
    if opening in ('"""', "'''"):
        quote, inner = opening, literal[len(head) + 3 : len(literal) - 3]
    elif opening[:1] in ('"', "'") and len(literal) >= len(head) + 2:
        # a one-quote docstring grows into a three-quote one: its text means the same there
        quote, inner = opening[0] * 3, literal[len(head) + 1 : len(literal) - 1]
    else:
        raise ValueError(f"{name}: the docstring is not a string literal synthls can extend")
    if "b" in head.lower() or "f" in head.lower():
        raise ValueError(f"{name}: the docstring is a {head} literal, not a plain string")
    raw = "r" in head.lower()
    lines = inner.replace("\r\n", "\n").split("\n")
    indent = _indent(lines, target)
    plain = [indent + line for ex in examples for line in _doctest_lines(ex, indent)]
    added = [_escape(line, raw, quote, name) for line in plain]
    after = _insert_after(lines, target, span.start.line)
    if after is None:  # no example yet: a blank line, then the examples, before the quotes
        closing_alone = len(lines) > 1 and not lines[-1].strip()
        body = lines[:-1] if closing_alone else lines
        while len(body) > 1 and not body[-1].strip():
            body = body[:-1]
        new_lines = [*body, "", *added, lines[-1] if closing_alone else indent]
    else:
        new_lines = [*lines[: after + 1], *added, *lines[after + 1 :]]
    new = head + quote + newline.join(new_lines) + quote
    _read_back(new, plain, name)
    return span, new


def _read_back(literal: str, plain: list[str], name: str) -> None:
    """ValueError unless ``literal`` is one string literal whose value holds the lines ``plain``."""
    try:
        value = ast.literal_eval(literal.replace("\r\n", "\n"))
    except (SyntaxError, ValueError, TypeError, MemoryError, RecursionError) as exc:
        raise ValueError(f"{name}: the docstring would no longer be valid Python ({exc})") from None
    if not isinstance(value, str) or "\n".join(plain) not in value:
        raise ValueError(f"{name}: the docstring would not read as the examples it was given")


def _doctest_lines(example: Example, indent: str) -> list[str]:
    source = example.source.strip().split("\n")
    out = [">>> " + source[0], *("... " + ln for ln in source[1:])]
    want = example.want.rstrip("\n")
    if want:
        out += want.split("\n")
    return out


def _escape(line: str, raw: bool, quote: str, name: str) -> str:
    """``line`` as the text of a (raw) docstring closed by ``quote``; ValueError for a raw one
    that cannot hold it."""
    if raw:
        if quote in line or _UNWRITABLE.search(line):
            what = quote if quote in line else repr(_UNWRITABLE.findall(line)[0])
            raise ValueError(
                f"{name}: an example holds {what}, which its raw docstring cannot hold; "
                "add it by hand or make the docstring non-raw"
            )
        return line
    line = line.replace("\\", "\\\\").replace(quote, "\\" + "\\".join(quote))
    return _UNWRITABLE.sub(lambda m: repr(m.group(0))[1:-1], line)


def _indent(lines: list[str], target: FunctionTarget) -> str:
    """The indentation of the docstring's text lines (the body's when it has none)."""
    for line in lines[1:]:
        if line.strip():
            return line[: len(line) - len(line.lstrip())]
    return target.indent


def _insert_after(lines: list[str], target: FunctionTarget, first: int) -> int | None:
    """The index of the literal's line after which the new examples go, None without any."""
    last = None
    for ex in target.spec.examples:
        if ex.line < 0:
            continue
        end = ex.end_line if ex.end_line is not None else ex.line
        last = end if last is None else max(last, end)
    if last is None:
        return None
    index = last - first
    if index < 0:
        return None
    return min(index, len(lines) - 2) if len(lines) > 1 else None
