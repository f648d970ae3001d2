"""Conversions between synthls' domain positions (code points) and LSP positions."""

from __future__ import annotations

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from synthls.spec.document import Document
from synthls.spec.model import Pos, Span


def _lines(doc: Document) -> list[str]:
    return doc.text.splitlines(keepends=True)


def to_client_range(codec: PositionCodec, doc: Document, span: Span) -> types.Range:
    lines = _lines(doc)
    start = codec.position_to_client_units(lines, types.Position(span.start.line, span.start.col))
    end = codec.position_to_client_units(lines, types.Position(span.end.line, span.end.col))
    return types.Range(start=start, end=end)


def from_client_position(codec: PositionCodec, lines: list[str], position: types.Position) -> Pos:
    server = codec.position_from_client_units(lines, position)
    return Pos(server.line, server.character)


def apply_changes(
    codec: PositionCodec, doc: Document, changes: list[types.TextDocumentContentChangeEvent]
) -> None:
    """Apply LSP content changes to our shadow document (incremental tree-sitter re-parse)."""
    for change in changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            lines = _lines(doc)
            start = from_client_position(codec, lines, change.range.start)
            end = from_client_position(codec, lines, change.range.end)
            doc.apply_change(start, end, change.text)
        else:
            doc.apply_change(None, None, change.text)


def line_range(codec: PositionCodec, doc: Document, line: int) -> types.Range:
    """The non-blank part of a line."""
    text = doc.line_text(line)
    start = len(text) - len(text.lstrip())
    return to_client_range(codec, doc, Span(Pos(line, start), Pos(line, len(text))))
