"""Divide and conquer on structured outputs: a pair (or triple) is solved one position at a time.

When every expected output is a tuple (or a list) of the same small length, each position is a
target of its own, matched against the same bank as the whole; once every position has an
expression the body returns them together (``return xs[:n], xs[n:]``).
"""

from __future__ import annotations

from collections.abc import Sequence

from synthls.synth.embedded.bank import Expr
from synthls.synth.embedded.value_vectors import Target


class Parts:
    """Per-position targets of fixed-length tuple/list outputs (inactive otherwise)."""

    def __init__(self, outputs: Sequence[object]) -> None:
        kinds = {type(o) for o in outputs}
        sizes = {len(o) for o in outputs if isinstance(o, (tuple, list))}
        self.kind = kinds.pop() if len(kinds) == 1 else None
        n = sizes.pop() if len(sizes) == 1 else 0
        self.active = self.kind in (tuple, list) and 2 <= n <= 3
        self.targets = (
            [Target([o[i] for o in outputs]) for i in range(n)]  # type: ignore[index]
            if self.active
            else []
        )
        self.found: list[Expr | None] = [None] * len(self.targets)
        self.done = False

    def see(self, e: Expr) -> list[Expr] | None:
        """Record ``e`` for the positions it fits; all positions' expressions once complete."""
        if not self.active or self.done or not e.uses:
            return None
        for i, target in enumerate(self.targets):
            if self.found[i] is None and target.matches(e.vals, e.key):
                self.found[i] = e
        if any(f is None for f in self.found):
            return None
        self.done = True
        return [f for f in self.found if f is not None]

    def code(self, exprs: Sequence[Expr]) -> str:
        items = ", ".join(e.code if e.prec > 3 else f"({e.code})" for e in exprs)
        return items if self.kind is tuple else f"[{items}]"
