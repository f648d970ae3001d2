"""Where a streamed answer is complete, so the engine can stop reading (and the server writing).

A small model on a slow machine writes a few tokens a second, and after its code it often goes on
with an explanation, example calls or a second block. The answer is complete:

- at the closing fence of its first code block, or
- in a reply that writes the whole function, at the first statement after that function's body
  that is not another definition (``print(...)``, ``assert ...``, ``if __name__ == ...``).

Only a prefix that still parses counts as complete (a line inside a multi-line string is not the
end of anything). Everything after the end is dropped; :mod:`synthls.synth.openai.clean` then turns
the prefix into a body exactly as it would the whole reply.
"""

from __future__ import annotations

import ast
import re
import textwrap

_OPEN = re.compile(r"^[ \t]*(`{3,})[ \t]*([\w+-]*)[^\n]*$")
_DEFINITION = re.compile(r"(async\s+def|def|class)\s|@")


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _after_function(lines: list[str], name: str) -> tuple[int, int] | None:
    """(the line of the function ``name``'s ``def``, the first line after it that ends the code)."""
    head = re.compile(rf"(async\s+)?def\s+{re.escape(name)}\s*\(")
    first: int | None = None
    body = False
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        if first is None:
            first = i if head.match(line.lstrip()) else None
            continue
        if _indent(line) > _indent(lines[first]):
            body = True
        elif body and not line.lstrip().startswith("#") and not _DEFINITION.match(line.lstrip()):
            return first, i
    return None


def complete_at(text: str, name: str) -> int | None:
    """The length of the complete answer at the start of ``text`` (None: not complete yet).

    Only whole lines are judged: the text after the last newline may still grow, except that a
    closing fence at the very end counts (models often stop right after it)."""
    lines = text.split("\n")
    fence: str | None = None
    start = 0  # the first line of code
    offset = 0
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        opened = _OPEN.match(line)
        if fence is None and opened and not last:
            fence, start = opened.group(1), i + 1
        elif fence is not None and line.strip() == fence:
            return offset + len(line)
        offset += len(line) + 1
    code = lines[start:-1]  # the whole lines of code seen so far
    found = _after_function(code, name)
    if found is None or not _parses(textwrap.dedent("\n".join(code[found[0] : found[1]]))):
        return None
    return sum(len(ln) + 1 for ln in lines[: start + found[1]])
