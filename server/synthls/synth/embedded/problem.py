"""Turn a Spec into a search problem: example inputs, expected outputs, words and constants.

Only examples the search can evaluate are kept: a call to the target whose arguments are
literals and whose expected output is a literal, or that raises a builtin exception (kept
apart, for the guards of ``raises``). Others (non-literal, printing) are skipped here; the
sandbox still checks them on every candidate.

The values come from the user's docstring: only the first ``MAX_EXAMPLES`` examples are read,
and an example whose call or expected output is longer than ``MAX_LITERAL`` characters is
skipped before it is parsed (a 5 MB ``[0, 0, ...]`` costs the parser gigabytes). The server
itself only asks ``usable`` (is there anything to search on?), which stops at the first usable
example; ``build_problem`` runs in the search's child process.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import re
from collections import Counter
from dataclasses import dataclass

from synthls.intent.examples import extract_examples
from synthls.intent.model import Example, Spec

_WORD = re.compile(r"[a-z]+")
_QUOTED = re.compile(r"'([^'\n]{1,20})'|\"([^\"\n]{1,20})\"")
_NUMBER = re.compile(r"(?<![\w.])(-?\d{1,6})(?!\w|\.\d)")
MAX_EXAMPLES = 256  # the first examples are the ones searched on
MAX_LITERAL = 64 * 1024  # an example's call or expected output longer than this is skipped


def exception_of(exc_msg: str) -> tuple[str, str | None] | None:
    """``"ValueError: n < 0\\n"`` -> ``("ValueError", "n < 0")``, for builtin exceptions whose
    message prints as given (not ``KeyError``, which prints its argument's repr)."""
    line = exc_msg.strip().splitlines()[-1] if exc_msg.strip() else ""
    name, _, message = line.partition(":")
    name = name.strip().rsplit(".", 1)[-1]
    error = getattr(builtins, name, None)
    if not (isinstance(error, type) and issubclass(error, Exception)) or name == "KeyError":
        return None
    return name, message.strip() or None


@dataclass(frozen=True)
class Problem:
    """What the search needs to know, all plain data."""

    name: str
    params: tuple[str, ...]
    inputs: tuple[tuple[object, ...], ...]  # one tuple of argument values per example
    outputs: tuple[object, ...]
    words: frozenset[str]  # lower-case words of the docstring, outside the examples
    constants: tuple[object, ...]  # literals named in the docstring or the defaults
    prose: str = ""  # the docstring without its examples, lower case
    imports: tuple[str, ...] = ()
    raising: tuple[tuple[tuple[object, ...], str, str | None], ...] = ()  # args, error, message
    condition: bool = False  # a guard's condition: ignoring a parameter is normal, not suspect
    returns: str | None = None  # the return annotation as written


def _literal(node: ast.expr) -> object:
    return ast.literal_eval(node)


def _call_of(source: str, name: str) -> ast.Call | None:
    if len(source) > MAX_LITERAL:
        return None
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    call = tree.body
    if not isinstance(call, ast.Call):
        return None
    func = call.func
    if isinstance(func, ast.Name) and func.id == name:
        return call
    if isinstance(func, ast.Attribute) and func.attr == name:
        return call
    return None


def _bind(call: ast.Call, spec: Spec, params: tuple[str, ...]) -> tuple[object, ...] | None:
    """Argument values in parameter order, defaults filled in; None when not literal."""
    if any(isinstance(a, ast.Starred) for a in call.args) or len(call.args) > len(params):
        return None
    values: dict[str, object] = {}
    try:
        for pname, arg in zip(params, call.args):
            values[pname] = _literal(arg)
        for kw in call.keywords:
            if kw.arg is None or kw.arg not in params:
                return None
            values[kw.arg] = _literal(kw.value)
        for p in spec.params:
            if p.name in params and p.name not in values:
                if p.default is None:
                    return None
                values[p.name] = ast.literal_eval(p.default)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return tuple(values[p] for p in params)


_CONSTRUCTORS: dict[str, type] = {
    "Counter": Counter,
    "set": set,
    "frozenset": frozenset,
    "tuple": tuple,
    "list": list,
    "dict": dict,
    "OrderedDict": dict,
}


def _value(text: str) -> object:
    """A literal, or a literal wrapped in one of a few constructors (``Counter({...})``)."""
    try:
        return ast.literal_eval(text)
    except ValueError:
        node = ast.parse(text, mode="eval").body
        if isinstance(node, ast.Call) and not node.keywords and len(node.args) <= 1:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _CONSTRUCTORS:
                return _CONSTRUCTORS[name](*(ast.literal_eval(a) for a in node.args))
        raise


def _expected(example: Example) -> tuple[bool, object]:
    if example.exc_msg is not None or len(example.want) > MAX_LITERAL:
        return False, None
    want = example.want.strip()
    if not want:
        return (example.style == "doctest"), None
    try:
        return True, _value(want)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False, None


def _search_params(spec: Spec) -> tuple[str, ...] | None:
    params = [p for p in spec.params if p.kind in ("positional", "kwonly")]
    if any(p.kind in ("vararg", "kwargs") for p in spec.params):
        return None
    if spec.class_name and params and params[0].name in ("self", "cls"):
        params = params[1:]
    return tuple(p.name for p in params)


def _prose(docstring: str, spec: Spec | None = None) -> str:
    """The docstring without its example lines: ``>>>`` blocks, and the lines of the informal
    examples (``f(x) == y``, ``Input: ... Output: ...``) the spec parser found. The examples are
    data; a quoted string or a number inside one is no word of the task (a body that returns
    ``'my_class.' + 'AA'`` copied it from the example)."""
    taken: set[int] = set()
    if spec is not None and spec.docstring == docstring:
        for ex in extract_examples(docstring, 0, spec.name, spec.params):
            taken.update(range(ex.line, (ex.end_line or ex.line) + 1))
    lines = []
    skip = False
    for i, line in enumerate(docstring.split("\n")):
        if i in taken:
            continue
        s = line.strip()
        if s.startswith(">>>"):
            skip = True
            continue
        if skip and s and not s.startswith("..."):
            skip = False  # the example's output line
            continue
        skip = False
        lines.append(line)
    return "\n".join(lines)


def _constants(prose: str, spec: Spec) -> tuple[object, ...]:
    found: list[object] = []
    for m in _QUOTED.finditer(prose):
        found.append(m.group(1) if m.group(1) is not None else m.group(2))
    for m in _NUMBER.finditer(prose):
        found.append(int(m.group(1)))
    for p in spec.params:
        if p.default is not None:
            with contextlib.suppress(ValueError, SyntaxError):
                found.append(ast.literal_eval(p.default))
    out: list[object] = []
    for v in found:
        if isinstance(v, (int, str)) and not isinstance(v, bool) and v not in out:
            out.append(v)
    return tuple(out[:8])


def readable(example: Example) -> bool:
    """Whether the example is short enough to be read (``MAX_LITERAL``)."""
    return len(example.source) <= MAX_LITERAL and len(example.want) <= MAX_LITERAL


def usable(spec: Spec) -> bool:
    """Whether ``build_problem`` would find an example to search on; cheap: it parses examples
    only until the first usable one, and none longer than ``MAX_LITERAL``."""
    params = _search_params(spec)
    if params is None:
        return False
    for example in spec.examples[:MAX_EXAMPLES]:
        call = _call_of(example.source, spec.name)
        if call is not None and _bind(call, spec, params) is not None and _expected(example)[0]:
            return True
    return False


def build_problem(spec: Spec) -> Problem | None:
    """The search problem for ``spec``, or None when it has no usable example."""
    params = _search_params(spec)
    if params is None:
        return None
    inputs: list[tuple[object, ...]] = []
    outputs: list[object] = []
    raising: list[tuple[tuple[object, ...], str, str | None]] = []
    for example in spec.examples[:MAX_EXAMPLES]:
        call = _call_of(example.source, spec.name)
        args = _bind(call, spec, params) if call is not None else None
        if args is None:
            continue
        error = exception_of(example.exc_msg) if example.exc_msg is not None else None
        if error is not None:
            raising.append((args, *error))
        ok, want = _expected(example)
        if ok:
            inputs.append(args)
            outputs.append(want)
    if not inputs:
        return None
    prose = _prose(spec.docstring or "", spec)
    words = frozenset(_WORD.findall(prose.lower())) | frozenset(
        w for n in (spec.name,) for w in n.lower().split("_") if w
    )
    return Problem(
        name=spec.name,
        params=params,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        words=words,
        constants=_constants(prose, spec),
        prose=" ".join(_WORD.findall(prose.lower())),
        imports=spec.imports,
        raising=tuple(raising),
        returns=spec.returns,
    )
