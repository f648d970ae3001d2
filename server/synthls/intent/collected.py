"""Which functions ``doctest`` collects: those reachable from the module (top level, classes).

A function defined inside another function is never collected by ``DocTestFinder``, and its
examples cannot run at module level (the enclosing function's names do not exist there), so
checking them would only produce false failures. Synthesis may still target them.

The test walks up from the function's own node (a few parents), not over the whole tree, so a
50,000-line file costs nothing extra per checked function.
"""

from __future__ import annotations

from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget


def is_nested(doc: Document, target: FunctionTarget) -> bool:
    """True when ``target`` is defined inside another function."""
    line = target.def_line
    text = doc.line_text(line)
    col = len(text) - len(text.lstrip())
    node = doc.tree.root_node.descendant_for_point_range((line, col), (line, col))
    seen_own = False
    while node is not None:
        if node.type == "function_definition":
            if seen_own:
                return True
            seen_own = True
        node = node.parent
    return False


def collected(doc: Document, targets: list[FunctionTarget]) -> list[FunctionTarget]:
    """The ``targets`` doctest would collect (nested functions left out)."""
    return [t for t in targets if not is_nested(doc, t)]
