"""The labels and bullets that may stand before an example's call, read in linear time.

A call is read as an example when the text before it on its line is a run of items, each
followed by optional whitespace:

* a bullet: ``*``, ``-``, ``•``, ``+``;
* a number: ``1.``, ``2)``;
* a label: ``for``, ``assert``, ``instance``, ``example(s)``, ``sample(s)``, ``test(s)``,
  ``usage``, ``ex`` (each optionally numbered: ``Example 2``, ``ex1``) or ``e.g.`` / ``i.e.``,
  then optionally one of ``.:,`` (case does not matter).

One regular expression said this, ``(?:bullet|number|label)*``, but its items overlap
(``ex 1.`` is the label ``ex 1`` and a full stop, or the label ``ex`` and the number ``1.``), so
a backtracking engine tries every way to split a line that does not match: 22 repeats of
``ex 1.`` took 9 s, each further one twice as long. Here each item is matched by a small
anchored pattern with a bounded number of ends, and the positions the items can reach are
marked once each, left to right: time linear in the length of the line, same language.
"""

from __future__ import annotations

import functools
import re

_BULLET = re.compile(r"[*\-•+]")
_NUMBER = re.compile(r"\d+[.)]")
# every word a label may be, matched on its own so that each possible end is found
_WORDS = tuple(
    re.compile(w, re.I)
    for w in (
        "for",
        "assert",
        "instance",
        "example",
        "examples",
        "sample",
        "samples",
        "test",
        "tests",
        "usage",
        "ex",
    )
)
_ANY_LABEL = re.compile(r"for|assert|instance|example|sample|test|usage|ex|e\.g|i\.e", re.I)
_ABBREVIATION = (re.compile(r"e\.g", re.I), re.compile(r"i\.e", re.I))  # then an optional "."
_BOUNDARY = re.compile(r"\b")
_NUMBERED = re.compile(r"\s*\d+\b")  # "Example 2": the digits must all be taken, as \b needs
_SPACE = re.compile(r"\s*")
_CALL = re.compile(r"([A-Za-z_]\w*)\s*\(", re.I)
_PUNCT = ".:,"


def _spaced(text: str, at: int) -> int:
    """``at`` past the whitespace there (an item ends with all of it: no item starts with a
    space, nor does what follows the items, so a shorter run never leads to a match)."""
    m = _SPACE.match(text, at)
    return m.end() if m is not None else at


def _label_ends(text: str, at: int) -> set[int]:
    """Where a label starting at ``at`` can end, before its optional ``.:,``."""
    ends: set[int] = set()
    if _ANY_LABEL.match(text, at) is None:
        return ends  # (each label starts with one of these)
    for word in _WORDS:
        m = word.match(text, at)
        if m is None:
            continue
        if _BOUNDARY.match(text, m.end()) is not None:
            ends.add(m.end())
        numbered = _NUMBERED.match(text, m.end())
        if numbered is not None:
            ends.add(numbered.end())
    for abbreviation in _ABBREVIATION:
        m = abbreviation.match(text, at)
        if m is not None:
            ends.add(m.end())
            if text.startswith(".", m.end()):
                ends.add(m.end() + 1)
    return ends


def _item_ends(text: str, at: int) -> set[int]:
    """Where one item (and the whitespace after it) starting at ``at`` can end."""
    ends: set[int] = set()
    for pattern in (_BULLET, _NUMBER):
        m = pattern.match(text, at)
        if m is not None:
            ends.add(_spaced(text, m.end()))
    for end in _label_ends(text, at):
        ends.add(_spaced(text, end))
        if text[end : end + 1] and text[end] in _PUNCT:
            ends.add(_spaced(text, end + 1))
    return ends


def _reachable(text: str, start: int) -> bytearray:
    """Which positions of ``text`` a run of items starting at ``start`` can end at."""
    reach = bytearray(len(text) + 1)
    reach[start] = 1
    at = start
    while at != -1 and at < len(text):
        for end in _item_ends(text, at):
            reach[end] = 1  # every item takes at least one character: end > at
        at = reach.find(1, at + 1)
    return reach


@functools.lru_cache(maxsize=1024)
def is_prefix(text: str) -> bool:
    """Whether all of ``text`` is a run of items (the empty text is)."""
    return _reachable(text, 0)[len(text)] == 1


def line_call(line: str) -> str | None:
    """The name called on ``line`` after its leading whitespace and items (``1. g(2) == 3``:
    ``g``), or ``None`` when no call follows them."""
    start = _spaced(line, 0)
    reach = _reachable(line, start)
    at = start
    while at != -1:
        m = _CALL.match(line, at)
        if m is not None:
            return m.group(1)
        at = reach.find(1, at + 1)
    return None
