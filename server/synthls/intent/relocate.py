"""Re-find a target in a newer text of its document, so an edit computed on a snapshot can land.

A synthesis starts from a snapshot of the document; when its result is ready the user may have
typed elsewhere. The target's own lines (its definition with decorators, or a comment block) are
looked up in the current text. Found unchanged, every position inside them moved by the same number
of lines, so the edit computed on the snapshot is rebased by that shift. Changed or gone, there is
nothing safe to apply: the caller refuses and the user's text stays as typed.
"""

from __future__ import annotations

from dataclasses import dataclass

from synthls.intent.document import Document
from synthls.intent.model import Pos, Span
from synthls.intent.targets import function_node_at, qualname


@dataclass(frozen=True)
class Anchor:
    """The target's full lines as they were in the snapshot."""

    text: str  # lines ``first_line``..``last_line`` of the snapshot, line breaks included
    first_line: int
    last_line: int
    def_line: int | None = None  # a function target: the line of its ``def``
    qualname: str | None = None  # ... and the function that must still be defined there


def anchor_of(doc: Document, span: Span, def_line: int | None = None) -> Anchor:
    """Anchor ``span`` (whole lines) of ``doc``; ``def_line``: the span is that function's."""
    name = None
    if def_line is not None:
        node = function_node_at(doc, def_line)
        name = qualname(doc, node) if node is not None else None
    first, last = span.start.line, span.end.line
    return Anchor(doc.lines_text(first, last), first, last, def_line, name)


def _occurrences(text: str, needle: str) -> list[int]:
    """Line numbers where ``needle`` starts at a line start and ends at a line end."""
    out, i = [], text.find(needle)
    while i >= 0 and needle:
        end = i + len(needle)
        at_start = i == 0 or text[i - 1] == "\n"
        at_end = needle.endswith("\n") or end == len(text) or text[end] in "\r\n"
        if at_start and at_end:
            out.append(text.count("\n", 0, i))
        i = text.find(needle, i + 1)
    return out


def _same_function(doc: Document, anchor: Anchor, delta: int) -> bool:
    if anchor.def_line is None:
        return True
    node = function_node_at(doc, anchor.def_line + delta)
    if node is None or qualname(doc, node) != anchor.qualname:
        return False
    outer = node.parent if node.parent and node.parent.type == "decorated_definition" else node
    return (outer.start_point[0], outer.end_point[0]) == (
        anchor.first_line + delta,
        anchor.last_line + delta,
    )


def relocate(doc: Document, anchor: Anchor) -> int | None:
    """How many lines the anchored text moved in ``doc``; None when it is not there unchanged.

    Several identical copies: the one nearest its old place.
    """
    found = [
        line - anchor.first_line
        for line in _occurrences(doc.text, anchor.text)
        if _same_function(doc, anchor, line - anchor.first_line)
    ]
    return min(found, key=abs) if found else None


def shift(span: Span, delta: int) -> Span:
    return Span(
        Pos(span.start.line + delta, span.start.col), Pos(span.end.line + delta, span.end.col)
    )


def inside(anchor: Anchor, span: Span) -> bool:
    return anchor.first_line <= span.start.line and span.end.line <= anchor.last_line
