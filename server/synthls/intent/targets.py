"""Find synthesis targets in a parsed document: functions (stub or not) and their specs.

A stub is a body holding only a docstring, ``pass``, ``...``, ``raise NotImplementedError(...)``,
or the docstring followed by one of these. Functions whose own text has syntax errors are skipped,
so a broken file still yields its intact functions.
"""

from __future__ import annotations

import ast

from tree_sitter import Node, Query, QueryCursor

from synthls.intent.document import PY_LANGUAGE, Document
from synthls.intent.examples import extract_examples
from synthls.intent.model import Example, FunctionTarget, Param, Pos, Span, Spec

_PARAM_KINDS = {"list_splat_pattern": "vararg", "dictionary_splat_pattern": "kwargs"}
_CONTEXT_BUDGET = 2000
_FUNCTIONS = Query(PY_LANGUAGE, "(function_definition) @function")


def _is_docstring(node: Node) -> bool:
    return (
        node.type == "expression_statement"
        and node.named_child_count == 1
        and (node.named_children[0].type in ("string", "concatenated_string"))
    )


def _is_stub_statement(doc: Document, node: Node) -> bool:
    if node.type == "pass_statement":
        return True
    if node.type == "expression_statement" and node.named_child_count == 1:
        return node.named_children[0].type == "ellipsis"
    if node.type == "raise_statement":
        text = doc.node_text(node)[len("raise") :].strip()
        return text == "NotImplementedError" or text.startswith("NotImplementedError(")
    return False


def _params(doc: Document, node: Node | None) -> tuple[Param, ...]:
    out: list[Param] = []
    kwonly = False
    for child in node.named_children if node else []:
        kind = _PARAM_KINDS.get(child.type, "kwonly" if kwonly else "positional")
        if child.type == "keyword_separator":
            kwonly = True
            continue
        if child.type == "positional_separator" or child.type == "comment":
            continue
        if child.type == "list_splat_pattern":
            kwonly = True
        name_node = child if child.type == "identifier" else child.child_by_field_name("name")
        if name_node is None:
            name_node = next((c for c in child.named_children if c.type == "identifier"), None)
        if name_node is None:
            continue
        ann, default = child.child_by_field_name("type"), child.child_by_field_name("value")
        if child.type == "typed_parameter":
            ann = next((c for c in child.named_children if c.type == "type"), None)
        out.append(
            Param(
                name=doc.node_text(name_node),
                annotation=doc.node_text(ann) if ann else None,
                default=doc.node_text(default) if default else None,
                kind=kind,  # type: ignore[arg-type]
            )
        )
    return tuple(out)


def _docstring_value(doc: Document, node: Node) -> str:
    raw = doc.node_text(node)
    try:
        value = ast.literal_eval(raw)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return raw.strip("rRbBuUfF").strip("\"'")
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def _enclosing(node: Node) -> tuple[Node, Node | None]:
    """(outermost node of the definition incl. decorators, enclosing class or None)."""
    outer = node.parent if node.parent and node.parent.type == "decorated_definition" else node
    block = outer.parent
    cls = block.parent if block and block.type == "block" else None
    return outer, cls if cls is not None and cls.type == "class_definition" else None


def _class_name(doc: Document, cls: Node | None) -> str | None:
    name = cls.child_by_field_name("name") if cls is not None else None
    return doc.node_text(name) if name is not None else None


def _indent_unit(doc: Document) -> str:
    return "\t" if "\n\t" in doc.text else "    "


def _body_layout(
    doc: Document, fn: Node, block: Node, stmts: list[Node], has_doc: bool
) -> tuple[Span, str, str]:
    """(span to replace, indentation, prefix before the new body)."""
    def_line = fn.start_point[0]
    inline = block.start_point[0] == def_line
    def_indent = doc.line_text(def_line)[
        : len(doc.line_text(def_line)) - len(doc.line_text(def_line).lstrip())
    ]
    if inline:
        indent = def_indent + _indent_unit(doc)
    else:
        line = doc.line_text(block.start_point[0])
        indent = line[: len(line) - len(line.lstrip())]
    end = doc.pos(stmts[-1].end_point) if stmts else doc.pos(block.end_point)
    if has_doc:
        start = doc.pos(stmts[0].end_point)
        return Span(start, end), indent, "\n" + indent
    if inline:
        colon = block.prev_sibling
        start = doc.pos(colon.end_point) if colon is not None else doc.pos(block.start_point)
        return Span(start, end), indent, "\n" + indent
    return Span(doc.pos(block.start_point), end), indent, ""


