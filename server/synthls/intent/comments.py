"""Comment targets: a block of full-line ``#`` comments that describes code to write.

A block is consecutive full-line comments with the same indentation. Tool pragmas (shebang,
encoding, ``type:``, ``noqa``...) are not instructions. Examples may be written in the comment
(``# >>> double(3)`` / ``# 6`` or ``# double(3) == 6``).
"""

from __future__ import annotations

import re

from synthls.intent.document import Document
from synthls.intent.examples import extract_examples
from synthls.intent.model import CommentTarget, Pos, Span
from synthls.intent.targets import function_at

_PRAGMA = re.compile(
    r"^#\s*(!|-\*-|type:|noqa|pragma|fmt:|pylint:|mypy:|ruff:|isort:|region|endregion)"
)
_MAX_BLOCK = 40


def _comment_row(doc: Document, row: int) -> str | None:
    """The comment text of ``row`` when the line holds only a comment, else None."""
    text = doc.line_text(row)
    stripped = text.lstrip()
    if not stripped.startswith("#") or _PRAGMA.match(stripped):
        return None
    col = len(text) - len(stripped)
    node = doc.tree.root_node.descendant_for_point_range((row, col), (row, col + 1))
    if node is None or node.type != "comment":
        return None  # a '#' inside a string
    return text


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def comment_at(doc: Document, line: int) -> CommentTarget | None:
    first = _comment_row(doc, line)
    if first is None:
        return None
    indent = _indent(first)
    start = end = line
    while start > 0 and line - start < _MAX_BLOCK:
        prev = _comment_row(doc, start - 1)
        if prev is None or _indent(prev) != indent:
            break
        start -= 1
    while end - line < _MAX_BLOCK:
        nxt = _comment_row(doc, end + 1)
        if nxt is None or _indent(nxt) != indent:
            break
        end += 1
    raw = [doc.line_text(r).strip() for r in range(start, end + 1)]
    text = "\n".join(r[1:][1:] if r[1:2] == " " else r[1:] for r in raw)
    if not text.strip():
        return None
    enclosing = function_at(doc, line)
    inside = enclosing.spec.name if enclosing and line > enclosing.def_line else None
    last = doc.line_text(end)
    return CommentTarget(
        text=text,
        span=Span(Pos(start, len(indent)), Pos(end, len(last))),
        indent=indent,
        inside_function=inside,
        examples=extract_examples(text, start),
    )
