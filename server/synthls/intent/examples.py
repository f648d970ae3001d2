"""Extract examples from a docstring, in every form people write them.

One extractor serves the sandbox, the synthesizers and the diagnostics, so an example that is
checked is the same example that is reported, on the same line.

Forms understood:

* doctest (``>>> f(1)`` then the output): ``style="doctest"``, compared by doctest's rules.
  Each ``>>>`` block is parsed on its own, so one malformed block loses only itself; an example
  marked ``# doctest: +SKIP`` is left out (doctest neither runs nor reports it); a
  ``>>> f(x) == y`` with no output line below is read as expecting ``True`` for synthesis
  (``implied_want``; checking the file expects no output there, as doctest does);
* a call of the function followed by its expected value: ``f(x) == y``, ``f(x) -> y``,
  ``f(x) => y``, ``f(x) ==> y``, ``f(x) ➞ y``, ``f(x) = y``, ``f(x) returns y``,
  ``f(x) should return y``, ``f(x)  # returns y``, optionally after ``for``, a bullet or an
  ``Example:`` label; the call and the value may span several lines;
* ``assert <expression using f(...)> == y`` (and ``assert <condition on f(...)>``, expected
  ``True``), parsed by Python itself;
* ``Input: ...`` / ``Output: ...`` blocks (arguments inline, as ``name = value`` pairs, or as
  ``name : value`` lines);
* ``For x = 1, y = 2 the output should be 3``;
* ``arr = [2, 1]`` (every parameter by name), working lines that start with an arrow, then
  ``return [1, 2]`` (needs the parameters);
* unquoted words as string arguments (``is_happy(abcd) => True``), only for string
  parameters, on two lines or more, with literal expected values (needs the parameters);
* when nothing names the function: the same forms under an ``Example`` heading calling one
  other name (an old name of the function), renamed to the function.

A line longer than ``MAX_LINE`` characters is no part of a value-style example (doctest's
examples are read as doctest reads them, whatever their length). Every reader takes time linear
in the length of the text it reads (see ``synthls.intent.prefix``), so a docstring cannot stall
the server; the cap keeps the per-line work (a few parses of the line) small as well.

All but doctest become ``style="value"``: ``source`` is the call expression, ``want`` the
expected-value expression, both Python source that parses on its own; trailing prose (a
``# comment``, a parenthesised remark, a sentence's full stop, ``1 + 2 = 3`` working) is cut
from ``want``, and ``true``/``false``/``null`` read as Python. A line only becomes an example
when it really calls the function (by name) with concrete arguments, so prose that mentions
the function (``f(n) = f(n - 1) + 1, if n is odd``) is never taken for an example.
"""

from __future__ import annotations

import ast
import doctest
import re
from collections.abc import Iterator, Sequence

from synthls.intent import example_forms
from synthls.intent.model import Example, Param
from synthls.intent.prefix import is_prefix, line_call
from synthls.intent.prose_values import BUILTIN_NAMES, LITERAL_WORDS, is_call_of, is_literal

_PARSER = doctest.DocTestParser()
_FLAG_NAMES = {value: name for name, value in doctest.OPTIONFLAGS_BY_NAME.items()}
_HEADING = re.compile(r"\bexamples?\b", re.I)
_BARE_CALL = re.compile(r"(?<![\w.])([A-Za-z_]\w*)\s*\(([^()'\"\[\]{}]*)\)")
MAX_LINE = 4000  # characters: a longer line is not read as (part of) a value-style example
TOO_LONG = "\u2026"  # what stands for such a line: not blank, and no example's text
_MAX_ALIASES = 3  # other names called under an Example heading, at most (else: not renamed)
_WORD = re.compile(r"[A-Za-z_]\w*")
_STRING_WORD = re.compile(r"\bstrings?\b", re.I)


