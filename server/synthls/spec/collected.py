"""Which functions ``doctest`` collects: those reachable from the module (top level, classes).

A function defined inside another function is never collected by ``DocTestFinder``, and its
examples cannot run at module level (the enclosing function's names do not exist there), so
checking them would only produce false failures. Synthesis may still target them.
"""

from __future__ import annotations

from synthls.spec.document import Document
from synthls.spec.model import FunctionTarget


def nested_def_lines(doc: Document) -> frozenset[int]:
    """Lines of the ``def`` of every function defined inside another function."""
    cached = doc.cache.get("nested_def_lines")
    if isinstance(cached, frozenset):
        return cached
    lines: set[int] = set()
    stack = [(doc.tree.root_node, False)]
    while stack:
        node, inside = stack.pop()
        is_function = node.type == "function_definition"
        if is_function and inside:
            lines.add(node.start_point[0])
        stack.extend((child, inside or is_function) for child in node.children)
    result = frozenset(lines)
    doc.cache["nested_def_lines"] = result
    return result


def collected(doc: Document, targets: list[FunctionTarget]) -> list[FunctionTarget]:
    """The ``targets`` doctest would collect (nested functions left out)."""
    nested = nested_def_lines(doc)
    return [t for t in targets if t.def_line not in nested]
