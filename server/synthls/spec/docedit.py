"""Add doctest examples to a function's docstring, as a replacement of the docstring literal.

An answered question becomes an example in the user's code (``>>> safe_div(2, 4)`` / ``0.5``), so
the spec grows where the user reads it and the next check runs it. The LSP and the CLI both use
this one edit: the examples go after the last example (or before the closing quotes), at the
indentation of the docstring's text, escaped for the literal they go into (a non-raw docstring
doubles backslashes, so ``'a\\nb'`` stays the repr it is).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from synthls.spec.model import Example, FunctionTarget, Span
from synthls.spec.text import offset_of

_PREFIX = re.compile(r"^[rRbBuUfF]*")


def add_examples(
    text: str, target: FunctionTarget, examples: Sequence[Example]
) -> tuple[Span, str]:
    """(the docstring's span, its new text with ``examples`` appended as doctest lines)."""
    span = target.docstring_span
    if span is None:
        raise ValueError(f"{target.spec.name}: no docstring to add the examples to")
    start = offset_of(text, span.start.line, span.start.col)
    end = offset_of(text, span.end.line, span.end.col)
    literal = text[start:end]
    newline = "\r\n" if "\r\n" in literal or "\r\n" in text else "\n"
    prefix = _PREFIX.match(literal)
    head = prefix.group(0) if prefix else ""
    quote = literal[len(head) : len(head) + 3]
    if quote not in ('"""', "'''"):
        raise ValueError(f"{target.spec.name}: the docstring is not triple-quoted")
    raw = "r" in head.lower()
    inner = literal[len(head) + 3 : len(literal) - 3]
    lines = inner.replace("\r\n", "\n").split("\n")
    indent = _indent(lines, target)
    added = [
        indent + _escape(line, raw, quote) for ex in examples for line in _doctest_lines(ex, indent)
    ]
    after = _insert_after(lines, target, span.start.line)
    if after is None:  # no example yet: a blank line, then the examples, before the quotes
        closing_alone = len(lines) > 1 and not lines[-1].strip()
        body = lines[:-1] if closing_alone else lines
        while len(body) > 1 and not body[-1].strip():
            body = body[:-1]
        new_lines = [*body, "", *added, lines[-1] if closing_alone else indent]
    else:
        new_lines = [*lines[: after + 1], *added, *lines[after + 1 :]]
    return span, head + quote + newline.join(new_lines) + quote


def _doctest_lines(example: Example, indent: str) -> list[str]:
    source = example.source.strip().split("\n")
    out = [">>> " + source[0], *("... " + ln for ln in source[1:])]
    want = example.want.rstrip("\n")
    if want:
        out += want.split("\n")
    return out


def _escape(line: str, raw: bool, quote: str) -> str:
    if raw:
        return line
    return line.replace("\\", "\\\\").replace(quote, "\\" + "\\".join(quote))


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
