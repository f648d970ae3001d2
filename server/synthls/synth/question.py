"""A question for the user: the call whose result settles a doubt, the answers offered, and why.

Every check that can doubt a body (``synthls.synth.checks``) asks the same kind of thing: what
should this call return? What differs is why it is asked, which the check writes into
``context``, and its ``kind``, which says how the answer is used:

- ``split``: several behaviours pass the examples and disagree on the call;
- ``crash``: the body raises on an input like the examples (no answer to offer);
- ``confirm``: one behaviour passes but nothing confirmed it: its answer is offered;
- ``held-out``: the simplest program for the other examples fails one, so the body may be
  fitted to the examples: the two disagree on the call;
- ``one-token``: a one-token change of the body passes every example too;
- ``edge-case``: an example rewritten (values swapped, an alternative exchanged, an ignored value
  added) where the body answers otherwise than the example;
- ``reading``: the model's reading of the docstring expects another result than the body's.

An answer to a ``one-token`` or ``edge-case`` question settles an edge the examples left open; it
says nothing about how likely the body is right elsewhere, so it does not count as a prediction
(``synthls.synth.checks.luck``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["split", "crash", "confirm", "held-out", "one-token", "edge-case", "reading"]
EDGES: frozenset[Kind] = frozenset({"one-token", "edge-case"})  # settle an edge, not a prediction
MAX_CHOICES = 6  # answers offered in a question (the caller adds "none of these")


@dataclass(frozen=True)
class Question:
    function: str  # "safe_div"
    call: str  # "safe_div(2, 4)" (a generated probe expression)
    choices: tuple[str, ...]  # distinct answers as reprs, most supported first
    behaviours: int  # how many different behaviours pass the examples
    index: int = -1  # the probe's position among the generated inputs
    kind: Kind = "split"
    context: str = ""  # what the answer settles, as its check puts it ("" for a split)
    # the choices some candidate gives (by default from the kind: every choice of a split, the
    # body's own answer of a confirmation or an edge case, none for a crash)
    predicted: tuple[str, ...] = ()
    proposal: str = ""  # the model's reading of the docstring, offered among the choices

    def __post_init__(self) -> None:
        if not self.context:
            object.__setattr__(self, "context", self._default_context())
        if not self.predicted:
            object.__setattr__(self, "predicted", self._default_predicted())

    def _default_predicted(self) -> tuple[str, ...]:
        if self.kind == "crash":
            return ()
        if self.kind in ("confirm", "edge-case", "reading"):
            return self.choices[:1]
        return self.choices

    def _default_context(self) -> str:
        if self.kind == "confirm":
            return "one behaviour passes the examples: confirm its answer"
        return f"{self.behaviours} behaviours pass the examples"

    @property
    def raises(self) -> bool:
        """No candidate gives an answer: the body raises on the call."""
        return self.kind == "crash"

    @property
    def confirms(self) -> bool:
        """One behaviour passes: its answer is offered for confirmation."""
        return self.kind == "confirm"

    @property
    def text(self) -> str:
        if self.raises:
            return f"What should `{self.call}` return? The body raises there."
        return f"What should `{self.call}` return?"
