"""Code actions: cheap to list (no synthesis here); each carries the command that does the work."""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from synthls.intent.comments import comment_at
from synthls.intent.document import Document
from synthls.intent.targets import function_at
from synthls.lsp.services import Configured
from synthls.synth.engines import needs_examples

SYNTH_TITLE = "Synthesize body from docstring"
REGEN_TITLE = "Regenerate body to satisfy examples"
COMMENT_TITLE = "Generate code from comment"


def _command(title: str, name: str, uri: str, line: int) -> types.Command:
    return types.Command(title=title, command=name, arguments=[uri, line])


def list_actions(
    configured: Configured,
    doc: Document | None,
    params: types.CodeActionParams,
    published: Sequence[types.Diagnostic] = (),
) -> list[types.CodeAction]:
    """The actions at ``params.range.start`` in ``doc`` (the open document; None: not open).

    ``published``: the diagnostics the server last published for ``doc``. A failing example of
    the function under the cursor offers "Regenerate" anywhere in that function, not only on the
    example's own line (the client sends only the diagnostics at the cursor)."""
    uri = params.text_document.uri
    if doc is None:
        return []
    line = params.range.start.line
    only = params.context.only
    out: list[types.CodeAction] = []
    target = function_at(doc, line)
    wants_rewrite = not only or any(k.startswith("refactor") for k in only)
    wants_fix = not only or types.CodeActionKind.QuickFix in only
    if target is not None and target.is_stub and wants_rewrite:
        title = SYNTH_TITLE
        if not target.spec.examples and not needs_examples(
            configured.settings.engine, configured.settings
        ):
            title += " (unverified)"
        out.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.RefactorRewrite,
                command=_command(title, "synthls.synthesize", uri, target.def_line),
            )
        )
    fixes = [
        d
        for d in params.context.diagnostics
        if d.source == "synthls" and d.code == "example-failed"
    ]
    if not fixes and target is not None:
        fixes = [
            d
            for d in published
            if d.code == "example-failed"
            and isinstance(d.data, dict)
            and d.data.get("function") == target.spec.name
            and d.data.get("line") == target.def_line
        ]
    if fixes and wants_fix and target is not None and not target.is_stub:
        out.append(
            types.CodeAction(
                title=REGEN_TITLE,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=fixes,
                is_preferred=True,
                command=_command(REGEN_TITLE, "synthls.regenerate", uri, target.def_line),
            )
        )
    comment = comment_at(doc, line)
    if comment is not None and wants_rewrite:
        out.append(
            types.CodeAction(
                title=COMMENT_TITLE,
                kind=types.CodeActionKind.RefactorRewrite,
                command=_command(
                    COMMENT_TITLE, "synthls.generateFromComment", uri, comment.span.end.line
                ),
            )
        )
    return out
