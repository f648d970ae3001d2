"""Positions in plain text: one way to turn a (line, column) into an index, shared by every
module that edits text (documents, docstrings, modules to run)."""

from __future__ import annotations


def offset_of(text: str, line: int, col: int) -> int:
    """Index into ``text`` of a (line, column) position; columns count code points."""
    pos = 0
    for _ in range(line):
        nl = text.find("\n", pos)
        if nl < 0:
            return len(text)
        pos = nl + 1
    return pos + col
