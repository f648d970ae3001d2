"""A parsed Python document that re-parses incrementally as the editor changes it.

tree-sitter works on UTF-8 bytes; the rest of synthls works on (line, code-point column). This
module owns that conversion. Edits are applied to the text and to the tree (``Tree.edit``) so the
next parse reuses the unchanged parts.
"""

from __future__ import annotations

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Point, Tree

from synthls.intent.model import Pos

PY_LANGUAGE = Language(tree_sitter_python.language())


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    find = data.find
    i = find(b"\n")
    while i >= 0:
        starts.append(i + 1)
        i = find(b"\n", i + 1)
    return starts


class Document:
    """Text + tree-sitter tree, kept in sync through :meth:`apply_change`."""

    def __init__(self, text: str, version: int | None = None) -> None:
        self.parser = Parser(PY_LANGUAGE)
        self.version = version
        self._set_text(text)
        self.tree: Tree = self.parser.parse(self.data)

    def _set_text(self, text: str) -> None:
        self.cache: dict[str, object] = {}  # derived data, dropped on every change
        self.text = text
        self.data = text.encode("utf-8", "surrogatepass")
        self._starts = _line_starts(self.data)

    # -- position conversion ------------------------------------------------------------------
    def byte_offset(self, pos: Pos) -> int:
        if pos.line >= len(self._starts):
            return len(self.data)
        start = self._starts[pos.line]
        end = self._starts[pos.line + 1] if pos.line + 1 < len(self._starts) else len(self.data)
        line = self.data[start:end].decode("utf-8", "surrogatepass")
        return start + len(line[: pos.col].encode("utf-8", "surrogatepass"))

    def point(self, pos: Pos) -> Point:
        return Point(
            pos.line, self.byte_offset(pos) - self._starts[min(pos.line, len(self._starts) - 1)]
        )

    def pos(self, point: Point | tuple[int, int]) -> Pos:
        row, col = point[0], point[1]
        if row >= len(self._starts):
            return Pos(row, 0)
        start = self._starts[row]
        return Pos(row, len(self.data[start : start + col].decode("utf-8", "replace")))

    def node_text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line_text(self, line: int) -> str:
        if line >= len(self._starts):
            return ""
        start = self._starts[line]
        end = self._starts[line + 1] if line + 1 < len(self._starts) else len(self.data)
        return self.data[start:end].decode("utf-8", "replace").rstrip("\r\n")

    def lines_text(self, first: int, last: int) -> str:
        """Lines ``first``..``last`` (inclusive) with their line breaks."""
        starts = self._starts
        start = starts[first] if first < len(starts) else len(self.data)
        end = starts[last + 1] if last + 1 < len(starts) else len(self.data)
        return self.data[start:end].decode("utf-8", "surrogatepass")

    # -- editing -----------------------------------------------------------------------------
    def apply_change(self, start: Pos | None, end: Pos | None, new_text: str) -> None:
        """Apply one LSP content change; ``start is None`` means the whole text is replaced."""
        if start is None or end is None:
            self._set_text(new_text)
            self.tree = self.parser.parse(self.data)
            return
        start_byte, old_end_byte = self.byte_offset(start), self.byte_offset(end)
        start_point, old_end_point = self.point(start), self.point(end)
        new_bytes = new_text.encode("utf-8", "surrogatepass")
        data = self.data[:start_byte] + new_bytes + self.data[old_end_byte:]
        rows = new_bytes.count(b"\n")
        last_col = (
            len(new_bytes) - (new_bytes.rfind(b"\n") + 1)
            if rows
            else start_point[1] + len(new_bytes)
        )
        new_end_point = Point(start_point[0] + rows, last_col)
        self.tree.edit(
            start_byte=start_byte,
            old_end_byte=old_end_byte,
            new_end_byte=start_byte + len(new_bytes),
            start_point=start_point,
            old_end_point=old_end_point,
            new_end_point=new_end_point,
        )
        self._set_text(data.decode("utf-8", "surrogatepass"))
        self.tree = self.parser.parse(self.data, self.tree)
