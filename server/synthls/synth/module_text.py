"""Turn a document plus a candidate body into the text of the new document or a runnable module."""

from __future__ import annotations

import textwrap

from synthls.intent.model import FunctionTarget, Span
from synthls.intent.text import offset_of as offset_of  # re-exported: callers edit text


def replace_span(text: str, span: Span, new: str) -> str:
    start = offset_of(text, span.start.line, span.start.col)
    end = offset_of(text, span.end.line, span.end.col)
    return text[:start] + new + text[end:]


def body_replacement(target: FunctionTarget, body: str, newline: str = "\n") -> str:
    """The text that replaces ``target.body_span`` so the function gets ``body``."""
    lines = textwrap.dedent(body).strip("\n").splitlines() or ["pass"]
    indented = [lines[0]] + [(target.indent + ln) if ln.strip() else "" for ln in lines[1:]]
    prefix = target.body_prefix.replace("\n", newline)
    return prefix + newline.join(indented)


def document_with_body(text: str, target: FunctionTarget, body: str) -> str:
    newline = "\r\n" if "\r\n" in text else "\n"
    return replace_span(text, target.body_span, body_replacement(target, body, newline))


_COMPILES: dict[str, bool] = {}  # the last few sources checked: a file is checked per function
_COMPILES_KEPT = 8


def note_compiles(source: str, ok: bool) -> None:
    """Remember whether ``source`` compiles (the LSP server checks big files off its loop)."""
    _COMPILES[source] = ok
    while len(_COMPILES) > _COMPILES_KEPT:
        _COMPILES.pop(next(iter(_COMPILES)), None)


def _compiles(source: str) -> bool:
    known = _COMPILES.get(source)
    if known is not None:
        return known
    try:
        compile(source, "<candidate>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        note_compiles(source, False)
        return False
    note_compiles(source, True)
    return True


def module_with_body(text: str, target: FunctionTarget, body: str | None) -> str:
    """A module in which the target function has ``body`` (None: keep the current body).

    The whole file is used when it compiles, so examples can use its other names; a file with syntax
    errors elsewhere falls back to the file's imports plus the target function (and its class).
    """
    full = text if body is None else document_with_body(text, target, body)
    full = full.replace("\r\n", "\n").removeprefix("\ufeff")  # a UTF-8 BOM is no code
    if _compiles(full):
        return full
    start = offset_of(full, target.span.start.line, 0)
    end_line = target.span.end.line
    if body is not None:
        end_line += body_replacement(target, body).count("\n") - (
            target.body_span.end.line - target.body_span.start.line
        )
    end = offset_of(full, end_line + 1, 0)
    func = textwrap.dedent(full[start:end])
    if target.spec.class_name:
        func = f"class {target.spec.class_name}:\n" + textwrap.indent(func, "    ")
    return "\n".join(target.spec.imports) + "\n\n" + func
