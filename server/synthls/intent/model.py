"""The data every stage shares: examples, parameters, targets and their specs.

Pure data, no behaviour beyond small derived properties, so that every module (parsing,
synthesis, sandbox, LSP) can depend on it without depending on each other.

Positions are 0-based (line, column) where the column counts Python ``str`` characters
(code points) on that line; the LSP layer converts to the client's encoding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ExampleStyle = Literal["doctest", "value"]


@dataclass(frozen=True)
class Example:
    """One input/expected-output pair stated in a docstring.

    ``style == "doctest"``: ``source`` is run like a doctest statement and the printed output
    (or the exception) is compared with ``want`` by doctest's rules and ``flags``.
    ``style == "value"``: ``source`` is an expression and ``want`` a Python expression for the
    expected value; values are compared (floats with a tolerance).
    """

    source: str
    want: str
    line: int
    style: ExampleStyle = "doctest"
    flags: tuple[str, ...] = ()
    exc_msg: str | None = None  # doctest: the expected exception line ("ValueError: bad")
    end_line: int | None = None  # last docstring line the example covers (inclusive)
    # `>>> f(x) == y` with no output below: synthls reads ``want`` as "True\n" for synthesis;
    # doctest (and so checking the user's file) expects no output
    implied_want: bool = False


@dataclass(frozen=True)
class Param:
    name: str
    annotation: str | None = None
    default: str | None = None
    kind: Literal["positional", "vararg", "kwonly", "kwargs"] = "positional"


@dataclass(frozen=True)
class Pos:
    line: int
    col: int


@dataclass(frozen=True)
class Span:
    start: Pos
    end: Pos

    def contains_line(self, line: int) -> bool:
        return self.start.line <= line <= self.end.line


@dataclass(frozen=True)
class Spec:
    """Everything a synthesizer may know about one function to write."""

    name: str
    params: tuple[Param, ...] = ()
    returns: str | None = None
    decorators: tuple[str, ...] = ()
    class_name: str | None = None
    is_async: bool = False
    docstring: str | None = None
    examples: tuple[Example, ...] = ()
    signature: str = ""  # the `def` header as written, e.g. "def add(a: int, b: int) -> int:"
    imports: tuple[str, ...] = ()  # the file's import statements
    context: str = ""  # signatures of nearby functions/classes and module constants
    current_body: str | None = None  # the existing body (dedented) when regenerating
    comment: str | None = None  # the instruction text for comment targets

    @property
    def param_names(self) -> list[str]:
        return [p.name for p in self.params]


@dataclass(frozen=True)
class FunctionTarget:
    """A function in a document, with where its body lives."""

    spec: Spec
    span: Span  # whole definition including decorators
    def_line: int  # line of the `def` keyword
    body_span: Span  # the part of the body a new body replaces (after the docstring)
    indent: str  # indentation of body statements
    is_stub: bool
    docstring_span: Span | None = None
    body_text: str = ""  # the current body statements after the docstring, dedented
    body_prefix: str = ""  # text to put before the new body ("\n" + indent after a docstring)


@dataclass(frozen=True)
class CommentTarget:
    """A full-line `#` comment block that asks for code."""

    text: str  # comment text without the leading '#'
    span: Span
    indent: str
    inside_function: str | None  # name of the enclosing function, if any
    examples: tuple[Example, ...] = field(default=())
