"""The constants and words a search starts from, and which of them are named.

The leaves of the search (the usual small constants, the docstring's numbers and quoted strings,
the constants its words suggest, short strings the outputs repeat) and the test of whether a
constant is *named* (by the docstring, the examples' arguments or the small natural set) or
*magic* (a number nobody stated: a sign the body fits the examples by accident). The docstring's
topics say which operations it gives a reason for (see ``context.suspect``).
"""

from __future__ import annotations

from synthls.synth.embedded.prior import word_constants
from synthls.synth.embedded.problem import Problem

TOPIC_WORDS: dict[str, frozenset[str]] = {
    "clamp": frozenset(
        {"least", "most", "minimum", "maximum", "negative", "positive", "zero", "clamp", "limit"}
        | {"cap", "bound", "bounds", "never", "floor", "ceiling", "exceed", "below", "above"}
    ),
    "position": frozenset(
        {"first", "last", "second", "third", "rest", "remove", "drop", "after", "before"}
        | {"except", "nth", "index", "indices", "position", "positions", "slice", "half"}
        | {"middle", "front", "rear", "end", "start", "begin", "beginning", "prefix", "suffix"}
        | {"tail", "head", "skip", "every", "alternate", "odd", "even", "split", "chunk"}
        | {"rotate", "shift", "left", "right"}
    ),
    "bits": frozenset({"bit", "bits", "binary", "bitwise", "xor", "toggle", "mask", "unset"}),
    "power": frozenset({"power", "powers", "exponent", "exponential", "raise", "raised", "pow"}),
}


def topics(words: frozenset[str]) -> frozenset[str]:
    """The kinds of operation the docstring's words give a reason for (see ``context.suspect``)."""
    return frozenset(t for t, ws in TOPIC_WORDS.items() if words & ws)


def constants(problem: Problem) -> list[tuple[object, str, int, frozenset[str]]]:
    """(value, code, cost, modules): the usual small constants, then the docstring's."""
    base: list[tuple[object, str, int, frozenset[str]]] = [
        (0, "0", 1, frozenset()),
        (1, "1", 1, frozenset()),
        (2, "2", 2, frozenset()),
        ("", "''", 2, frozenset()),
        (" ", "' '", 2, frozenset()),
        (-1, "-1", 3, frozenset()),
        (3, "3", 3, frozenset()),
        (10, "10", 3, frozenset()),
        (True, "True", 3, frozenset()),
        (False, "False", 3, frozenset()),
        (None, "None", 3, frozenset()),
    ]
    extra = [(v, repr(v), 1, frozenset[str]()) for v in problem.constants]
    extra += [(v, code, 1, mods) for v, code, mods in word_constants(problem.words)]
    extra += [(v, repr(v), 2, frozenset[str]()) for v in output_strings(problem)]
    out: dict[str, tuple[object, str, int, frozenset[str]]] = {}
    for v, code, cost, mods in extra + base:
        k = type(v).__name__ + code
        if k not in out:
            out[k] = (v, code, cost, mods)
    return list(out.values())


def output_strings(problem: Problem) -> list[str]:
    """Short strings the examples return (for branches such as ``'Yes' if p else 'No'``), and
    punctuation the outputs hold that no input has (a separator to join or replace with)."""
    out: list[str] = []
    strings = [v for v in problem.outputs if isinstance(v, str)]
    if len(set(strings)) < len(problem.outputs):  # some repeat: likely fixed answers
        out += [v for v in dict.fromkeys(strings) if len(v) <= 20]
    seen_in = "".join(v for inp in problem.inputs for v in inp if isinstance(v, str))
    text = "".join(v for v in problem.outputs if isinstance(v, str))
    for ch in sorted(set(text) ^ set(seen_in)):  # separators that appear or disappear
        if not ch.isalnum() and ch not in "'\"\\" and ch not in out:
            out.append(ch)
    return out[:6]


def named(problem: Problem) -> set[str]:
    """Code of the constants that are not magic: trivial ones and those the docstring names."""
    named = {"0", "1", "2", "-1", "''", "' '", "True", "False", "None"}
    named |= {repr(v) for v in problem.constants}
    named |= {repr(v) for v in _example_scalars(problem)}
    named |= {code for _, code, _ in word_constants(problem.words)}
    named |= {repr(v) for v in output_strings(problem)}
    return named


def _example_scalars(problem: Problem) -> list[object]:
    """Numbers and short strings the examples pass as arguments (a result used as a constant
    is how a body fits the examples by accident)."""
    out: list[object] = []

    def add(v: object) -> None:
        scalar = isinstance(v, (int, float)) or (isinstance(v, str) and len(v) <= 20)
        if scalar and not isinstance(v, bool) and v not in out:
            out.append(v)

    for v in (a for inp in problem.inputs for a in inp):
        add(v)
    return out[:20]


def varying(problem: Problem) -> int:
    """Bitmask of the parameters whose value differs between examples."""
    mask = 0
    for j in range(len(problem.params)):
        if len({repr(inp[j]) for inp in problem.inputs}) > 1:
            mask |= 1 << j
    return mask


def const_prec(v: object) -> int:
    if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
        return 14
    return 100
