"""Conversions between synthls' domain positions (code points) and LSP positions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from synthls.intent.document import Document
from synthls.intent.model import Pos, Span


class Lines(Sequence[str]):
    """The document's lines (with their breaks) as the position codec reads them, one at a time:
    converting a position must not split a 50,000-line text."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.n = doc.text.count("\n") + (0 if doc.text.endswith("\n") or not doc.text else 1)

    def __len__(self) -> int:
        return self.n

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.n))]
        j = i + self.n if i < 0 else i
        if not 0 <= j < self.n:
            raise IndexError(i)
        return self.doc.lines_text(j, j)


def lines_of(doc: Document) -> Lines:
    lines = doc.cache.get("lsp_lines")
    if not isinstance(lines, Lines):
        lines = doc.cache["lsp_lines"] = Lines(doc)
    return lines


def to_client_range(codec: PositionCodec, doc: Document, span: Span) -> types.Range:
    lines = lines_of(doc)
    start = codec.position_to_client_units(lines, types.Position(span.start.line, span.start.col))
    end = codec.position_to_client_units(lines, types.Position(span.end.line, span.end.col))
    return types.Range(start=start, end=end)


def from_client_position(
    codec: PositionCodec, lines: Sequence[str], position: types.Position
) -> Pos:
    server = codec.position_from_client_units(lines, position)
    return Pos(server.line, server.character)


def apply_changes(
    codec: PositionCodec, doc: Document, changes: list[types.TextDocumentContentChangeEvent]
) -> None:
    """Apply LSP content changes to our shadow document (incremental tree-sitter re-parse)."""
    for change in changes:
        if isinstance(change, types.TextDocumentContentChangePartial):
            lines = lines_of(doc)
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