def extract_examples(
    docstring: str,
    first_line: int = 0,
    func_name: str = "",
    params: Sequence[Param] | None = None,
) -> tuple[Example, ...]:
    """Examples stated in ``docstring``; line numbers are offset by ``first_line``.

    ``first_line`` is the document line holding the docstring's first text line. Without
    ``func_name`` only doctest examples are found (the other forms name the function).
    ``params`` (the function's parameters, when known) enables the forms that need them:
    ``x = 1`` ... ``return 2``, unquoted string arguments and a call count check on examples
    written under an old name.
    """
    found = list(_doctest_examples(docstring, first_line, func_name))
    if func_name:
        taken: set[int] = set()
        for ex in found:
            taken.update(range(ex.line - first_line, (ex.end_line or ex.line) - first_line + 1))
        lines = [line if len(line) <= MAX_LINE else TOO_LONG for line in docstring.split("\n")]
        names = _positional(params)
        values = list(_value_examples(lines, first_line, func_name, taken, names))
        if params is not None:
            values.extend(_bare_word_examples(lines, first_line, func_name, taken, params))
        if not found and not values:
            values = _renamed_examples(lines, first_line, func_name, params)
        found.extend(values)
    found.sort(key=lambda ex: ex.line)
    return tuple(ex for ex in found if "SKIP" not in ex.flags)  # doctest never runs those


def _positional(params: Sequence[Param] | None) -> tuple[str, ...]:
    names = [p.name for p in params or () if p.kind == "positional"]
    return tuple(names[1:] if names[:1] in (["self"], ["cls"]) else names)


def _doctest_examples(docstring: str, first_line: int, name: str) -> Iterator[Example]:
    """Doctest examples, one ``>>>`` block at a time so one malformed block spoils only itself."""
    lines = docstring.split("\n")
    starts = [i for i, line in enumerate(lines) if line.lstrip().startswith(">>>")]
    for start, stop in zip(starts, [*starts[1:], len(lines)]):
        try:
            parsed = _PARSER.get_examples("\n".join(lines[start:stop]))
        except ValueError:  # inconsistent indentation etc.: skip this block, keep the others
            continue
        for ex in parsed:
            yield _doctest_example(ex, first_line + start, name)


def _doctest_example(ex: doctest.Example, offset: int, name: str) -> Example:
    flags = tuple(sorted(_FLAG_NAMES[f] for f, on in ex.options.items() if on and f in _FLAG_NAMES))
    want = ex.want
    implied = not want and bool(name) and ex.exc_msg is None
    if implied := implied and _is_equality_check(ex.source, name):
        want = "True\n"  # `>>> f(x) == y` with nothing below: the author means it holds
    n_lines = ex.source.count("\n") + ex.want.count("\n")
    return Example(
        source=ex.source.rstrip("\n"),
        want=want,
        line=offset + ex.lineno,
        style="doctest",
        flags=flags,
        exc_msg=ex.exc_msg,
        end_line=offset + ex.lineno + max(n_lines - 1, 0),
        implied_want=implied,
    )


def _is_equality_check(source: str, name: str) -> bool:
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return (
        isinstance(node, ast.Compare)
        and len(node.ops) == 1
        and isinstance(node.ops[0], ast.Eq)
        and is_call_of(ast.unparse(node.left), name)
    )


def _value_examples(
    lines: list[str],
    first_line: int,
    name: str,
    taken: set[int],
    params: tuple[str, ...] = (),
    only: set[int] | None = None,
) -> Iterator[Example]:
    i = 0
    while i < len(lines):
        if i in taken or (only is not None and i not in only):
            i += 1
            continue
        found = example_forms.find(lines, i, name, params)
        if found is None:
            i += 1
            continue
        source, want, last = found
        taken.update(range(i, last + 1))
        yield Example(source, want, first_line + i, "value", end_line=first_line + last)
        i = last + 1


