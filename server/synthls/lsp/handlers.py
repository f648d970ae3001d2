"""LSP feature registration: each handler is a few lines over the domain and the job managers."""

from __future__ import annotations

import platform
from typing import Any

from lsprotocol import types

from synthls.lsp import actions, clientcaps, completion, pull, resolve, warmup
from synthls.lsp.convert import apply_changes
from synthls.lsp.modeltag import tags_for
from synthls.lsp.pending import ANSWER_COMMAND
from synthls.lsp.server import SynthServer
from synthls.spec.document import Document

COMMANDS = (
    "synthls.synthesize",
    "synthls.regenerate",
    "synthls.generateFromComment",
    "synthls.checkFile",
    "synthls.sandboxStatus",
    ANSWER_COMMAND,
)


def build() -> SynthServer:
    ls = SynthServer()
    client = clientcaps.Conventions()  # what the client supports, from initialize
    resolver = resolve.Resolver(
        lambda uri: ls.docs.get(uri),
        lambda uri, line, kind, deliver: ls.jobs.run(uri, line, kind, deliver=deliver),
        ls.message,
        lambda: client.tag_model_actions,
    )
    warm = warmup.Warmup(
        lambda doc, target: completion.body_task(ls, doc, target),
        lambda: ls.settings.completion.enabled,
    )

    @ls.feature(types.INITIALIZE)
    def initialize(ls: SynthServer, params: types.InitializeParams) -> None:
        ls.set_root(params)
        ls.configure(params.initialization_options)
        client.take(params.capabilities)
        if client.pull_diagnostics:
            ls.checker.pull = pull.Reports(
                (lambda: ls.workspace_diagnostic_refresh(None))
                if client.refresh_diagnostics
                else None
            )

    @ls.feature(types.INITIALIZED)
    async def initialized(ls: SynthServer, params: types.InitializedParams) -> None:
        await ls.sandbox()

    @ls.feature(types.SHUTDOWN)
    async def shutdown(ls: SynthServer, params: None) -> None:
        warm.cancel_all()
        await ls.shutdown_all()

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(
        ls: SynthServer, params: types.DidChangeConfigurationParams
    ) -> None:
        ls.configure(params.settings)
        for uri in ls.docs:
            ls.checker.schedule(uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SynthServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        ls.docs[item.uri] = Document(item.text, item.version)
        ls.checker.schedule(item.uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SynthServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        doc = ls.docs.get(uri)
        if doc is None:
            source = ls.workspace.get_text_document(uri).source
            ls.docs[uri] = doc = Document(source)
        else:
            changes = list(params.content_changes)
            apply_changes(ls.workspace.position_codec, doc, changes)
            last = changes[-1] if changes else None
            if isinstance(last, types.TextDocumentContentChangePartial):
                ls.checker.focus[uri] = last.range.start.line
                warm.changed(uri, doc, last.range.start.line + last.text.count("\n"))
        doc.version = params.text_document.version
        if ls.settings.diagnostics.on_change:
            ls.checker.schedule(uri, ls.settings.diagnostics.debounce_ms / 1000)
        else:
            ls.checker.cancel(uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SynthServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.checker.schedule(params.text_document.uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SynthServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.docs.pop(uri, None)
        ls.checker.forget(uri)
        ls.questions.forget(uri)
        warm.forget(uri)

    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.RefactorRewrite, types.CodeActionKind.QuickFix],
            resolve_provider=True,
        ),
    )
    def code_action(ls: SynthServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        ls.checker.set_focus(uri, params.range.start.line)
        tagging = client.tag_model_actions  # engines are built only for a tag
        tags = tags_for([e.name for e in ls.engines()], True) if tagging else None
        listed = actions.list_actions(ls, params)
        return resolve.shape(listed, ls.docs.get(uri), client.resolve_edits, tags)

    @ls.feature(types.CODE_ACTION_RESOLVE)
    async def resolve_action(ls: SynthServer, action: types.CodeAction) -> types.CodeAction:
        return await resolver.resolve(action)

    @ls.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="synthls", inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    async def diagnostic(ls: SynthServer, params: types.DocumentDiagnosticParams) -> pull.Report:
        uri = params.text_document.uri
        if ls.checker.pull is None:  # a client that did not say it pulls: it is sent them
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        return await ls.checker.pull.answer(
            uri, params.previous_result_id, lambda: ls.checker.pending.get(uri)
        )

    @ls.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))
    def code_lens(ls: SynthServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        return ls.checker.lenses(params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["\n"]))
    async def complete(ls: SynthServer, params: types.CompletionParams) -> types.CompletionList:
        ls.checker.focus[params.text_document.uri] = params.position.line
        return await completion.complete(ls, params)

    @ls.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())
    async def inline(
        ls: SynthServer, params: types.InlineCompletionParams
    ) -> types.InlineCompletionList:
        ls.checker.focus[params.text_document.uri] = params.position.line
        return await completion.inline(ls, params)

    @ls.command("synthls.synthesize")
    async def synthesize(ls: SynthServer, uri: str, line: int) -> dict[str, Any]:
        return await ls.jobs.run(uri, line, "synthesize")

    @ls.command("synthls.regenerate")
    async def regenerate(ls: SynthServer, uri: str, line: int) -> dict[str, Any]:
        return await ls.jobs.run(uri, line, "regenerate")

    @ls.command("synthls.generateFromComment")
    async def from_comment(ls: SynthServer, uri: str, line: int) -> dict[str, Any]:
        return await ls.jobs.run(uri, line, "comment")

    @ls.command(ANSWER_COMMAND)
    async def answer(ls: SynthServer, uri: str, line: int, call: str, value: str) -> dict[str, Any]:
        """A code lens' answer to a pending question: resume with it (see synthls.lsp.pending)."""
        return await ls.jobs.run(uri, line, "answer", (str(call), str(value)))

    @ls.command("synthls.checkFile")
    async def check_file(ls: SynthServer, uri: str) -> dict[str, Any]:
        return await ls.checker.check_now(uri)

    @ls.command("synthls.sandboxStatus")
    async def sandbox_status(ls: SynthServer) -> dict[str, Any]:
        sandbox = await ls.sandbox()
        return {
            "engine": ls.settings.engine,
            "layers": list(sandbox.layers),
            "platform": platform.platform(),
        }

    return ls
