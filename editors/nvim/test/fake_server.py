"""A scripted stand-in for synthls that exercises both lazy code-action shapes.

The real server may answer "Synthesize body from docstring" either with ``data`` resolved at
``codeAction/resolve`` or with a ``command`` that it executes and follows with
``workspace/applyEdit``. The editor clients must handle both, whichever one the real server
happens to use, so this double offers the shape named by ``FAKE_SYNTHLS_MODE``
(``resolve`` or ``command``), with ``FAKE_SYNTHLS_TITLE_SUFFIX`` appended to the title (the
real server qualifies it, e.g. " (unverified)"). Its "synthesis" inserts ``return a + b`` after the docstring of
the function at the requested line; it also publishes one failing-example diagnostic when a
function returns ``a - b``. ``FAKE_SYNTHLS_STATUS`` (a JSON object) adds to or replaces the fields
of its ``synthls.sandboxStatus`` answer. With ``FAKE_SYNTHLS_SLOW`` (a file name) ``codeAction/resolve``
waits until it is cancelled and then writes "cancelled" to that file.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

MODE = os.environ.get("FAKE_SYNTHLS_MODE", "resolve")
SLOW = os.environ.get("FAKE_SYNTHLS_SLOW")  # a file: resolve waits, then notes its cancel there
TITLE = "Synthesize body from docstring" + os.environ.get("FAKE_SYNTHLS_TITLE_SUFFIX", "")
server = LanguageServer("synthls-fake", "0.0.1")


def _insert_edit(uri: str, lines: list[str], line: int, version: int | None) -> types.WorkspaceEdit:
    opening = next(i for i in range(line, len(lines)) if '"""' in lines[i])
    closing = opening
    if lines[opening].count('"""') < 2:
        closing = next(i for i in range(opening + 1, len(lines)) if '"""' in lines[i])
    pos = types.Position(line=closing + 1, character=0)
    edit = types.TextEdit(range=types.Range(start=pos, end=pos), new_text="    return a + b\n")
    doc_id = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
    return types.WorkspaceEdit(
        document_changes=[types.TextDocumentEdit(text_document=doc_id, edits=[edit])]
    )


def _publish(ls: LanguageServer, uri: str) -> None:
    doc = ls.workspace.get_text_document(uri)
    diags = []
    if "return a - b" in doc.source:
        for i, text in enumerate(doc.lines):
            if text.strip().startswith(">>>"):
                rng = types.Range(
                    start=types.Position(i, 0), end=types.Position(i, len(text.rstrip()))
                )
                diags.append(
                    types.Diagnostic(range=rng, message="expected 3, got -1", source="synthls")
                )
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diags))


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.RefactorRewrite], resolve_provider=True
    ),
)
def code_action(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri, line = params.text_document.uri, params.range.start.line
    kind = types.CodeActionKind.RefactorRewrite
    if MODE == "command":
        cmd = types.Command(title=TITLE, command="synthls.synthesize", arguments=[uri, line])
        return [types.CodeAction(title=TITLE, kind=kind, command=cmd)]
    return [types.CodeAction(title=TITLE, kind=kind, data={"uri": uri, "line": line})]


@server.feature(types.CODE_ACTION_RESOLVE)
async def resolve(ls: LanguageServer, action: types.CodeAction) -> types.CodeAction:
    if SLOW:  # a model that takes long to load: wait until the client cancels
        try:
            await asyncio.sleep(600)
        except asyncio.CancelledError:
            Path(SLOW).write_text("cancelled")
            raise
    data = action.data
    doc = ls.workspace.get_text_document(data["uri"])
    action.edit = _insert_edit(doc.uri, doc.lines, int(data["line"]), doc.version)
    return action


@server.command("synthls.synthesize")
async def synthesize(ls: LanguageServer, uri: str, line: int) -> dict[str, bool]:
    doc = ls.workspace.get_text_document(uri)
    edit = _insert_edit(uri, doc.lines, line, doc.version)
    res = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=TITLE)
    )
    return {"applied": res.applied}


@server.command("synthls.sandboxStatus")
def sandbox_status(ls: LanguageServer) -> dict[str, object]:
    status: dict[str, object] = {"engine": "fake", "layers": ["rlimits"], "platform": sys.platform}
    return {**status, **json.loads(os.environ.get("FAKE_SYNTHLS_STATUS", "{}"))}


if __name__ == "__main__":
    server.start_io()
