"""Generate extra inputs for a function from its examples and its signature.

Candidates that pass the same examples can still disagree elsewhere; running them all on a
few more inputs and grouping them by what they return (``synthls.synth.ranking``) tells the
common behaviour from the odd one out, without a second model to write tests.

The inputs are type-aware mutations of the example arguments: neighbouring numbers, sign
flips, shorter/longer/empty strings and lists, reversed sequences, and arguments swapped in
from other examples; then (a quarter of the inputs at least, and all that the mutations leave
free) seeded random values shaped like the examples: same types, similar sizes, the same
number ranges, characters from the examples and their classes (``x`` in ``'hi'`` though only
``h`` and ``i`` appear), where a mutation of the given values never reaches. With no usable
example, the parameter annotations give small defaults. Everything is deterministic: the same
spec gives the same inputs in the same order.

The work is bounded whatever the docstring holds (it runs on the server's event loop): only the
first ``MAX_EXAMPLES`` examples are read, none longer than ``MAX_SOURCE`` characters or with more
than ``MAX_ARGS`` arguments; at most ``MAX_TRIES`` mutated calls are looked at, random values are
no longer than a call may be, and a call is rendered only until it is known to be longer than
``MAX_REPR`` characters.
"""

from __future__ import annotations

import ast
import itertools
import math
import random
import string
import zlib
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from synthls.intent.model import Example, Spec

RANDOM_SHARE = 0.25  # of the inputs, at least this share is random values shaped like the examples
_RANDOM_TRIES = 400  # random draws before giving up on filling the quota
MAX_REPR = 2000  # skip generated arguments whose source would be longer than this
MAX_EXAMPLES = 64  # the first examples are the ones inputs are made from (and compared with)
MAX_SOURCE = 2 * MAX_REPR  # an example's call longer than this is not read
MAX_ARGS = 64  # a call (or signature) with more arguments gives no inputs
MAX_TRIES = 2000  # mutated calls looked at, at most
MAX_DRAWN = 20_000  # random values drawn (items included), at most

_DEFAULTS: dict[str, tuple[Any, ...]] = {
    "int": (0, 1, 2, -1, 7, 10),
    "float": (0.0, 1.5, -2.5, 3.0),
    "bool": (True, False),
    "str": ("", "a", "abc", "Hello World", "aab"),
    "list": ([], [1], [1, 2, 3], [3, 1, 2], [-1, 0, 5]),
    "tuple": ((), (1,), (1, 2)),
    "dict": ({}, {"a": 1}, {"a": 1, "b": 2}),
    "set": (set(), {1, 2}),
}
_LIST_OF: dict[str, tuple[Any, ...]] = {
    "str": ([], ["a"], ["abc", "b"], ["hello", "world", "a"], ["", "xy"]),
    "float": ([], [1.0], [1.5, 2.0, -3.0], [0.5, 0.5]),
}
_ANY: tuple[Any, ...] = (1, "abc", [1, 2, 3], 0, "", [], 7, "Hello World", [3, 1, 2], -2, 2.5)


def generate_inputs(spec: Spec, limit: int = 32) -> tuple[str, ...]:
    """Call expressions (``"f(3, [1, 2])"``) to probe candidates with, at most ``limit``."""
    return generate(spec, limit)[0]


def generate(spec: Spec, limit: int = 32) -> tuple[tuple[str, ...], int]:
    """``generate_inputs`` and how many of them (the first ones) are mutations of the
    examples; the rest are random draws, independent of the examples' values (a body fitted to
    an example keeps fitting its mutations far more often than a random input)."""
    calls = [call for _, call in example_calls(spec)]
    if not calls:
        calls = _default_calls(spec)
    callee = callee_of(spec)
    fitting = Renderer(callee)
    seen = {fitting(args, kwargs) for args, kwargs in calls}  # None: too long to be an input
    seen.update(ex.source.strip() for ex in spec.examples)  # the later ones, as written
    out: list[str] = []
    rng = random.Random(zlib.crc32(repr((spec.name, calls)).encode()))
    quota = limit - int(limit * RANDOM_SHARE) if calls else limit
    mutated = -1
    variants = itertools.islice(_variants(calls), MAX_TRIES)
    for tries, cap in ((variants, quota), (_random_calls(calls, rng), limit)):
        for args, kwargs in tries:
            if len(out) >= cap:
                break
            source = fitting(args, kwargs)
            if source is not None and source not in seen:
                seen.add(source)
                out.append(source)
        if mutated < 0:
            mutated = len(out)
    return tuple(out), mutated


def example_calls(spec: Spec) -> list[tuple[int, Call]]:
    """(index, literal arguments) of the examples inputs are made from: among the first
    ``MAX_EXAMPLES``, those whose call is literal, at most ``MAX_SOURCE`` characters long and
    with at most ``MAX_ARGS`` arguments."""
    found = ((i, example_call(spec.name, ex)) for i, ex in enumerate(spec.examples[:MAX_EXAMPLES]))
    return [(i, call) for i, call in found if call is not None]


Call = tuple[list[Any], dict[str, Any]]


def _calls_target(node: ast.AST, name: str) -> bool:
    """``name(...)``, or a method call ``Class.name(...)`` / ``obj().name(...)``."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == name) or (
        isinstance(func, ast.Attribute) and func.attr == name
    )


def callee_of(spec: Spec) -> str:
    """How the examples call the function (``f``, ``Temperature.c_to_f``, ``Shape().area``)."""
    for ex in spec.examples[:MAX_EXAMPLES]:
        if len(ex.source) > MAX_SOURCE:
            continue
        try:
            tree = ast.parse(ex.source.strip())
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _calls_target(node, spec.name):
                return ast.unparse(node.func)
    return spec.name


def example_call(name: str, example: Example) -> Call | None:
    """The literal arguments of the first call of ``name`` in the example's source; None when
    there is none, or the source is longer than ``MAX_SOURCE``, or the call has more than
    ``MAX_ARGS`` arguments."""
    if len(example.source) > MAX_SOURCE:
        return None
    try:
        tree = ast.parse(example.source.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _calls_target(node, name):
            if len(node.args) + len(node.keywords) > MAX_ARGS:
                return None
            try:
                args = [ast.literal_eval(a) for a in node.args]
                kwargs = {k.arg: ast.literal_eval(k.value) for k in node.keywords if k.arg}
            except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                return None
            if len(kwargs) != len(node.keywords):
                return None
            return args, kwargs
    return None


def _default_calls(spec: Spec) -> list[Call]:
    """Calls built from parameter annotations when no example gives literal arguments.

    An unannotated parameter gets values of several types; the selection ignores inputs on
    which most candidates raise, so the ill-typed ones drop out.
    """
    positional = [
        p for p in spec.params if p.kind == "positional" and p.name not in ("self", "cls")
    ]
    if not positional or len(positional) > MAX_ARGS:
        return []
    pools = [_pool(p.annotation) for p in positional]
    depth = max(len(pool) for pool in pools)
    return [([pool[i % len(pool)] for pool in pools], {}) for i in range(depth)]


def _pool(annotation: str | None) -> tuple[Any, ...]:
    if not annotation:
        return _ANY
    text = annotation.replace("typing.", "").replace(" ", "")
    head, _, inner = text.partition("[")
    head = {"sequence": "list", "iterable": "list"}.get(head.lower(), head.lower())
    if head == "list" and inner:
        return _LIST_OF.get(inner.rstrip("]").lower(), _DEFAULTS["list"])
    return _DEFAULTS.get(head, _ANY)


def _variants(calls: list[Call]) -> Iterator[Call]:
    """Round-robin over examples and argument positions, one mutation each per round."""
    table: list[tuple[Call, int | str, list[Any]]] = []
    peers: dict[tuple[int | str, type], list[Any]] = {}  # slot and type -> the examples' values
    for args, kwargs in calls:
        items: list[tuple[int | str, Any]] = [*enumerate(args), *kwargs.items()]
        for slot, value in items:
            peers.setdefault((slot, type(value)), []).append(value)
    for args, kwargs in calls:
        slots: list[int | str] = [*range(len(args)), *kwargs]
        for slot in slots:
            value = args[slot] if isinstance(slot, int) else kwargs[slot]
            swaps = peers[slot, type(value)]
            muts = mutations(value)
            table.append(((args, kwargs), slot, muts[:2] + swaps + muts[2:]))
    depth = max((len(m) for _, _, m in table), default=0)
    for k in range(depth):
        for (args, kwargs), slot, muts in table:
            if k < len(muts):
                yield _replace(args, kwargs, slot, muts[k])


def _replace(args: list[Any], kwargs: dict[str, Any], slot: int | str, value: Any) -> Call:
    new_args, new_kwargs = list(args), dict(kwargs)
    if isinstance(slot, int):
        new_args[slot] = value
    else:
        new_kwargs[slot] = value
    return new_args, new_kwargs


def _random_calls(calls: list[Call], rng: random.Random) -> Iterator[Call]:
    """Calls whose arguments are random values shaped like an example's (same types, similar
    sizes, drawn from the same characters and number ranges), round-robin over the examples."""
    width = max((len(args) for args, _ in calls), default=0)
    columns = [_Peers([args[i] for args, _ in calls if i < len(args)]) for i in range(width)]
    keywords = [{key: _Peers([v]) for key, v in kwargs.items()} for _, kwargs in calls]
    left = [MAX_DRAWN]
    for k in range(_RANDOM_TRIES if calls else 0):
        if left[0] <= 0:
            return
        args, kwargs = calls[k % len(calls)]
        yield (
            [_shaped(v, col, rng, left) for v, col in zip(args, columns)],
            {
                key: _shaped(v, keywords[k % len(calls)][key], rng, left)
                for key, v in kwargs.items()
            },
        )


_LONGEST = MAX_REPR // 3 + 1  # a longer list (``0, `` an item) or string is too long a call


class _Peers:
    """The values of one argument across the examples, and what random values like them are
    drawn from (computed once, however many values are drawn)."""

    def __init__(self, values: list[Any]) -> None:
        self.values = values

    @cached_property
    def numbers(self) -> tuple[float, float]:
        """(the largest absolute value, at least 3; 0 when none is negative, else its negation)."""
        nums = [p for p in self.values if isinstance(p, int | float)]
        top = max([*(abs(p) for p in nums if not isinstance(p, bool)), 3])
        return top, 0 if all(p >= 0 for p in nums) else -top

    @cached_property
    def chars(self) -> list[str]:
        return sorted({ch for p in self.values if isinstance(p, str) for ch in p}) or list("ab")

    @cached_property
    def longest_str(self) -> int:
        return max((len(p) for p in self.values if isinstance(p, str)), default=3)

    @cached_property
    def longest_seq(self) -> int:
        return max((len(p) for p in self.values if isinstance(p, list | tuple)), default=0)

    @cached_property
    def items(self) -> _Peers | None:
        """The items of the sequences among the values; None when there are none."""
        items = [x for p in self.values if isinstance(p, list | tuple) for x in p]
        return _Peers(items) if items else None


def _shaped(value: Any, peers: _Peers, rng: random.Random, left: list[int], depth: int = 0) -> Any:
    """A random value like ``value``; ``peers`` are the examples' values in its slot; each value
    drawn counts against ``left``."""
    left[0] -= 1
    if isinstance(value, bool) or depth > 3:
        return rng.choice([True, False]) if isinstance(value, bool) else value
    if isinstance(value, int | float):
        top, low = peers.numbers
        if isinstance(value, int):
            return rng.randint(int(low) - 1 if low else 0, int(top) + 2)
        return round(rng.uniform(low - 1 if low else 0.0, top + 1), 1)
    if isinstance(value, str):
        chars = peers.chars + [c for c in _classes(peers.chars) if rng.random() < 0.5]
        size = min(rng.randint(0, peers.longest_str + 2), _LONGEST)
        if value and rng.random() < 0.5:  # keep the example's structure, change its order
            return "".join(rng.sample(value, len(value)))
        return "".join(rng.choice(chars) for _ in range(size))
    if isinstance(value, list | tuple):
        items = peers.items or _Peers(list(value))
        size = min(rng.randint(0, peers.longest_seq + 2), _LONGEST)
        if not items.values:
            return value
        out = [_shaped(rng.choice(items.values), items, rng, left, depth + 1) for _ in range(size)]
        return tuple(out) if isinstance(value, tuple) else out
    return value


def _classes(chars: list[str]) -> str:
    """The classes ``chars`` belong to: all lower-case letters if any is, and so on."""
    return "".join(
        cls
        for cls in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
        if any(c in cls for c in chars)
    )


def mutations(value: Any) -> list[Any]:
    """Nearby values of the same type, most telling first (no duplicates, never ``value``)."""
    if isinstance(value, bool):
        out: list[Any] = [not value]
    elif isinstance(value, int):
        out = [value + 1, value - 1, 0, -value, 1, value + 2]
    elif isinstance(value, float):
        out = [value + 0.5, -value, 0.0, value - 1.0, float(round(value))]
    elif isinstance(value, str):
        out = [value[:-1], value + value[-1:], "", value[::-1], value[1:], value.swapcase()]
        out += [value + " ", value.upper()]
    elif isinstance(value, list | tuple):
        out = _sequence_mutations(list(value))
        if isinstance(value, tuple):
            out = [tuple(v) for v in out]
    elif isinstance(value, dict):
        items = list(value.items())
        out = [{}, dict(items[:-1]), dict(items[1:])]
        if items:  # the same size, another key or value; one item more
            (k, v), rest = items[0], items[1:]
            keys = [m for m in mutations(k) if m not in value and _hashable(m)]
            out += [dict([(k, m), *rest]) for m in mutations(v)[:1]]
            out += [dict([(m, v), *rest]) for m in keys[:1]]
            out += [dict([*items, (m, v)]) for m in keys[1:2]]
    elif isinstance(value, set | frozenset):
        out = [type(value)(), type(value)(sorted(value, key=repr)[:-1])]
    else:
        out = []
    seen = {_key(value)}
    unique: list[Any] = []
    for v in out:
        key = _key(v)
        if key not in seen:  # ``same`` as none before: each value's repr is made once
            seen.add(key)
            unique.append(v)
    return unique


def _key(value: Any) -> tuple[type, str]:
    """Two values are ``same`` when their keys are equal."""
    return type(value), repr(value)


def _hashable(v: Any) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def _sequence_mutations(items: list[Any]) -> list[Any]:
    out: list[Any] = [items[:-1], items[1:], [], items + items[-1:], items[::-1]]
    if items:
        first = mutations(items[0])
        if first:
            out.append([first[0], *items[1:]])
        last = mutations(items[-1])
        if len(last) > 1 and len(items) > 1:  # the other end, changed another way
            out.append([*items[:-1], last[1]])
        out.append([_flip(v) for v in items])
        out.append(items + items[:1])
    return out


def _flip(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return -value
    return value


def same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and repr(a) == repr(b)


def render(name: str, args: list[Any], kwargs: dict[str, Any]) -> str:
    parts = [_source(a) for a in args] + [f"{k}={_source(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


class Renderer:
    """``render`` of calls of ``callee``, or None for one longer than ``limit`` characters.

    Each argument value is rendered once (the examples' values recur in many mutated calls),
    and one whose ``repr`` is already too long is not rendered at all: a call's cost is about
    ``limit``, whatever the size of its values.
    """

    def __init__(self, callee: str, limit: int = MAX_REPR) -> None:
        self.callee = callee
        self.limit = limit
        self._texts: dict[int, tuple[Any, str | None]] = {}  # id -> (value, its source)

    def part(self, value: Any) -> str | None:
        """``_source(value)``; None when longer than ``limit`` (``repr`` is never longer)."""
        known = self._texts.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        text = None if len(repr(value)) > self.limit else _source(value)
        text = None if text is None or len(text) > self.limit else text
        self._texts[id(value)] = (value, text)
        return text

    def __call__(self, args: list[Any], kwargs: dict[str, Any]) -> str | None:
        room = self.limit - len(self.callee) - 2
        parts: list[str] = []
        items = [*(("", a) for a in args), *((f"{k}=", v) for k, v in kwargs.items())]
        for prefix, value in items:
            text = self.part(value)
            if text is None:
                return None
            room -= len(prefix) + len(text) + (2 if parts else 0)
            if room < 0:
                return None
            parts.append(prefix + text)
        return f"{self.callee}({', '.join(parts)})"


def _source(value: Any) -> str:
    """``repr`` with sets sorted, so the text is the same in every process."""
    if isinstance(value, set | frozenset):
        inner = ", ".join(sorted(_source(v) for v in value))
        text = f"{{{inner}}}" if value else "set()"
        return text if isinstance(value, set) else f"frozenset({text})"
    if isinstance(value, list):
        return f"[{', '.join(_source(v) for v in value)}]"
    if isinstance(value, tuple):
        inner = ", ".join(_source(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_source(k)}: {_source(v)}" for k, v in value.items()) + "}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"float({str(value)!r})"
    return repr(value)
