"""Small text scanners for Python expressions written inside prose (docstrings).

Bracket matching and comma splitting that skip over string literals, and a "does this parse"
test that never raises, so the example extractor can cut expressions out of free text without
tokenizing text that is not Python.
"""

from __future__ import annotations

import ast


def parses(text: str) -> bool:
    try:
        ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def flatten(text: str) -> str:
    """Join a multi-line expression into one line of source (dropping each line's indent)."""
    return " ".join(part.strip() for part in text.split("\n")).strip()


def opens_bracket(text: str) -> bool:
    return any(ch in "([{" for ch in text)


def first_bracket(text: str, start: int) -> int:
    return min(i for i in (text.find(b, start) for b in "([{") if i != -1)


def matching_close(text: str, open_at: int) -> int | None:
    """Index of the bracket closing the one at ``open_at``; strings are skipped."""
    depth, quote, i = 0, "", open_at
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
            elif ch == "\n":
                return None
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def split_top(text: str) -> list[str]:
    """Split ``text`` on commas outside brackets and strings."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts
