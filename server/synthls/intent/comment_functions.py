"""Targets for "Generate code from comment".

Inside a function, the new statements go right below the comment and are checked with the
function's examples plus any in the comment. At module level the comment's examples name the
function to create (``# >>> double(3)`` / ``# 6``); the new function gets the comment as its
docstring, so its examples keep being checked afterwards.
"""

from __future__ import annotations

import ast
import dataclasses

from synthls.intent.document import Document
from synthls.intent.model import CommentTarget, FunctionTarget, Param, Pos, Span, Spec
from synthls.intent.targets import find_functions, function_at, module_context

_NAMES = {
    int: "n",
    float: "x",
    str: "s",
    list: "items",
    tuple: "pair",
    dict: "mapping",
    set: "values",
    bool: "flag",
}


def _called_function(source: str) -> tuple[str, list[ast.expr]] | None:
    try:
        node = ast.parse(source, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        return node.func.id, list(node.args)
    return None


def _param_names(args: list[ast.expr]) -> list[str]:
    names: list[str] = []
    for arg in args:
        try:
            base = _NAMES.get(type(ast.literal_eval(arg)), "arg")
        except (ValueError, SyntaxError, TypeError):
            base = "arg"
        name, k = base, 2
        while name in names:
            name, k = f"{base}{k}", k + 1
        names.append(name)
    return names


def _inside(doc: Document, comment: CommentTarget) -> FunctionTarget | str:
    fn = function_at(doc, comment.span.start.line)
    if fn is None:
        return "synthls: the comment is not inside a function"
    at = Pos(comment.span.end.line, comment.span.end.col)
    spec = dataclasses.replace(
        fn.spec, comment=comment.text, examples=fn.spec.examples + comment.examples
    )
    return dataclasses.replace(
        fn,
        spec=spec,
        body_span=Span(at, at),
        indent=comment.indent,
        body_prefix="\n" + comment.indent,
        is_stub=False,
    )


def _module_level(doc: Document, comment: CommentTarget) -> FunctionTarget | str:
    calls = [c for c in (_called_function(e.source) for e in comment.examples) if c]
    if not calls:
        return (
            "synthls: at module level the comment needs an example that names the function, e.g.\n"
            "# >>> double(3)\n# 6"
        )
    name, args = calls[0]
    if any(t.spec.name == name for t in find_functions(doc)):
        return f"synthls: {name} already exists; use 'Synthesize body from docstring' on it"
    params = _param_names(args)
    ind = comment.indent
    body_ind = ind + "    "
    doc_lines = comment.text.splitlines()
    docstring = "\n".join(doc_lines)
    doc_text = "\n".join((body_ind + ln) if ln.strip() else "" for ln in doc_lines)
    header = f"def {name}({', '.join(params)}):"
    prefix = f'\n{ind}{header}\n{body_ind}"""{doc_text.lstrip()}\n{body_ind}"""\n{body_ind}'
    at = Pos(comment.span.end.line, comment.span.end.col)
    imports, context = module_context(doc)
    spec = Spec(
        name=name,
        params=tuple(Param(p) for p in params),
        docstring=docstring,
        examples=comment.examples,
        signature=header,
        imports=imports,
        context=context,
        comment=comment.text,
    )
    span = Span(Pos(comment.span.start.line, 0), at)
    return FunctionTarget(
        spec=spec,
        span=span,
        def_line=comment.span.end.line,
        body_span=Span(at, at),
        indent=body_ind,
        is_stub=True,
        body_prefix=prefix,
    )


def function_for_comment(doc: Document, comment: CommentTarget) -> FunctionTarget | str:
    """A target whose body edit inserts the generated code, or a message saying why not."""
    if comment.inside_function:
        return _inside(doc, comment)
    return _module_level(doc, comment)
