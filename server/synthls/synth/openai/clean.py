"""Turn a model's reply into a function body, or say why it cannot be used.

Models answer in many shapes (after any ``<think>`` reasoning, which is dropped): a fenced block
or raw text, a whole ``def`` (sometimes inside its class, with imports and helpers around it) or a
bare body, indented or not, with the docstring repeated. All of these become the dedented
statements that follow the docstring; the edit layer re-indents them for the target. A reply
that holds no code, or code that does not parse, yields an empty body and a reason, so it is
counted as a failed candidate and never inserted.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap

# a fence is any run of three or more backticks, closed by a run at least as long (Markdown)
_FENCE = re.compile(r"(`{3,})[ \t]*([\w+-]*)[^\n]*\n(.*?)(?:\1|\Z)", re.DOTALL)
_PYTHON = ("", "python", "py", "python3")
_CODE_HINT = re.compile(
    r"^\s*(return\b|def\b|for\b|if\b|while\b|import\b|from\b|raise\b|yield\b|\w+\s*=)", re.M
)
_THINK = re.compile(r"<think>.*?(</think>|\Z)", re.DOTALL)  # reasoning models' scratchpad
_KEEP = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_KEEP_ASSIGN = (ast.Assign, ast.AnnAssign)


def parse_error(body: str, is_async: bool = False) -> str | None:
    """None when ``body`` parses as the statements of a function, else the reason."""
    head = "async def _f():\n" if is_async else "def _f():\n"
    try:
        ast.parse(head + textwrap.indent(body, "    ", lambda _: True))
    except SyntaxError as exc:
        line = (exc.lineno or 2) - 1
        return f"does not parse: {exc.msg} (line {line})"
    except (ValueError, RecursionError, MemoryError) as exc:
        return f"does not parse: {exc}"
    return None


def _blocks(text: str, depth: int = 0) -> list[tuple[str, str]]:
    """(language, code) of the fenced blocks, each followed by the blocks fenced inside it (a
    ````` ```` ````` block may quote a whole Markdown answer)."""
    out: list[tuple[str, str]] = []
    for _, lang, code in _FENCE.findall(text):
        out.append((lang.lower(), code))
        if depth < 2 and "```" in code:
            out.extend(_blocks(code, depth + 1))
    return out


def _sources(text: str) -> list[str]:
    """Fenced code blocks (python-looking first), else the whole reply."""
    blocks = _blocks(text)
    code = [c for lang, c in blocks if lang in _PYTHON]
    other = [c for lang, c in blocks if lang not in _PYTHON]
    return [c for c in code + other if c.strip()] or ([text] if not blocks else [])


def _segment(lines: list[str], node: ast.stmt, after: int = 0) -> list[str]:
    """The source lines of ``node`` past line ``after`` (1-based; those are already taken).

    A statement that shares its first line with what came before (``def f(x): return x``,
    ``import time; time.sleep(1)``) either comes with that line, when the statement before it
    was taken, or starts the line at the line's own indentation in place of what precedes it.
    """
    end = node.end_lineno or node.lineno
    decorators = getattr(node, "decorator_list", [])
    start = decorators[0].lineno if decorators else node.lineno
    if start <= after:
        return lines[after:end]
    seg = lines[start - 1 : end]
    if not decorators and node.col_offset:
        first = seg[0].encode("utf-8", "surrogatepass")  # ast columns count UTF-8 bytes
        before = first[: node.col_offset]
        if before.strip():
            indent = before[: len(before) - len(before.lstrip())]
            rest = (indent + first[node.col_offset :]).decode("utf-8", "surrogatepass")
            seg = [rest, *seg[1:]]
    return seg


def _strip_docstring(stmts: list[ast.stmt]) -> list[ast.stmt]:
    first = stmts[0] if stmts else None
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return stmts[1:]
    return stmts


def _body_of(lines: list[str], stmts: list[ast.stmt]) -> str:
    out: list[str] = []
    taken = 0  # the last line taken (statements may share a line: `a = 1; return a`)
    for stmt in stmts:
        out.extend(_segment(lines, stmt, taken))
        taken = max(taken, stmt.end_lineno or stmt.lineno)
    return textwrap.dedent("\n".join(out)).strip("\n")


def _find_def(
    tree: ast.Module, name: str
) -> tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool] | None:
    """(the def named ``name``, whether it is at module level); of several, the last, which is
    the one Python keeps."""
    for node in reversed(tree.body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return node, True
    for node in reversed(tree.body):
        if isinstance(node, ast.ClassDef):
            for inner in reversed(node.body):
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef) and inner.name == name:
                    return inner, False
    return None


def _helpers(
    tree: ast.Module,
    lines: list[str],
    target: ast.FunctionDef | ast.AsyncFunctionDef,
    imports: tuple[str, ...],
) -> str:
    """Imports and helper definitions around the target def, to put at the start of the body
    (not the target's earlier definitions, which the last one replaces)."""
    known = {" ".join(i.split()) for i in imports}
    keep: list[ast.stmt] = []
    for node in tree.body:
        if not isinstance(node, _KEEP + _KEEP_ASSIGN) or getattr(node, "name", None) == target.name:
            continue
        text = " ".join("\n".join(_segment(lines, node)).split())
        if isinstance(node, ast.Import | ast.ImportFrom) and text in known:
            continue
        keep.append(node)
    return _body_of(lines, keep) if keep else ""


def _from_module(src: str, name: str, imports: tuple[str, ...]) -> str | None:
    """The body when ``src`` is a module holding ``def name``; None when it holds no such def."""
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = _find_def(tree, name)
    if found is None:
        return None
    fn, top = found
    lines = src.splitlines()
    body = _body_of(lines, _strip_docstring(list(fn.body)))
    prefix = _helpers(tree, lines, fn, imports) if top else ""
    return "\n".join(p for p in (prefix, body) if p)


def _as_body(src: str, is_async: bool) -> str | None:
    """``src`` as bare body statements (docstring removed), trying three indentation repairs."""
    lines = src.splitlines()
    tries = [textwrap.dedent(src)]
    if len(lines) > 1:  # first line flush left, the rest indented
        tries.append(lines[0].strip() + "\n" + textwrap.dedent("\n".join(lines[1:])))
    depth = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
    for i, line in enumerate(lines[1:], 1):  # a completion running on past the body: cut it
        if depth and line.strip() and len(line) - len(line.lstrip()) < depth:
            tries.append(textwrap.dedent("\n".join(lines[:i])))
            break
    head = "async def _f():\n" if is_async else "def _f():\n"
    for attempt in tries:
        attempt = attempt.strip("\n")
        if not attempt.strip() or parse_error(attempt, is_async) is not None:
            continue
        wrapped = head + textwrap.indent(attempt, "    ", lambda _: True)
        fn = ast.parse(wrapped).body[0]
        assert isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        stmts = _strip_docstring(list(fn.body))
        return _body_of(wrapped.splitlines(), stmts) if stmts else None
    return None


def clean_reply(
    text: str, name: str, imports: tuple[str, ...] = (), is_async: bool = False
) -> tuple[str, str]:
    """(body, "") for a usable reply, or ("", reason) when it cannot be used."""
    if not text or not text.strip():
        return "", "empty reply"
    text = _THINK.sub("", text)
    if not text.strip():
        return "", "the reply holds only the model's reasoning, no answer (raise openai.maxTokens?)"
    sources = _sources(text)
    error = ""
    for src in sources:
        src = textwrap.dedent(src).strip("\n")
        body = _from_module(src, name, imports)
        if body is None:
            body = _as_body(src, is_async)
        if body:
            problem = parse_error(body, is_async)
            if problem is None:
                return _without_star_imports(body, is_async), ""
            error = error or problem
        error = (
            error
            or parse_error(textwrap.dedent(src), is_async)
            or "no statements besides a docstring"
        )
    if not sources or not _CODE_HINT.search("\n".join(sources)):
        snippet = " ".join(text.split())[:80]
        return "", f"no code in the reply: {snippet!r}"
    return "", error


def _without_star_imports(body: str, is_async: bool = False) -> str:
    """``body`` with each ``from module import *`` (a model often writes ``from typing import
    *`` above its function) made explicit: Python refuses a star import inside a function, so
    the body would not compile. It becomes ``from module import`` the names the body uses that
    the module exports, for a standard module the server has already loaded (nothing is imported
    to find out); otherwise, or when the body uses none of them, the line goes."""
    head = "async def _f():\n" if is_async else "def _f():\n"
    try:
        tree = ast.parse(head + textwrap.indent(body, "    ", lambda _: True))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return body
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
    stars = [
        n for n in fn.body if isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names)
    ]
    if not stars:
        return body
    used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
    lines = body.splitlines()
    later: set[str] = set()  # a name two star imports give comes from the later one
    for node in reversed(stars):
        start, end = node.lineno - 2, (node.end_lineno or node.lineno) - 2
        segment = "\n".join(lines[start : end + 1])
        if ";" in segment or node.col_offset != 4:  # shares its line: leave it to the sandbox
            continue
        explicit = _explicit(node, used - later)
        later |= _exported(node) & used
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        lines[start : end + 1] = [indent + explicit] if explicit else []
    return "\n".join(lines)


def _explicit(node: ast.ImportFrom, used: set[str]) -> str | None:
    """``from module import a, b``: the names of ``used`` a star import of ``node.module`` gives,
    when that is a standard module already loaded; None otherwise or when none is used."""
    names = sorted(used & _exported(node))
    return f"from {node.module} import {', '.join(names)}" if names else None


def _exported(node: ast.ImportFrom) -> set[str]:
    """The names a star import of ``node.module`` gives, for a standard module already loaded
    (empty for any other: nothing is imported to find out)."""
    module = node.module
    if node.level or not module or module.split(".")[0] not in sys.stdlib_module_names:
        return set()
    loaded = sys.modules.get(module)
    if loaded is None:
        return set()
    exported = getattr(loaded, "__all__", None)
    if not isinstance(exported, list | tuple) or not all(isinstance(n, str) for n in exported):
        exported = [n for n in vars(loaded) if not n.startswith("_")]
    return set(exported)