def _renamed_examples(
    lines: list[str], first_line: int, name: str, params: Sequence[Param] | None
) -> list[Example]:
    """Examples under an ``Example`` heading that call the function by another (old) name.

    Taken only when no example names the function, every such line names the same other
    function, and (when the parameters are known) each call's argument count fits them.
    """
    heading = next((i for i, line in enumerate(lines) if _HEADING.search(line)), None)
    if heading is None:
        return []
    starts = (line_call(line) for line in lines[heading:])
    other = {called for called in starts if called is not None} - BUILTIN_NAMES - {name}
    if not other or len(other) > _MAX_ALIASES:  # many names: not one function's examples
        return []
    found: dict[str, list[Example]] = {}
    for alias in sorted(other):
        rows = list(_value_examples(lines, first_line, alias, set(range(heading))))
        if rows:
            found[alias] = rows
    if len(found) != 1:
        return []
    ((alias, rows),) = found.items()
    out = []
    for ex in rows:
        source = _renamed(ex.source, alias, name)
        if source is None or not _fits(source, params):
            return []
        out.append(Example(source, ex.want, ex.line, "value", end_line=ex.end_line))
    return out


def _renamed(source: str, old: str, new: str) -> str | None:
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == old:
            node.func.id = new
    return ast.unparse(tree)


def _fits(source: str, params: Sequence[Param] | None) -> bool:
    """Whether every call in ``source`` could bind to ``params`` by count (unknown: yes)."""
    if params is None or any(p.kind in ("vararg", "kwargs") for p in params):
        return True
    names = _positional(params)
    need = sum(
        1 for p in params if p.kind == "positional" and p.default is None and p.name in names
    )
    tree = ast.parse(source, mode="eval")
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    given = len(call.args) + len(call.keywords)
    return need <= given <= len(names) + sum(1 for p in params if p.kind == "kwonly")


def _bare_word_examples(
    lines: list[str], first_line: int, name: str, taken: set[int], params: Sequence[Param]
) -> list[Example]:
    """``is_happy(abcd) => True``: unquoted words as arguments of string parameters.

    A word is read as a string only where the parameter is annotated ``str`` (or has no
    annotation and the docstring speaks of strings), the word names no parameter, builtin or
    literal, and the expected value is a literal. At least two such lines must agree on the
    habit, so one prose mention like ``f(word) -> True`` never becomes an example.
    """
    names = _positional(params)
    kinds = {p.name: p.annotation for p in params}
    says_string = bool(_STRING_WORD.search("\n".join(lines)))
    stringy = [kinds[n] == "str" or (kinds[n] is None and says_string) for n in names]
    rewritten: dict[int, str] = {}
    for i, line in enumerate(lines):
        m = _BARE_CALL.search(line)
        if i in taken or m is None or m.group(1) != name:
            continue
        if not is_prefix(line[: m.start()].strip()):
            continue
        args = [a.strip() for a in m.group(2).split(",")] if m.group(2).strip() else []
        if len(args) != len(names):
            continue
        quoted = [repr(a) if ok and _is_bare_word(a, names) else a for a, ok in zip(args, stringy)]
        if quoted != args:
            rewritten[i] = f"{line[: m.start()]}{name}({', '.join(quoted)}){line[m.end() :]}"
    if len(rewritten) < 2:
        return []
    view = [rewritten.get(i, line) for i, line in enumerate(lines)]
    rows = [
        ex
        for ex in _value_examples(view, first_line, name, set(taken), only=set(rewritten))
        if is_literal(ex.want)
    ]
    if len(rows) < 2:
        return []
    for ex in rows:
        taken.update(range(ex.line - first_line, (ex.end_line or ex.line) - first_line + 1))
    return rows


def _is_bare_word(arg: str, params: tuple[str, ...]) -> bool:
    return (
        _WORD.fullmatch(arg) is not None
        and arg not in params
        and arg not in BUILTIN_NAMES
        and arg.lower() not in LITERAL_WORDS
    )


def prose_lines(docstring: str, name: str) -> Iterator[str]:
    """The docstring's lines that are not an example's, stripped: no ``>>>`` or ``...`` line,
    nor the output lines below one (up to a blank line), nor a line that calls ``name``
    (``f(x) == y``, ``f(x) ➞ y``)."""
    call = re.compile(rf"\b{re.escape(name)}\s*\(")
    output = False
    for line in docstring.splitlines():
        text = line.strip()
        if text.startswith((">>>", "...")):
            output = True
            continue
        if not text:
            output = False
        elif not output and not call.search(text):
            yield text
