"""Functions of a document in the order a checker should visit them: nearest a focus line first.

An editor shows the part of a file around where the user works; checking a 50,000-line file from
the top would make the visible functions wait for thousands of others. The order follows the focus
as it moves (it is read at every step), and targets are built one at a time, only when visited.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator

from tree_sitter import Node

from synthls.intent.document import Document
from synthls.intent.model import FunctionTarget
from synthls.intent.targets import function_node_at, function_nodes, function_target, module_context


class Nearby:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.nodes = function_nodes(doc)
        self.starts = [n.start_point[0] for n in self.nodes]
        self.index = {n.start_byte: i for i, n in enumerate(self.nodes)}
        self.visited: set[int] = set()
        self.focus: int | None = None
        self.lo = self.hi = 0  # next unvisited candidates below / at-or-after the focus

    def _restart(self, focus: int) -> None:
        self.focus = focus
        self.hi = bisect.bisect_left(self.starts, focus)
        self.lo = self.hi - 1

    def next_node(self, focus: int) -> Node | None:
        """The unvisited function node nearest ``focus`` (marked visited), or None when done.

        The function the focus is in comes first, then the others by their ``def`` line.
        """
        if focus != self.focus:
            self._restart(focus)
            around = function_node_at(self.doc, focus)
            index = self.index.get(around.start_byte) if around is not None else None
            if index is not None and index not in self.visited:
                self.visited.add(index)
                return self.nodes[index]
        while self.lo >= 0 and self.lo in self.visited:
            self.lo -= 1
        while self.hi < len(self.nodes) and self.hi in self.visited:
            self.hi += 1
        if self.lo < 0 and self.hi >= len(self.nodes):
            return None
        below = focus - self.starts[self.lo] if self.lo >= 0 else None
        above = self.starts[self.hi] - focus if self.hi < len(self.nodes) else None
        if above is None or (below is not None and below < above):
            index, self.lo = self.lo, self.lo - 1
        else:
            index, self.hi = self.hi, self.hi + 1
        self.visited.add(index)
        return self.nodes[index]

    def visit(self, focus: Callable[[], int]) -> Iterator[FunctionTarget]:
        """Intact functions, each time the one nearest the current ``focus()`` not yet visited."""
        context = module_context(self.doc)
        while (node := self.next_node(focus())) is not None:
            target = function_target(self.doc, node, context)
            if target is not None:
                yield target
