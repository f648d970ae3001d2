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
"""

from __future__ import annotations

import ast
import math
import random
import string
import zlib
from collections.abc import Iterator
from typing import Any

from synthls.spec.model import Example, Spec

RANDOM_SHARE = 0.25  # of the inputs, at least this share is random values shaped like the examples
_RANDOM_TRIES = 400  # random draws before giving up on filling the quota
MAX_REPR = 2000  # skip generated arguments whose source would be longer than this

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
    calls = [c for c in (example_call(spec.name, ex) for ex in spec.examples) if c is not None]
    if not calls:
        calls = _default_calls(spec)
    callee = callee_of(spec)
    seen = {render(callee, args, kwargs) for args, kwargs in calls}
    out: list[str] = []
    rng = random.Random(zlib.crc32(repr((spec.name, calls)).encode()))
    quota = limit - int(limit * RANDOM_SHARE) if calls else limit
    mutated = -1
    for variants, cap in ((_variants(calls), quota), (_random_calls(calls, rng), limit)):
        for args, kwargs in variants:
            if len(out) >= cap:
                break
            source = render(callee, args, kwargs)
            if source not in seen and len(source) <= MAX_REPR:
                seen.add(source)
                out.append(source)
        if mutated < 0:
            mutated = len(out)
    return tuple(out), mutated


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
    for ex in spec.examples:
        try:
            tree = ast.parse(ex.source.strip())
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _calls_target(node, spec.name):
                return ast.unparse(node.func)
    return spec.name


def example_call(name: str, example: Example) -> Call | None:
    """The literal arguments of the first call of ``name`` in the example's source."""
    try:
        tree = ast.parse(example.source.strip())
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _calls_target(node, name):
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
    pools = [_pool(p.annotation) for p in positional]
    if not positional:
        return []
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
    for args, kwargs in calls:
        slots: list[int | str] = [*range(len(args)), *kwargs]
        for slot in slots:
            value = args[slot] if isinstance(slot, int) else kwargs[slot]
            others = [_slot_value(c, slot) for c in calls]
            swaps = [v for v in others if v is not _MISSING and type(v) is type(value)]
            muts = mutations(value)
            table.append(((args, kwargs), slot, muts[:2] + swaps + muts[2:]))
    depth = max((len(m) for _, _, m in table), default=0)
    for k in range(depth):
        for (args, kwargs), slot, muts in table:
            if k < len(muts):
                yield _replace(args, kwargs, slot, muts[k])


_MISSING = object()


def _slot_value(call: Call, slot: int | str) -> Any:
    args, kwargs = call
    if isinstance(slot, int):
        return args[slot] if slot < len(args) else _MISSING
    return kwargs.get(slot, _MISSING)


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
    columns = [[args[i] for args, _ in calls if i < len(args)] for i in range(width)]
    for k in range(_RANDOM_TRIES if calls else 0):
        args, kwargs = calls[k % len(calls)]
        yield (
            [_shaped(v, col, rng) for v, col in zip(args, columns)],
            {key: _shaped(v, [v], rng) for key, v in kwargs.items()},
        )


def _shaped(value: Any, peers: list[Any], rng: random.Random, depth: int = 0) -> Any:
    """A random value like ``value``; ``peers`` are the other examples' values in its slot."""
    if isinstance(value, bool) or depth > 3:
        return rng.choice([True, False]) if isinstance(value, bool) else value
    if isinstance(value, int | float):
        nums = [abs(p) for p in peers if isinstance(p, int | float) and not isinstance(p, bool)]
        top = max([*nums, 3])
        low = 0 if all(p >= 0 for p in peers if isinstance(p, int | float)) else -top
        if isinstance(value, int):
            return rng.randint(int(low) - 1 if low else 0, int(top) + 2)
        return round(rng.uniform(low - 1 if low else 0.0, top + 1), 1)
    if isinstance(value, str):
        chars = sorted({ch for p in peers if isinstance(p, str) for ch in p}) or list("ab")
        chars += [c for c in _classes(chars) if rng.random() < 0.5]
        size = rng.randint(0, max((len(p) for p in peers if isinstance(p, str)), default=3) + 2)
        if value and rng.random() < 0.5:  # keep the example's structure, change its order
            return "".join(rng.sample(value, len(value)))
        return "".join(rng.choice(chars) for _ in range(size))
    if isinstance(value, list | tuple):
        items = [x for p in peers if isinstance(p, list | tuple) for x in p] or list(value)
        size = rng.randint(0, max(len(p) for p in peers if isinstance(p, list | tuple)) + 2)
        if not items:
            return value
        out = [_shaped(rng.choice(items), items, rng, depth + 1) for _ in range(size)]
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
    unique: list[Any] = []
    for v in out:
        if not same(v, value) and not any(same(v, u) for u in unique):
            unique.append(v)
    return unique


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