def function_target(
    doc: Document, fn: Node, context: tuple[tuple[str, ...], str]
) -> FunctionTarget | None:
    block = fn.child_by_field_name("body")
    name_node = fn.child_by_field_name("name")
    if block is None or name_node is None or fn.has_error:
        return None
    stmts = [c for c in block.named_children if c.type != "comment"]
    has_doc = bool(stmts) and _is_docstring(stmts[0])
    docstring = _docstring_value(doc, stmts[0].named_children[0]) if has_doc else None
    rest = stmts[1:] if has_doc else stmts
    outer, cls = _enclosing(fn)
    span, indent, prefix = _body_layout(doc, fn, block, stmts, has_doc)
    params = _params(doc, fn.child_by_field_name("parameters"))
    examples: tuple[Example, ...] = ()
    if docstring is not None:
        line = stmts[0].start_point[0]
        examples = extract_examples(docstring, line, doc.node_text(name_node), params)
    header_end = block.prev_sibling.end_byte if block.prev_sibling else block.start_byte
    signature = doc.data[fn.start_byte : header_end].decode("utf-8", "replace")
    ret = fn.child_by_field_name("return_type")
    decorators = tuple(doc.node_text(d) for d in outer.named_children if d.type == "decorator")
    body_text = ""
    if rest:
        first = rest[0]
        body_text = doc.data[first.start_byte : rest[-1].end_byte].decode("utf-8", "replace")
        col = doc.pos(first.start_point).col
        body_text = "\n".join(
            ln[col:] if ln[:col].strip() == "" else ln.lstrip() for ln in body_text.split("\n")
        )
    spec = Spec(
        name=doc.node_text(name_node),
        params=params,
        returns=doc.node_text(ret) if ret else None,
        decorators=decorators,
        class_name=_class_name(doc, cls),
        is_async=fn.children[0].type == "async",
        docstring=docstring,
        examples=examples,
        signature=signature,
        imports=context[0],
        context=context[1],
        current_body=body_text or None,
    )
    return FunctionTarget(
        spec=spec,
        span=Span(doc.pos(outer.start_point), doc.pos(outer.end_point)),
        def_line=fn.start_point[0],
        body_span=span,
        indent=indent,
        is_stub=all(_is_stub_statement(doc, s) for s in rest),
        docstring_span=Span(doc.pos(stmts[0].start_point), doc.pos(stmts[0].end_point))
        if has_doc
        else None,
        body_text=body_text,
        body_prefix=prefix,
    )


def module_context(doc: Document) -> tuple[tuple[str, ...], str]:
    """(import statements, nearby signatures and constants) from the module's top level."""
    cached = doc.cache.get("module_context")
    if cached is not None:
        return cached  # type: ignore[return-value]
    imports: list[str] = []
    context: list[str] = []
    for node in doc.tree.root_node.named_children:
        kind = node.type
        if kind in ("import_statement", "import_from_statement", "future_import_statement"):
            imports.append(doc.node_text(node))
            continue
        inner = (
            node.named_children[-1]
            if kind == "decorated_definition" and node.named_children
            else node
        )
        if inner.type in ("function_definition", "class_definition"):
            body = inner.child_by_field_name("body")
            head = doc.data[node.start_byte : body.start_byte if body else node.end_byte].decode(
                "utf-8", "replace"
            )
            context.append(head.rstrip() + " ...")
        elif (
            kind == "expression_statement"
            and node.named_children
            and node.named_children[0].type == "assignment"
        ):
            text = doc.node_text(node)
            if len(text) <= 200:
                context.append(text)
    joined = "\n".join(context)
    result = tuple(imports), joined[:_CONTEXT_BUDGET]
    doc.cache["module_context"] = result
    return result


def function_nodes(doc: Document) -> list[Node]:
    """Every ``function_definition`` node, in source order (one tree query, cached per text)."""
    cached = doc.cache.get("function_nodes")
    if cached is None:
        found = QueryCursor(_FUNCTIONS).captures(doc.tree.root_node).get("function", [])
        cached = doc.cache["function_nodes"] = sorted(found, key=lambda n: n.start_byte)
    return cached  # type: ignore[return-value]


def find_functions(doc: Document) -> list[FunctionTarget]:
    """Every intact function in the document, in source order."""
    context = module_context(doc)
    targets = (function_target(doc, fn, context) for fn in function_nodes(doc))
    return [t for t in targets if t is not None]


def function_node_at(doc: Document, line: int) -> Node | None:
    """The innermost intact ``function_definition`` whose definition spans ``line``."""
    text = doc.line_text(line)
    col = len(text) - len(text.lstrip())
    node = doc.tree.root_node.descendant_for_point_range(
        (line, col), (line, max(col, len(text.encode())))
    )
    while node is not None:
        if node.type == "decorated_definition":
            inner = node.child_by_field_name("definition")
            if inner is not None and inner.type == "function_definition":
                node = inner
        if node.type == "function_definition" and not node.has_error:
            return node
        node = node.parent
    return None


def function_at(doc: Document, line: int) -> FunctionTarget | None:
    """The innermost intact function whose definition (decorators included) spans ``line``."""
    node = function_node_at(doc, line)
    return function_target(doc, node, module_context(doc)) if node is not None else None


def qualname(doc: Document, node: Node) -> str:
    """``Outer.method.<locals>.inner``-style name of a function or class node."""
    parts: list[str] = []
    cur: Node | None = node
    while cur is not None:
        if cur.type in ("function_definition", "class_definition"):
            name = cur.child_by_field_name("name")
            if cur is not node and cur.type == "function_definition":
                parts.append("<locals>")
            parts.append(doc.node_text(name) if name is not None else "?")
        cur = cur.parent
    return ".".join(reversed(parts))


def stub_at(doc: Document, line: int) -> FunctionTarget | None:
    target = function_at(doc, line)
    return target if target is not None and target.is_stub else None


__all__ = [
    "Pos",
    "find_functions",
    "function_at",
    "function_node_at",
    "function_nodes",
    "module_context",
    "qualname",
    "stub_at",
]
